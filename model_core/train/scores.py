"""Classification metrics: confusion matrix, per-class precision and recall."""

from __future__ import annotations

import numpy as np


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """(classes, classes) counts: row = true class, column = predicted class."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def precision_recall(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision (of each predicted column) and recall (of each true row); 0 if empty."""
    correct = np.diag(matrix).astype(np.float64)  # (K,)
    predicted, actual = matrix.sum(axis=0), matrix.sum(axis=1)  # (K,), (K,)
    precision = np.divide(correct, predicted, out=np.zeros_like(correct), where=predicted > 0)
    recall = np.divide(correct, actual, out=np.zeros_like(correct), where=actual > 0)
    return precision, recall


def format_report(matrix: np.ndarray) -> str:
    """Per-class precision/recall and the confusion matrix as aligned text."""
    precision, recall = precision_recall(matrix)
    lines = ["class  precision  recall  support"]
    for digit, (p, r, n) in enumerate(zip(precision, recall, matrix.sum(axis=1), strict=True)):
        lines.append(f"{digit:>5}  {p:9.4f}  {r:6.4f}  {n:7d}")
    width = max(4, len(str(matrix.max())) + 1)
    lines += ["", "confusion matrix (rows: true, columns: predicted)"]
    lines.append("     " + "".join(f"{d:>{width}}" for d in range(len(matrix))))
    for digit, row in enumerate(matrix):
        lines.append(f"{digit:>4} " + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)
