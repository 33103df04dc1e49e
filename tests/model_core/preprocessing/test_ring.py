"""ring.py: a loop drawn round the digit is found as a piece; a 0 and its neighbours are not;
the digit inside is boxed without what lies outside the ring."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model_core.preprocessing import normalize_digit
from model_core.preprocessing.box import ink_box
from model_core.preprocessing.ring import ring_round


def drawn(*shapes: tuple[str, tuple[float, ...]], size: int = 100) -> np.ndarray:
    """(size, size) bool ink cut to its box: each shape an ("ellipse" | "arc" | "line", xy)."""
    page = Image.new("1", (size, size), 0)
    draw = ImageDraw.Draw(page)
    for kind, xy in shapes:
        if kind == "ellipse":
            draw.ellipse(xy, outline=1, width=3)
        elif kind == "arc":
            draw.arc(xy, 40, 350, fill=1, width=3)  # open on the right
        else:
            draw.line(xy, fill=1, width=4)
    mask = np.asarray(page, dtype=bool)
    return ink_box(mask).crop(mask)


SEVEN = [("line", (35, 30, 65, 30)), ("line", (65, 30, 45, 72))]


def test_a_circle_round_a_seven_is_the_ring_and_nothing_of_the_seven_is() -> None:
    ink = drawn(("ellipse", (5, 5, 95, 95)), *SEVEN)
    ring = ring_round(ink)
    assert ring is not None
    assert ring[:, 0].any() and ring[:, -1].any() and ring[0].any() and ring[-1].any()
    seven = ink & ~ring
    assert ink_box(seven).height > 35  # the 7 is all there
    assert not ring[25:70, 33:68].any()  # and the ring holds none of it


def test_a_loop_left_open_still_counts() -> None:
    ring = ring_round(drawn(("arc", (5, 5, 95, 95)), *SEVEN))
    assert ring is not None


def test_a_zero_alone_or_with_a_speck_inside_is_no_ring() -> None:
    assert ring_round(drawn(("ellipse", (20, 5, 80, 95)))) is None
    assert ring_round(drawn(("ellipse", (20, 5, 80, 95)), ("line", (50, 50, 51, 50)))) is None


def test_ink_beside_the_loop_means_it_rounds_nothing_alone() -> None:
    beside = ("line", (2, 10, 2, 90))  # a stroke left of the loop, outside it
    assert ring_round(drawn(("ellipse", (10, 5, 95, 95)), *SEVEN, beside)) is None


def test_an_eight_and_a_six_are_no_rings() -> None:
    eight = drawn(("ellipse", (30, 5, 70, 50)), ("ellipse", (25, 48, 75, 95)))
    six = drawn(("ellipse", (25, 45, 75, 95)), ("line", (30, 70, 55, 5)))
    assert ring_round(eight) is None
    assert ring_round(six) is None


def test_strokes_across_the_loops_middle_make_it_touching_digits_not_a_ring() -> None:
    inside = ("line", (15, 30, 30, 70))  # a piece apart, held in the loop's left half
    assert ring_round(drawn(("ellipse", (5, 5, 95, 95)), inside)) is not None
    across = [("line", (55, 5, 55, 95)), ("line", (62, 5, 90, 95))]  # joined to the loop
    assert ring_round(drawn(("ellipse", (5, 5, 95, 95)), inside, *across)) is None


def test_a_circled_digits_box_leaves_out_specks_outside_the_circle() -> None:
    """normalize_digit: once the ring is off, the digit's box is looked for inside the ring's
    box, not among specks beyond it (a plot's tick labels, its frame taken for a ring)."""
    page = Image.new("L", (300, 300), 255)
    draw = ImageDraw.Draw(page)
    draw.ellipse((60, 60, 240, 240), outline=0, width=6)
    draw.line((115, 100, 185, 100), fill=0, width=10)  # a 7
    draw.line((185, 100, 140, 200), fill=0, width=10)
    for y in (70, 150, 230):
        draw.rectangle((20, y, 26, y + 6), fill=0)  # small marks to the left, apart
    _, info = normalize_digit(np.asarray(page, dtype=np.float32) / 255)
    left, top, right, bottom = info["bbox"]
    assert left >= 100 and right <= 200 and top >= 90 and bottom <= 210, info["bbox"]
