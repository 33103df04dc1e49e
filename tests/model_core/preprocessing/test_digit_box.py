"""Tests for digit_box.py: the neighbours that tell strokes from specks, a line under a digit,
a frame drawn round it."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.box import Box
from model_core.preprocessing.digit_box import (
    digit_box,
    frame_inside,
    inside_outline,
    neighbours,
    without_noise,
)


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


def test_without_noise_drops_lone_pixels_and_pairs_only() -> None:
    mask = np.zeros((8, 12), dtype=bool)
    mask[1, 1] = True  # a lone pixel
    mask[5, 2:4] = True  # a pair
    mask[1:3, 7] = mask[2, 8] = True  # three pixels: each has two set neighbours
    kept = np.zeros_like(mask)
    kept[1:3, 7] = kept[2, 8] = True
    np.testing.assert_array_equal(without_noise(mask), kept)


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


def test_a_printed_comb_under_the_digit_is_left_out_of_its_box() -> None:
    mask = seven((5, 50, 55, 52))  # a form's comb: its base line under the 7 ...
    mask[32:50, 5:7] = mask[32:50, 53:55] = True  # ... and its ticks, up into the 7's rows
    assert digit_box(mask) == Box(15, 10, 45, 45)


def test_a_block_along_the_bottom_is_no_printed_line() -> None:
    mask = np.zeros((60, 80), dtype=bool)
    mask[10:50, 10:14] = True  # an upright stroke
    mask[30:60, 20:78] = True  # a solid block beside it: a building in a photo
    assert digit_box(mask) == Box(10, 10, 78, 60)


def test_strokes_under_the_digit_that_are_no_line_stay_in_its_box() -> None:
    assert digit_box(seven((20, 48, 30, 51))) == Box(15, 10, 45, 51)  # too short
    assert digit_box(seven((10, 48, 50, 58))) == Box(10, 10, 50, 58)  # too thick
    cap = seven((15, 2, 45, 5))  # a flat stroke apart above the digit, as a 5's cap
    assert digit_box(cap) == Box(15, 2, 45, 45)


@pytest.mark.parametrize(
    "other",
    [
        (0, 0, 6, 50),  # a pen lying along the left side
        (54, 0, 60, 50),  # or the right
        (20, 52, 40, 60),  # a fingertip on the bottom edge
        (0, 20, 17, 60),  # the next digit of a number, cut by the frame: its columns overlap
    ],  # the 7's bar, six rows away
)
def test_a_piece_at_the_pictures_edge_apart_from_the_digit_is_left_out(
    other: tuple[int, int, int, int],
) -> None:
    mask = seven(other)
    assert digit_box(mask, framed=True) == Box(15, 10, 45, 45)
    left, top, right, bottom = other
    assert digit_box(mask) == Box(min(left, 15), min(top, 10), max(right, 45), max(bottom, 45))


def test_a_piece_at_the_edge_close_to_the_digit_or_a_piece_off_the_edge_stays() -> None:
    close = seven((0, 8, 13, 30))  # two columns from the bar
    assert digit_box(close, framed=True) == Box(0, 8, 45, 45)
    inside = np.pad(seven((0, 0, 6, 50)), 1)  # paper all round beyond it
    assert digit_box(inside, framed=True) == Box(1, 1, 46, 51)


def test_a_flat_band_above_much_wider_than_the_digit_is_left_out() -> None:
    toolbar = seven((2, 1, 58, 4))  # a drawing app's row of buttons, six rows above
    assert digit_box(toolbar) == Box(15, 10, 45, 45)
    assert digit_box(seven((8, 8, 52, 9))) == Box(8, 8, 52, 45)  # too close: a 7's long bar
    assert digit_box(seven((12, 1, 48, 4))) == Box(12, 1, 48, 45)  # not wide enough


def test_a_phones_status_bar_and_home_indicator_far_from_the_digit_are_left_out() -> None:
    mask = np.pad(seven(), ((20, 20), (0, 0)))  # (100, 60) the 7 in rows 30 to 64
    mask[2:6, 12:48] = True  # the status bar: flat, not much wider than the digit
    mask[94:96, 22:38] = True  # the home indicator: narrower than an underline
    assert digit_box(mask) == Box(15, 30, 45, 65)


def test_a_windows_title_and_toolbar_far_above_the_digit_are_left_out() -> None:
    mask = np.pad(seven(), ((20, 20), (0, 0)))  # (100, 60) the 7 in rows 30 to 64
    mask[1:4, 2:10] = True  # what is left of the title bar's text: no flat band
    for left in range(2, 26, 6):
        mask[5:12, left : left + 4] = True  # the toolbar's buttons, one row below it
    assert digit_box(mask) == Box(15, 30, 45, 65)
    mask[5:12, 2:26] = False  # the title alone, close enough to be a stroke of the digit
    mask[16:19, 2:10] = True
    assert digit_box(mask) == Box(2, 16, 45, 65)


def test_a_web_pages_heading_and_buttons_close_to_the_digit_are_left_out() -> None:
    mask = np.pad(seven(), ((30, 20), (10, 10)))  # (110, 80) the 7 in rows 40 to 74
    mask[1:3, 5:60] = True  # the address bar's text, far above
    for left, right in ((10, 20), (23, 27), (30, 40)):
        mask[28:32, left:right] = True  # the page's heading, three words, close above
    for left in (28, 34, 40):
        mask[80:83, left : left + 4] = True  # a row of buttons under the canvas
    assert digit_box(mask) == Box(25, 40, 55, 75)
    mask[28:32, 23:27] = False  # two things close above: a 5's cap in two strokes, kept
    assert digit_box(mask) == Box(10, 28, 55, 75)


def test_what_is_left_without_a_band_must_be_most_of_the_ink() -> None:
    mask = np.zeros((60, 60), dtype=bool)
    mask[0:60, 0:30] = True  # a faint page's noise over most of the picture, at its edge
    mask[46:58, 40:50] = True  # and a small thing apart from it (no speck: over SPECK of it)
    assert digit_box(mask, framed=True) == Box(0, 0, 50, 60)


def test_no_band_is_left_out_when_what_is_left_reaches_the_pictures_edge() -> None:
    blocks = np.zeros((60, 60), dtype=bool)
    blocks[10:60, 0:6] = True  # a photo of houses: blocks rising from its bottom edge
    blocks[20:60, 30:36] = True
    assert digit_box(blocks, framed=True) == Box(0, 10, 36, 60)


def _dusty(specks: list[tuple[int, int]], size: int = 2) -> np.ndarray:
    """(120, 120) bool: seven() at twice its size (ink 852 px, a box from (30, 20) to (90, 90)),
    with square specks `size` px a side at (row, column) each."""
    mask = np.kron(seven(), np.ones((2, 2), dtype=bool))
    for row, column in specks:
        mask[row : row + size, column : column + size] = True
    return mask


def test_specks_of_dust_apart_from_the_digit_are_left_out_of_its_box() -> None:
    far = [(2, 4), (110, 100), (60, 3)]  # 2x2 specks: the neighbours' test keeps them
    assert digit_box(_dusty([])) == Box(30, 20, 90, 90)
    assert digit_box(_dusty(far)) == Box(3, 2, 102, 112)  # a clean drawing's ink is all ink
    assert digit_box(_dusty(far), framed=True) == Box(30, 20, 90, 90)


def test_pieces_close_to_the_digit_or_not_small_stay_in_its_box() -> None:
    near = [(92, 60)]  # just under the stem: part of the digit, or too close to tell
    assert digit_box(_dusty(near), framed=True) == Box(30, 20, 90, 94)
    block = [(100, 4)]  # 8x8: over SPECK of the digit's ink, something else
    assert digit_box(_dusty(block, size=8), framed=True) == Box(4, 20, 90, 108)


def framed_digit(inside: bool = True) -> np.ndarray:
    """(90, 110) bool: a plot's axes frame, 2 px lines, round a 1 (`inside`), a title above
    it and tick labels to its left and below, all apart from the frame."""
    mask = np.zeros((90, 110), dtype=bool)
    mask[14:16, 20:100] = mask[80:82, 20:100] = True  # the frame's top and bottom
    mask[14:82, 20:22] = mask[14:82, 98:100] = True  # its sides
    if inside:
        mask[28:70, 58:62] = True  # the 1
    mask[2:8, 45:75] = True  # the title
    for row in (20, 45, 70):
        mask[row : row + 4, 8:14] = True  # tick labels on the left
    for column in (24, 58, 92):
        mask[85:89, column : column + 5] = True  # and below
    return mask


def test_a_digit_is_read_inside_a_frame_with_things_outside_it() -> None:
    mask = framed_digit()
    assert frame_inside(mask) == Box(22, 16, 98, 80)
    box = inside_outline(mask.astype(np.float32), mask, Box(0, 0, 110, 90))
    assert box == Box(58, 28, 62, 70)  # the 1, not the frame, the title or the ticks


def test_an_empty_frame_and_digits_without_one_keep_their_box() -> None:
    empty = framed_digit(inside=False)  # a "0" drawn square, with marks round it
    assert inside_outline(empty.astype(np.float32), empty, Box(0, 0, 110, 90)) == Box(0, 0, 110, 90)
    assert frame_inside(seven()) is None  # a long bar and a long stroke are no frame
    open_frame = framed_digit()
    open_frame[40:60, 98:100] = False  # a side broken: no rectangle
    assert frame_inside(open_frame) is None
