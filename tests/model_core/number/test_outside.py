"""Things in the picture that are no part of the number (at its edges, above or below the
number) come off its ink."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw

from model_core.number.candidates import line_blobs
from model_core.number.outside import heading_pieces
from model_core.preprocessing.box import Box
from model_core.preprocessing.components import label_pieces
from model_core.preprocessing.errors import SeveralLinesError
from tests.model_core.number.test_segmentation import one, seven, zero

Draw = Callable[[ImageDraw.ImageDraw], None]


def picture(width: int, height: int, *things: Draw) -> np.ndarray:
    """(height, width) grayscale on [0, 1]: a 1, a 7 and a 0 (rows 18 to about 83), and
    `things`, black on white."""
    image = Image.new("L", (width, height), 255)
    pen = ImageDraw.Draw(image)
    for draw in (one(60), seven(100), zero(180), *things):
        draw(pen)
    return np.asarray(image, dtype=np.float32) / 255


def blob_boxes(gray: np.ndarray) -> list[Box]:
    blobs = line_blobs(gray, 20)
    return [blobs.page.to_input(box) for box in blobs.boxes]


def test_a_pen_along_the_side_and_a_fingertip_on_the_bottom_edge_come_off() -> None:
    plain = blob_boxes(picture(240, 160))
    pen = blob_boxes(picture(240, 160, lambda d: d.rectangle([0, 0, 12, 120], fill=0)))
    finger = blob_boxes(picture(240, 160, lambda d: d.ellipse([90, 125, 170, 200], fill=90)))
    assert len(plain) == 3
    assert pen == plain
    assert finger == plain


def test_a_frames_side_ending_a_pixel_short_of_the_edge_comes_off() -> None:
    plain = blob_boxes(picture(240, 160))
    side = blob_boxes(picture(240, 160, lambda d: d.line([(226, 1), (226, 158)], fill=0, width=2)))
    assert side == plain


def test_a_digit_cut_by_the_frame_and_a_tight_crop_keep_every_digit() -> None:
    cut = picture(240, 160, lambda d: d.ellipse([222, 18, 258, 80], outline=0, width=7))
    assert len(blob_boxes(cut)) == 4  # a fourth digit, a 0, half in the picture
    speck = picture(240, 160, lambda d: d.ellipse([142, 46, 148, 52], fill=0))
    rows, columns = np.nonzero(speck < 0.5)
    tight = speck[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    assert len(blob_boxes(tight)) == 3  # the digits reach the edges; only a speck inside


def test_a_solid_thing_at_the_edge_comes_off_even_close_to_the_digits() -> None:
    plain = blob_boxes(picture(240, 160))
    block = blob_boxes(picture(240, 160, lambda d: d.rectangle([0, 15, 48, 85], fill=0)))
    assert block == plain  # as tall as the digits, on their line, a few pixels from the 1


def test_a_toolbar_above_the_number_comes_off_and_a_second_line_is_still_refused() -> None:
    plain = picture(240, 160)
    toolbar = np.ones((40, 240), dtype=np.float32)  # a drawing app's strip of buttons
    for left in range(10, 220, 40):
        toolbar[6:28, left : left + 22] = 0.0
        toolbar[10:24, left + 4 : left + 18] = 1.0
    boxes = blob_boxes(np.vstack([toolbar, plain]))
    assert [box.shifted(0, -40) for box in boxes] == blob_boxes(plain)
    with pytest.raises(SeveralLinesError):
        line_blobs(np.vstack([plain[:90], plain[10:]]), 20)  # the digits twice, one above


def test_a_phones_status_bar_far_above_the_number_comes_off() -> None:
    plain = picture(240, 100)
    screen = np.ones((560, 240), dtype=np.float32)  # a phone's screenshot, tall and narrow
    for k in range(4):
        screen[22 - 4 * k : 30, 170 + 7 * k : 175 + 7 * k] = 0.0  # the signal's bars
    screen[14:30, 202:230] = 0.0  # the battery
    screen[18:26, 205:222] = 1.0
    screen[230:330] = plain
    boxes = blob_boxes(screen)  # on a coarser page than the number alone: boxes a little wider
    assert len(boxes) == len(blob_boxes(plain)) == 3
    assert all(box.top >= 230 for box in boxes)


def test_a_strip_of_colour_buttons_below_the_number_comes_off() -> None:
    plain = picture(240, 100)
    palette = np.full((48, 240), 0.92, dtype=np.float32)  # a phone app's colours, below
    for k, left in enumerate(range(12, 210, 44)):
        palette[10:38, left : left + 28] = 0.15 + 0.12 * k
    assert blob_boxes(np.vstack([plain, palette])) == blob_boxes(plain)


def test_a_windows_title_and_its_toolbar_above_the_number_come_off_together() -> None:
    mask = np.zeros((120, 200), dtype=bool)
    for left in (5, 12, 19):
        mask[2:6, left : left + 5] = True  # the title's letters
    for left in range(5, 125, 20):
        mask[9:18, left : left + 12] = True  # the toolbar's buttons, three rows under it
    for left in (60, 100, 140):
        mask[60:100, left : left + 6] = True  # the number: three 1s
    _, pieces = label_pieces(mask)
    off = heading_pieces(mask, pieces)
    assert sorted(off) == sorted(p.label for p in pieces if p.box.bottom <= 18)
    mask[9:18] = False  # the title alone, close above the digits, stays
    mask[50:54, 5:24] = mask[2:6, 5:24]
    mask[2:6] = False
    _, pieces = label_pieces(mask)
    assert heading_pieces(mask, pieces) == []


def test_a_faint_ghost_comes_off_and_a_light_digit_stays() -> None:
    plain = blob_boxes(picture(240, 160))
    ghost = picture(240, 160, lambda d: d.line([(150, 18), (156, 80)], fill=190, width=7))
    light = picture(240, 160, lambda d: d.line([(150, 18), (156, 80)], fill=110, width=7))
    assert blob_boxes(ghost) == plain  # a stroke from the page's back, or rubbed out
    assert len(blob_boxes(light)) == 4  # pressed lighter, still written


def test_faint_digits_beside_a_black_speck_stay() -> None:
    faint = 1 - (1 - picture(240, 160)) * 0.25  # a number in faint pencil ...
    faint[120:125, 20:25] = 0.0  # ... and a black speck under it, the page's darkest ink
    assert len(blob_boxes(faint)) == 3


def test_faint_digits_in_a_dark_box_stay() -> None:
    faint = 1 - (1 - picture(240, 160)) * 0.25  # a number in faint pencil ...
    boxed = Image.fromarray(np.uint8(faint * 255))
    ImageDraw.Draw(boxed).rectangle([30, 6, 230, 100], outline=0, width=4)  # ... boxed in ink
    assert len(blob_boxes(np.asarray(boxed, dtype=np.float32) / 255)) == 3
