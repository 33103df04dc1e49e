"""Printed bars (a barcode, stripes) are no number; handwritten 1s are."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model_core.number.bars import printed_bars
from model_core.number.candidates import line_blobs
from model_core.number.reader import read_line
from tests.model_core.number.stand_ins import threes


def bars(widths: list[int], lower: int = 0) -> np.ndarray:
    """(90, W) grayscale on [0, 1]: black bars of `widths` 8 px apart, rows 10 to 80; the
    last one's bottom `lower` px higher."""
    gray = np.ones((90, sum(widths) + 8 * len(widths) + 40), dtype=np.float32)
    left = 20
    for k, width in enumerate(widths):
        gray[10 : 80 - (lower if k == len(widths) - 1 else 0), left : left + width] = 0.0
        left += width + 8
    return gray


def ones(tops: list[int]) -> np.ndarray:
    """(90, W) grayscale: upright strokes with a pen's round ends, from `tops` to row 80."""
    image = Image.new("L", (40 * len(tops) + 40, 90), 255)
    pen = ImageDraw.Draw(image)
    for k, top in enumerate(tops):
        x = 30 + 40 * k
        pen.line([(x, top), (x, 80)], fill=0, width=7)
        for y in (top, 80):
            pen.ellipse([x - 3.5, y - 3.5, x + 3.5, y + 3.5], fill=0)
    return np.asarray(image, dtype=np.float32) / 255


def test_a_barcodes_bars_are_printed_and_every_digit_read_in_it_is_flagged() -> None:
    gray = bars([6, 12, 6, 18, 6])
    assert printed_bars(line_blobs(gray, 20))
    reading = read_line(gray, threes)
    assert len(reading.digits) == 5 and all(digit.unseen for digit in reading.digits)


def test_handwritten_ones_and_uneven_bars_are_no_barcode() -> None:
    assert not printed_bars(line_blobs(ones([10, 12, 9]), 20))  # round ends, uneven tops
    assert not printed_bars(line_blobs(ones([10, 10, 10]), 20))  # round ends
    assert not printed_bars(line_blobs(bars([6, 12, 6], lower=4), 20))  # one bar shorter
    assert not printed_bars(line_blobs(bars([6, 12]), 20))  # two bars
    assert not any(digit.unseen for digit in read_line(ones([10, 12, 9]), threes).digits)
