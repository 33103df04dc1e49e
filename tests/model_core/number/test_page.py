"""The ink of a line of digits found in a picture (model_core/number/page.py)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model_core.number.page import ink_page
from model_core.preprocessing.box import ink_box


def test_a_small_number_in_a_big_picture_keeps_a_thin_digit_at_its_end() -> None:
    image = Image.new("L", (1200, 900), 255)  # a number 16 px tall in a big picture
    pen = ImageDraw.Draw(image)
    pen.ellipse([600, 400, 611, 416], outline=0, width=2)  # a 0
    pen.line([(620, 400), (631, 400), (624, 416)], fill=0, width=2)  # a 7
    pen.line([(656, 400), (654, 416)], fill=0, width=1)  # a 1 in a thin pen, a gap before it
    page = ink_page(np.asarray(image, dtype=np.float32) / 255)
    found = page.to_input(ink_box(page.mask))
    assert page.factor == 1  # read again from a crop at full resolution
    assert (found.left, found.right) == (600, 657)  # the 1, which the reduced copy loses, too
