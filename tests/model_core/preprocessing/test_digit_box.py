"""Tests for digit_box.py: counting the neighbours that tell strokes from specks."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.digit_box import neighbours


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (6, 1), (7, 3), (64, 50)])
def test_neighbours_counts_the_eight_around_each_pixel(shape: tuple[int, int]) -> None:
    mask = np.random.default_rng(sum(shape)).random(shape) < 0.4  # (H, W)
    height, width = shape
    expected = np.zeros(shape, dtype=int)
    for row in range(height):
        for column in range(width):
            window = mask[max(row - 1, 0) : row + 2, max(column - 1, 0) : column + 2]
            expected[row, column] = window.sum() - mask[row, column]
    counts = neighbours(mask)
    assert counts.dtype == np.uint8
    np.testing.assert_array_equal(counts, expected)
