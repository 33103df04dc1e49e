"""How a line is cut into digits, on hand-drawn cases: a 5 in two strokes, a 1 beside a 7, a
dot between two digits, two touching 0s, two lines one above the other."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from model_core.number import candidates, strips
from model_core.number.candidates import line_candidates
from model_core.number.cuts import CUTS_PER_LINE, WIDE_CUTS_PER_LINE, between, candidate_cuts
from model_core.number.groups import digit_groups, stacked_lines
from model_core.preprocessing.box import Box
from model_core.preprocessing.components import Piece, label_pieces
from model_core.preprocessing.errors import SeveralLinesError, TooManyDigitsError

Draw = Callable[[ImageDraw.ImageDraw], None]
PEN = 7


def canvas(width: int, *strokes: Draw) -> np.ndarray:
    """(100, width) grayscale on [0, 1]: black strokes on white."""
    image = Image.new("L", (width, 100), 255)
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        stroke(pen)
    return np.asarray(image, dtype=np.float32) / 255


def five_body(x: int) -> Draw:
    def draw(pen: ImageDraw.ImageDraw) -> None:
        pen.line([(x + 8, 22), (x + 6, 50)], fill=0, width=PEN)  # the down stroke
        pen.arc([x, 42, x + 40, 80], start=-100, end=150, fill=0, width=PEN)  # the bowl

    return draw


def five_cap(x: int) -> Draw:  # drawn apart from the body: a gap of a few pixels
    return lambda pen: pen.line([(x + 14, 18), (x + 42, 16)], fill=0, width=PEN)


def one(x: int) -> Draw:
    return lambda pen: pen.line([(x, 18), (x - 4, 80)], fill=0, width=PEN)


def seven(x: int) -> Draw:
    return lambda pen: pen.line([(x, 20), (x + 36, 20), (x + 14, 80)], fill=0, width=PEN)


def zero(x: int) -> Draw:
    return lambda pen: pen.ellipse([x, 18, x + 36, 80], outline=0, width=PEN)


def dot(x: int) -> Draw:
    return lambda pen: pen.ellipse([x, 74, x + 6, 80], fill=0)


def comma(x: int) -> Draw:  # low, below the digits' middle
    return lambda pen: pen.line([(x + 2, 72), (x - 3, 90)], fill=0, width=5)


def dash(x: int) -> Draw:  # flat, at mid-height
    return lambda pen: pen.line([(x, 50), (x + 16, 50)], fill=0, width=4)


def degree(x: int) -> Draw:  # a small ring high, after the digits
    return lambda pen: pen.ellipse([x, 12, x + 14, 26], outline=0, width=4)


def apostrophe(x: int) -> Draw:  # a tick high, between groups of digits
    return lambda pen: pen.line([(x + 3, 10), (x, 34)], fill=0, width=5)


def boxes(gray: np.ndarray, split: bool = False) -> list[Box]:
    """The boxes, in `gray`'s pixels, of the blobs read whole (or of every candidate)."""
    line = line_candidates(gray, 20, split=split)
    chosen = line.wholes if not split else range(len(line.candidates))
    return [line.page.to_input(line.candidates[i].box) for i in chosen]


def test_a_five_in_two_strokes_is_one_digit() -> None:
    gray = canvas(120, five_body(40), five_cap(40))
    [box] = boxes(gray)
    assert box.top <= 16 and box.bottom >= 78  # the cap and the bowl
    line = line_candidates(gray, 20)
    assert len(label_pieces(line.page.mask)[1]) >= 2  # drawn in several pieces


def test_a_one_beside_a_seven_is_two_digits() -> None:
    assert [box.left < 50 for box in boxes(canvas(160, one(40), seven(56)))] == [True, False]


def test_a_dot_between_two_digits_is_left_out() -> None:
    found = boxes(canvas(200, one(50), dot(90), seven(120)))
    assert len(found) == 2
    assert all(box.height > 40 for box in found)


def test_a_comma_and_a_dash_between_digits_are_left_out() -> None:
    found = boxes(canvas(260, one(50), comma(76), seven(95), dash(148), zero(190)))
    assert len(found) == 3
    assert all(box.height > 40 for box in found)


def test_a_degree_sign_and_an_apostrophe_above_the_digits_middle_are_left_out() -> None:
    found = boxes(canvas(300, one(50), apostrophe(72), seven(95), zero(150), degree(200)))
    assert len(found) == 3
    assert all(box.height > 40 for box in found)


