"""Tests for morphology.py: the running square filter against a brute-force one."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.morphology import square_filter


@pytest.mark.parametrize("window", [1, 2, 3, 5, 8, 13, 35])
@pytest.mark.parametrize(
    ("reduce", "outside"),
    [(np.minimum, np.inf), (np.maximum, -np.inf), (np.maximum, 0.5)],
    ids=["min", "max", "max-with-a-level-outside"],
)
def test_the_running_filter_equals_a_brute_force_one(
    window: int, reduce: np.ufunc, outside: float
) -> None:
    image = np.random.default_rng(window).random((37, 29), dtype=np.float32)
    padded = np.pad(image, window, constant_values=outside)  # (37 + 2w, 29 + 2w)
    expected = np.empty_like(image)
    start = window - window // 2  # the window is centred
    for row in range(37):
        rows = slice(row + start, row + start + window)
        for column in range(29):
            square = padded[rows, column + start : column + start + window]
            expected[row, column] = reduce.reduce(square, axis=None)
    np.testing.assert_array_equal(square_filter(image, window, reduce, outside), expected)


def test_a_batch_is_filtered_image_by_image() -> None:
    batch = np.random.default_rng(7).random((3, 2, 11, 9), dtype=np.float32)  # (A, B, h, w)
    filtered = square_filter(batch, 3, np.maximum, 0.0)
    assert filtered.shape == batch.shape
    for a in range(3):
        for b in range(2):
            alone = square_filter(batch[a, b], 3, np.maximum, 0.0)
            np.testing.assert_array_equal(filtered[a, b], alone)
