"""Tests for dots.py: a digit made of separate dots found and joined into strokes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from model_core.preprocessing import preprocess_bytes
from model_core.preprocessing.box import ink_box
from model_core.preprocessing.components import label_pieces
from model_core.preprocessing.digit_box import digit_box
from model_core.preprocessing.dots import (
    CORE,
    euler_number,
    glyphs_apart,
    join_dots,
    join_window,
)
from tests.dot_matrix import dot_coverage
from tests.upload_styles import encode


def _pieces(mask: np.ndarray) -> int:
    return len(label_pieces(mask)[1])


def test_euler_number_counts_pieces_less_holes() -> None:
    square = np.zeros((12, 12), dtype=bool)
    square[2:10, 2:10] = True
    ring = square.copy()
    ring[4:8, 4:8] = False  # one hole
    eight = np.zeros((14, 8), dtype=bool)
    eight[1:13, 1:7] = True
    eight[3:6, 3:5] = eight[8:11, 3:5] = False  # two holes
    dots = np.zeros((9, 9), dtype=bool)
    dots[::4, ::4] = True  # nine dots apart
    diagonal = np.eye(6, dtype=bool)  # one piece, 8-connected
    corners = np.zeros((3, 3), dtype=bool)
    corners[0, 1] = corners[1, 0] = corners[1, 2] = corners[2, 1] = True  # a diamond's hole
    cases = [(square, 1), (ring, 0), (eight, -1), (dots, 9), (diagonal, 1), (corners, 0)]
    for mask, expected in cases:
        assert euler_number(mask) == expected
    assert euler_number(np.zeros((5, 5), dtype=bool)) == 0


@pytest.mark.parametrize("pitch, radius", [(6, 0.3), (9, 0.45), (10, 0.35), (14, 0.3), (14, 0.48)])
def test_a_dot_glyphs_dots_are_joined_and_glyphs_stay_apart(pitch: int, radius: float) -> None:
    dots = dot_coverage([7, 0, 4], pitch, radius * pitch, margin=pitch) > CORE  # (H, W)
    assert _pieces(dots) >= 11  # dots apart (44), or close enough to touch along rows (11)
    window = join_window(dots)
    assert window > 0
    joined = join_dots(dots.astype(np.float32), window) > CORE
    assert _pieces(joined) == 3  # each glyph one stroke, the three apart
    assert glyphs_apart(joined)
    stroke = joined.sum() / dots.sum()
    assert 1.2 < stroke < 4  # bolder than the dots, not a blob


def test_handwritten_digits_and_specks_are_no_lattice(digits: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    for digit in digits:
        large = np.kron(digit > 127, np.ones((4, 4), dtype=bool))  # (112, 112)
        assert join_window(large) == 0
        specks = large.copy()
        for row, column in rng.integers(0, 110, size=(12, 2)):
            specks[row : row + 2, column : column + 2] = True  # a dozen specks round it
        assert join_window(specks) == 0


def test_a_dot_matrix_digit_is_read_as_one_stroke() -> None:
    dots = dot_coverage([2], 12, 5, margin=60)  # (204, 180) a "2" of 5x7 dots
    upload = encode(Image.fromarray(np.round(255 - 255 * dots).astype(np.uint8)), "PNG")
    image = preprocess_bytes(upload).image  # (28, 28)
    assert _pieces(image > CORE) == 1  # 21 dots without the join
    assert np.count_nonzero(image[-8:] > CORE) > 20  # the bottom row of dots kept, joined


@pytest.mark.parametrize("digit", [2, 7])
def test_a_dot_matrix_digits_rows_of_dots_are_no_heading_or_underline(digit: int) -> None:
    mask = dot_coverage([digit], 10, 3.5, margin=20) > CORE  # (110, 90) rows of dots apart
    assert digit_box(mask) == ink_box(mask)  # a 2's bottom row, a 7's top row, kept


def test_dots_never_side_by_side_are_no_lattice() -> None:
    mask = np.zeros((70, 70), dtype=bool)
    for k in range(7):
        mask[10 * k : 10 * k + 4, 10 * k : 10 * k + 4] = True  # a diagonal of dots
    assert join_window(mask) == 0  # no row or column holds two: no pitch to measure


def test_handwriting_in_pieces_joins_into_blobs_wider_than_glyphs() -> None:
    """A line of thin handwritten digits broken into pieces (the 7's bar apart from its stem,
    a speck): joined as dots would be, it is one blob of several digits, not glyphs."""
    image = Image.new("L", (100, 52), 0)
    pen = ImageDraw.Draw(image)
    pen.arc([4, 6, 18, 24], 200, 20, fill=255, width=4)  # a 2 ...
    pen.line([(17, 18), (5, 44), (20, 44)], fill=255, width=4)
    pen.arc([23, 6, 36, 24], 220, 90, fill=255, width=4)  # a 3 ...
    pen.arc([23, 24, 38, 44], 270, 150, fill=255, width=4)
    pen.line([(42, 8), (55, 7)], fill=255, width=4)  # a 7 in two pieces ...
    pen.line([(56, 13), (47, 44)], fill=255, width=4)
    pen.line([(68, 6), (62, 44)], fill=255, width=4)  # a 1, and a speck
    pen.rectangle([72, 36, 73, 37], fill=255)
    mask = np.asarray(image) > 127  # (52, 100)
    window = join_window(mask)
    assert window > 0  # it passes for a lattice of dots
    assert not glyphs_apart(join_dots(mask.astype(np.float32), window) > CORE)