def test_a_piece_high_over_a_digits_columns_is_a_part_not_a_mark() -> None:
    first, second = Piece(1, Box(10, 40, 40, 100), 600), Piece(2, Box(60, 40, 90, 100), 600)
    tick = Piece(3, Box(47, 28, 52, 46), 60)  # between the digits' columns: an apostrophe
    cap = Piece(4, Box(62, 0, 78, 16), 60)  # over the second's columns, far above: a 5's cap
    groups = digit_groups([first, tick, second, cap])
    assert [[piece.label for piece in group] for group in groups] == [[1], [2], [4]]


def test_a_bold_comma_reaching_below_the_line_is_a_mark_and_a_piece_on_the_line_is_not() -> None:
    first, second = Piece(1, Box(10, 40, 40, 100), 600), Piece(2, Box(60, 40, 90, 100), 600)
    comma = Piece(3, Box(46, 84, 54, 110), 120)  # a typed comma: a fifth of a digit's ink
    low = Piece(4, Box(46, 75, 56, 100), 120)  # as large, standing on the line
    assert [[p.label for p in g] for g in digit_groups([first, comma, second])] == [[1], [2]]
    assert len(digit_groups([first, low, second])) == 3


def test_two_lines_of_digits_one_above_the_other_are_refused() -> None:
    above = canvas(220, seven(40), zero(120))
    below = canvas(220, one(60), zero(110))  # the 1 under the 7, sharing its columns
    with pytest.raises(SeveralLinesError, match="2 lines"):
        line_candidates(np.vstack([above, below]), 20)
    assert len(boxes(np.hstack([above, below]))) == 4  # side by side: one line


def test_a_line_is_one_line_however_it_steps_and_whatever_marks_lie_apart() -> None:
    def box(left: int, top: int, height: int = 40) -> Box:
        return Box(left, top, left + 25, top + height)

    steps = [box(30 * k, 12 * k) for k in range(6)]  # each 12 px lower: 60 px in all
    assert stacked_lines(steps, 40) == 1
    mark = box(40, 0, height=8)  # a small mark above the digits, apart from them
    assert stacked_lines([box(0, 30), box(30, 30), mark], 40) == 1
    assert stacked_lines([box(0, 0), box(30, 0), box(10, 60), box(200, 120)], 40) == 2


def test_touching_zeros_have_a_cut_where_they_meet() -> None:
    gray = canvas(160, zero(40), zero(72))  # the outlines overlap by 4 px
    line = line_candidates(gray, 20)
    [blob] = label_pieces(line.page.mask)[1]
    ink = blob.box.crop(line.page.strokes)  # (h, w)
    meeting = (72 + 2) / line.page.factor - blob.box.left  # where they meet, in `ink`
    cuts = candidate_cuts(ink, blob.box.height)
    assert any(abs(float(cut.mean()) - meeting) <= 3 for cut in cuts)
    spans = [(box.left, box.right) for box in boxes(gray, split=True)]
    assert any(abs(left - 40) <= 3 and abs(right - 78) <= 6 for left, right in spans)
    assert any(abs(left - 70) <= 6 and abs(right - 110) <= 3 for left, right in spans)


def test_a_blob_of_touching_digits_keeps_fewer_cuts_a_line_height() -> None:
    rng = np.random.default_rng(0)
    line = 40
    for width, per_line in ((44, CUTS_PER_LINE), (120, WIDE_CUTS_PER_LINE)):  # 1.1, 3 lines
        ink = (rng.random((line, width)) < 0.5).astype(np.float32)  # (h, w) cut anywhere
        cuts = candidate_cuts(ink, line)
        assert len(cuts) == math.ceil(per_line * width / line)


def test_between_keeps_the_pixels_between_two_cuts() -> None:
    cut = np.array([2, 3, 4])  # (h,) a slanted cut
    inside = between([cut], (0, 1), (3, 6))
    assert inside.tolist() == [[True] * 2 + [False] * 4, [True] * 3 + [False] * 3,
                               [True] * 4 + [False] * 2]  # fmt: skip
    assert (~between([cut], (1, 2), (3, 6)) == inside).all()


