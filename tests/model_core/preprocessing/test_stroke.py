"""Tests for stroke.py: stroke width estimation and thickening of thin pen strokes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from model_core.preprocessing import preprocess_bytes
from model_core.preprocessing.stroke import dilate, stroke_width
from tests.model_core.preprocessing.helpers import correlation
from tests.upload_styles import encode


def test_thin_pen_strokes_are_thickened_to_mnist_width(digits: np.ndarray) -> None:
    mnist_widths = [stroke_width(digit / 255) for digit in digits]
    canvas = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(canvas).line([(70, 50), (200, 50), (120, 240)], fill=0, width=3)  # a "7"
    result = preprocess_bytes(encode(canvas, "PNG"))
    assert stroke_width(result.image) >= np.quantile(mnist_widths, 0.05)
    assert correlation(result.image, digits[0]) > 0.5  # still the same kind of "7"


@pytest.mark.parametrize("width", [1, 2, 3, 5])
def test_stroke_width_estimate_and_dilation(width: int) -> None:
    bars = np.zeros((20, 20), dtype=np.float32)
    bars[2:18, 4 : 4 + width] = 1.0
    bars[2 : 2 + width, 4:16] = 1.0  # an "L" of two strokes
    assert stroke_width(bars) == pytest.approx(width, rel=0.25)
    grown = dilate(bars, 2)
    assert grown.shape == (24, 24)
    assert stroke_width(grown) == pytest.approx(width + 4, rel=0.25)
