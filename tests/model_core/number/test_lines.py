"""Lines drawn along or round a number come off its ink before the blobs are found."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

from model_core.number.candidates import line_blobs
from model_core.number.lines import crossings, without_lines
from model_core.preprocessing.box import Box
from model_core.preprocessing.components import label_pieces
from tests.model_core.number.test_segmentation import PEN, canvas, one, seven, zero


def digits() -> np.ndarray:
    """(100, 260) a 1, a 7 and a 0 apart, strokes from row 18 to about 83."""
    return canvas(260, one(40), seven(80), zero(160))


def blob_boxes(gray: np.ndarray) -> list[Box]:
    """The blobs' boxes, in the input's pixels."""
    blobs = line_blobs(gray, 20)
    return [blobs.page.to_input(box) for box in blobs.boxes]


def test_a_line_of_digits_alone_keeps_its_ink() -> None:
    mask = digits() < 0.5
    labels, pieces = label_pieces(mask)

    assert without_lines(mask, labels, pieces) is None


def test_an_underline_touching_the_digits_comes_off() -> None:
    gray = digits()
    plain = blob_boxes(gray)
    gray[80 : 80 + PEN] = 0.0  # (7, 260) a black bar across the digits' feet

    underlined = blob_boxes(gray)

    assert len(underlined) == len(plain) == 3  # not one blob
    for (left, top, right, _), (plain_left, plain_top, plain_right, _) in zip(
        underlined, plain, strict=True
    ):
        assert abs(left - plain_left) <= 4 and abs(right - plain_right) <= 4
        assert abs(top - plain_top) <= 2


def test_a_line_struck_through_the_digits_cuts_none_of_them_in_two() -> None:
    gray = digits()
    mask = gray < 0.5
    gray[46 : 46 + PEN, 10:250] = 0.0  # (7, 240) a black bar across the digits' middle
    struck = gray < 0.5
    labels, pieces = label_pieces(struck)

    kept = without_lines(struck, labels, pieces)

    assert kept is not None
    assert kept.sum() >= mask.sum() - 4  # the strokes keep the rows the line crossed ...
    near = mask | np.roll(mask, 1, axis=1) | np.roll(mask, -1, axis=1)  # a column either way
    assert not (kept & ~near).any()  # ... and the line is gone but where strokes crossed it
    blobs = line_blobs(gray, 20)
    assert [len(group) for group in blobs.groups] == [1, 1, 1]  # each digit one piece


def test_a_slanted_line_struck_through_the_digits_comes_off() -> None:
    plain = blob_boxes(digits())
    page = Image.fromarray(np.round(digits() * 255).astype(np.uint8))
    ImageDraw.Draw(page).line([(10, 36), (250, 60)], fill=0, width=PEN)  # 0.1 rows a column
    gray = np.asarray(page, dtype=np.float32) / 255

    blobs = line_blobs(gray, 20)

    assert [len(group) for group in blobs.groups] == [1, 1, 1]  # apart, each one piece
    for (left, top, right, bottom), box in zip(blob_boxes(gray), plain, strict=True):
        # a sliver along the line's edge may stay with a digit it crossed: not the line
        assert abs(left - box.left) <= 2 * PEN and abs(right - box.right) <= 2 * PEN
        assert abs(top - box.top) <= 2 and abs(bottom - box.bottom) <= 2


def test_crossings_are_where_ink_runs_on_both_sides_of_the_line() -> None:
    ink = np.zeros((9, 12), bool)  # (h, w)
    ink[:4, 2] = ink[6:, 3] = True  # a stroke crossing the line, slanted by a column
    ink[:4, 7] = True  # a stroke that ends on the line
    ink[6:, 10] = True  # one that starts below it, further on
    line = np.zeros_like(ink)
    line[4:6, :] = True  # (2, 12) the line

    found = crossings(ink, line)

    expected = np.zeros_like(ink)
    expected[4:6, 2:4] = True  # ink above and below, in the column or the next either way
    np.testing.assert_array_equal(found, expected)


def test_an_underline_apart_from_the_digits_is_no_digit() -> None:
    gray = digits()
    plain = blob_boxes(gray)
    gray[92:96, 30:150] = 0.0  # under two digits, not touching them: too short to come off

    assert blob_boxes(gray) == plain  # nor part of a digit


def test_a_box_round_the_number_comes_off() -> None:
    gray = np.ones((140, 300), np.float32)  # (H, W) white
    gray[20:120, 20:280] = digits()  # (100, 260)
    plain = blob_boxes(gray)
    gray[4:136, 4:296] = 0.0  # a black box round the number, 4 px of pen ...
    gray[8:132, 8:292] = 1.0  # ... round the paper
    gray[20:120, 20:280] = digits()

    assert blob_boxes(gray) == plain


def test_a_loop_round_a_short_number_comes_off() -> None:
    gray = np.ones((180, 220), np.float32)  # (H, W) white
    gray[40:140, 40:180] = canvas(140, one(30), seven(70))  # (100, 140)
    plain = gray < 0.5
    page = Image.fromarray(np.round(gray * 255).astype(np.uint8))
    ImageDraw.Draw(page).ellipse((20, 10, 200, 170), outline=0, width=5)  # taller than them
    mask = np.asarray(page) < 128
    labels, pieces = label_pieces(mask)

    kept = without_lines(mask, labels, pieces)

    assert kept is not None
    np.testing.assert_array_equal(kept, plain)


def test_digits_round_another_piece_are_no_box() -> None:
    gray = digits()
    gray[80 : 80 + PEN] = 0.0  # one piece with the digits, wider than any digit ...
    gray[46:50, 174:182] = 0.0  # ... round a dash inside the 0
    mask = gray < 0.5
    labels, pieces = label_pieces(mask)

    kept = without_lines(mask, labels, pieces)

    assert kept is not None and kept[30:60].sum() >= mask[30:60].sum() - 2  # digits stay


def test_printed_boxes_one_for_each_digit_come_off() -> None:
    strokes = (one(50), seven(110), zero(170))
    plain = blob_boxes(canvas(240, *strokes))

    def boxes(pen: ImageDraw.ImageDraw) -> None:
        for left, right in ((30, 90), (90, 155), (155, 220)):  # sides shared
            pen.rectangle([left, 8, right, 92], outline=0, width=2)

    assert blob_boxes(canvas(240, boxes, *strokes)) == plain  # no divider read as a 1


def test_printed_boxes_a_digit_touches_come_off_and_leave_the_digit() -> None:
    def long_seven(pen: ImageDraw.ImageDraw) -> None:  # its bar runs into the divider at 155
        pen.line([(110, 20), (156, 20), (124, 80)], fill=0, width=PEN)

    strokes = (one(50), long_seven, zero(170))
    plain = blob_boxes(canvas(240, *strokes))

    def boxes(pen: ImageDraw.ImageDraw) -> None:
        for left, right in ((30, 90), (90, 155), (155, 220)):  # sides shared
            pen.rectangle([left, 8, right, 92], outline=0, width=2)

    found = blob_boxes(canvas(240, boxes, *strokes))

    assert len(found) == len(plain) == 3  # no divider read as a 1
    for box, alone in zip(found, plain, strict=True):  # the 7's bar ends at the divider
        assert max(abs(a - b) for a, b in zip(box, alone, strict=True)) <= PEN


def comb(pen: ImageDraw.ImageDraw) -> None:
    """A form's printed comb under three cells: a base line, a short tick at each cell's side."""
    pen.line([(30, 90), (220, 90)], fill=0, width=2)
    for x in (30, 90, 155, 220):
        pen.line([(x, 42), (x, 90)], fill=0, width=2)  # as tall as 0.7 of a digit


def test_a_printed_combs_ticks_come_off_with_its_line() -> None:
    strokes = (one(50), seven(110), zero(170))
    plain = blob_boxes(canvas(240, *strokes))

    assert blob_boxes(canvas(240, comb, *strokes)) == plain  # no tick read as a 1


def test_upright_ones_standing_on_an_underline_are_no_ticks() -> None:
    def upright(x: int) -> Callable[[ImageDraw.ImageDraw], None]:
        return lambda pen: pen.line([(x, 18), (x, 86)], fill=0, width=PEN)  # a solid bar

    strokes = (upright(50), upright(110), zero(170))
    plain = blob_boxes(canvas(240, *strokes))

    def underline(pen: ImageDraw.ImageDraw) -> None:
        pen.line([(20, 88), (230, 88)], fill=0, width=3)  # the digits stand on it

    found = blob_boxes(canvas(240, underline, *strokes))

    assert len(found) == len(plain) == 3  # the 1s stay
    for box, alone in zip(found, plain, strict=True):
        assert max(abs(a - b) for a, b in zip(box, alone, strict=True)) <= PEN