def test_a_scribble_with_too_many_candidates_is_refused_before_they_are_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gray = np.ones((120, 3000), np.float32)  # (H, W) white: one long wavy stroke
    columns = np.arange(10, 2990)
    rows = (60 + 40 * np.sin(columns / 7)).astype(int)
    for offset in range(-3, 3):
        gray[rows + offset, columns] = 0.0
    made: list[int] = []
    make = candidates._candidate

    def counted(*args: Any) -> candidates.Candidate:
        made.append(1)
        return make(*args)

    monkeypatch.setattr(candidates, "_candidate", counted)
    with pytest.raises(TooManyDigitsError):
        line_candidates(gray, 20)
    assert len(made) <= candidates.CANDIDATES_PER_DIGIT * 20  # not one per span of the stroke


def test_marks_wider_than_the_digits_allowed_could_be_are_refused_before_they_are_read() -> None:
    gray = np.ones((120, 1000), np.float32)  # (H, W) white: one wavy stroke about 11 lines long
    columns = np.arange(10, 990)
    rows = (60 + 40 * np.sin(columns / 7)).astype(int)
    for offset in range(-3, 3):
        gray[rows + offset, columns] = 0.0
    found = candidates.line_blobs(gray, 6)  # room for 6 digits of 2 line heights each
    assert found.boxes[0].width > 5 * candidates.MAX_WIDTH_PER_DIGIT * found.line
    with pytest.raises(TooManyDigitsError, match="wider than a number of at most 5 digits"):
        candidates.line_blobs(gray, 5)


def test_digits_written_on_a_rule_of_lined_paper_stay_apart() -> None:
    gray = canvas(260, one(40), seven(80), zero(160))  # strokes down to row 83
    for row in (10, 80):  # faint rules across the line: the one above, the one written on
        gray[row : row + 2] = np.minimum(gray[row : row + 2], 0.6)

    blobs = line_candidates(gray, 20).blobs
    tops = [blobs.page.to_input(box).top for box in blobs.boxes]  # in the input's pixels

    assert len(tops) == 3  # not one blob joined by the rule
    assert min(tops) > 12  # the rule above is no stroke either


def test_a_wide_blob_the_sequence_reader_reads_is_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    gray = canvas(200, zero(40), zero(72), zero(104))  # three touching 0s: 1.6 line heights
    assert len(line_candidates(gray, 20).candidates) > 1  # cut where no reader reads it
    read = line_candidates(gray, 20, read_wide=True)
    assert len(read.candidates) == 1 and read.wholes == [0]
    monkeypatch.setattr(strips, "MAX_STRIP_COLUMNS", 64)  # its strip too wide for the reader
    assert len(line_candidates(gray, 20, read_wide=True).candidates) > 1


def test_digits_on_graph_paper_under_uneven_light_are_found_as_on_plain_paper() -> None:
    plain = canvas(220, one(50), seven(90), zero(150))  # (100, 220) strokes at 0, paper 1
    grid = np.ones_like(plain)
    for offset in (0, 1):  # a grid of 2 px lines 11 px apart, fainter than the pen
        grid[3 + offset :: 11] = grid[:, 5 + offset :: 11] = 0.72
    light = np.linspace(1.0, 0.5, plain.shape[1], dtype=np.float32)  # darker to the right
    on_graph = np.minimum(plain, grid) * light * 0.96  # (100, 220)
    found, expected = boxes(on_graph), boxes(plain)
    assert len(found) == len(expected) == 3
    for got, want in zip(found, expected, strict=True):
        assert abs(got.left - want.left) <= 3 and abs(got.right - want.right) <= 3
        assert abs(got.top - want.top) <= 3 and abs(got.bottom - want.bottom) <= 3


def test_a_number_photo_turned_on_white_is_found_digit_by_digit() -> None:
    """An editor turned the photo and filled its corners white: the corners are painted the
    photo's paper (preprocessing/corners.py), so its grey paper is not taken for ink."""
    gray = canvas(220, zero(40), seven(120))  # "07" on white
    photo = np.where(gray < 0.5, 0.15, 0.75).astype(np.float32)  # (100, 220) on grey paper
    turned = np.asarray(Image.fromarray(photo, mode="F").rotate(8, expand=True, fillcolor=1.0))

    blobs = line_candidates(turned, 20).blobs

    assert len(blobs.boxes) == 2  # the 0 and the 7, not one block of the photo
