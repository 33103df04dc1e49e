"""Tests for box.py: the Box convention and mapping boxes between image scales."""

from __future__ import annotations

import numpy as np

from model_core.preprocessing.box import Box, grid_box, ink_box, leading, runs, scale_box


def test_a_box_is_left_top_right_bottom_with_right_and_bottom_exclusive() -> None:
    image = np.arange(48).reshape(6, 8)
    box = Box(left=2, top=1, right=5, bottom=4)
    assert box == (2, 1, 5, 4) and list(box) == [2, 1, 5, 4]  # the service's bbox order
    np.testing.assert_array_equal(box.crop(image), image[1:4, 2:5])
    assert (box.width, box.height) == (3, 3)
    assert box.shifted(10, 20) == Box(12, 21, 15, 24)


def test_shared_counts_the_pixels_inside_both_boxes() -> None:
    box = Box(2, 1, 5, 4)  # 3 x 3
    assert box.area == 9
    assert box.shared(Box(4, 0, 10, 2)) == 1 * 1  # column 4, row 1
    assert box.shared(Box(0, 0, 10, 10)) == 9 and box.shared(box) == 9
    assert box.shared(Box(5, 1, 8, 4)) == 0  # touching edges share nothing
    assert box.shared(Box(10, 10, 12, 12)) == 0


def test_ink_box_is_the_tightest_box_round_the_set_pixels() -> None:
    mask = np.zeros((9, 7), dtype=bool)
    mask[2, 5] = mask[6, 1] = True
    assert ink_box(mask) == Box(left=1, top=2, right=6, bottom=7)


def test_scale_box_rounds_outwards_grows_by_the_margin_and_stays_in_the_image() -> None:
    box = Box(1, 2, 4, 5)
    assert scale_box(box, 3, (100, 100)) == Box(3, 6, 12, 15)
    assert scale_box(box, 3, (100, 100), margin=1) == Box(0, 3, 15, 18)
    assert scale_box(box, 3, (16, 13), margin=1) == Box(0, 3, 13, 16)
    assert scale_box(box, (1.5, 2.5), (100, 100)) == Box(2, 3, 10, 8)  # (rows, columns)


def test_grid_box_is_the_cells_a_box_touches() -> None:
    assert grid_box(Box(3, 6, 12, 15), 3) == Box(1, 2, 4, 5)
    assert grid_box(Box(4, 7, 11, 14), 3) == Box(1, 2, 4, 5)


def test_runs_are_each_stretch_of_set_entries_start_to_stop() -> None:
    flags = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=bool)
    assert runs(flags) == [(0, 2), (4, 5), (6, 9)]
    assert runs(np.zeros(4, dtype=bool)) == [] and runs(np.ones(3, dtype=bool)) == [(0, 3)]


def test_leading_counts_the_set_entries_before_the_first_unset_one() -> None:
    assert leading(np.array([1, 1, 0, 1, 1, 1], dtype=bool)) == 2
    assert leading(np.array([0, 1, 1], dtype=bool)) == 0
    assert leading(np.ones(4, dtype=bool)) == 4 and leading(np.zeros(0, dtype=bool)) == 0
