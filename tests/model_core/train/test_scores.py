from __future__ import annotations

import numpy as np

from model_core.train.scores import confusion_matrix, format_report, precision_recall


def test_confusion_matrix_counts_true_rows_against_predicted_columns() -> None:
    labels = np.array([0, 0, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 2, 2, 0])
    matrix = confusion_matrix(labels, predicted, classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


def test_precision_and_recall_per_class_with_empty_classes_at_zero() -> None:
    matrix = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])  # from the test above
    precision, recall = precision_recall(np.pad(matrix, ((0, 1), (0, 1))))  # class 3: unseen
    np.testing.assert_allclose(precision, [1 / 2, 1 / 2, 1, 0])
    np.testing.assert_allclose(recall, [1 / 2, 1, 2 / 3, 0])


def test_the_report_has_a_line_per_class_and_the_matrix() -> None:
    matrix = confusion_matrix(np.arange(10), np.arange(10))
    text = format_report(matrix)
    assert "    3     1.0000  1.0000        1" in text.splitlines()
    assert text.splitlines()[-1].split() == ["9", *["0"] * 9, "1"]
