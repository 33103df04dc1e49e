"""Stand-in networks for reading lines: fixed digit probabilities and verifier verdicts, so
that a test decides what each network says."""

from __future__ import annotations

import numpy as np


def always(digit: int, classes: int = 10, sure: float = 0.99) -> np.ndarray:
    """(classes,) probabilities, `sure` of `digit`."""
    probabilities = np.full(classes, (1 - sure) / (classes - 1), dtype=np.float32)
    probabilities[digit] = sure
    return probabilities


def threes(images: np.ndarray) -> np.ndarray:
    return np.tile(always(3), (len(images), 1))  # (N, 10)


def doubtful_threes(images: np.ndarray) -> np.ndarray:
    return np.tile(always(3, sure=0.9), (len(images), 1))  # (N, 10)


def unlikely(images: np.ndarray) -> np.ndarray:
    """(N, 11) verdicts: each candidate not one digit at 0.9, so no blob is cut."""
    verdicts = np.full((len(images), 11), 0.01)
    verdicts[:, 10] = 0.9
    return verdicts


def tall_ones(images: np.ndarray) -> np.ndarray:
    """(N, 11) verdicts: a candidate whose ink is taller than wide is one digit, else not."""
    rows, columns = (images > 0).any(axis=2).sum(axis=1), (images > 0).any(axis=1).sum(axis=1)
    verdicts = np.full((len(images), 11), 0.01)  # (N, 11)
    verdicts[:, 10] = np.where(rows > columns, 0.001, 0.999)
    return verdicts
