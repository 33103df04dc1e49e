"""Tests for digit_box.py: the neighbours that tell strokes from specks, a line under a digit."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.box import Box
from model_core.preprocessing.digit_box import digit_box, neighbours


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


def seven(line: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """(60, 60) bool: a 7 in rows 10 to 44 and columns 15 to 45, with a filled `line` box."""
    mask = np.zeros((60, 60), dtype=bool)
    mask[10:14, 15:45] = True  # the bar
    for row in range(14, 45):
        column = 44 - (row - 14) // 2
        mask[row, column - 3 : column] = True  # the stem, leaning left
    if line is not None:
        left, top, right, bottom = line
        mask[top:bottom, left:right] = True
    return mask


def test_a_line_under_the_digit_is_left_out_of_its_box() -> None:
    assert digit_box(seven()) == Box(15, 10, 45, 45)
    assert digit_box(seven((8, 48, 52, 51))) == Box(15, 10, 45, 45)  # underlined
    assert digit_box(seven((20, 46, 44, 48))) == Box(15, 10, 45, 45)  # one row apart


def test_strokes_under_the_digit_that_are_no_line_stay_in_its_box() -> None:
    assert digit_box(seven((20, 48, 30, 51))) == Box(15, 10, 45, 51)  # too short
    assert digit_box(seven((10, 48, 50, 58))) == Box(10, 10, 50, 58)  # too thick
    cap = seven((15, 2, 45, 5))  # a flat stroke apart above the digit, as a 5's cap
    assert digit_box(cap) == Box(15, 2, 45, 45)
