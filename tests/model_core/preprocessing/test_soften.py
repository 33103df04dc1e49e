"""Tests for soften.py: hard-edged digits get MNIST's grey edges, soft ones are left alone."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model_core.preprocessing import preprocess_array, preprocess_bytes
from model_core.preprocessing.soften import FULL, GREY_SHARE, INK, SIGMA, soften
from tests.upload_styles import encode


def _grey_share(image: np.ndarray) -> float:
    ink = image > INK
    return np.count_nonzero(ink & (image < FULL)) / np.count_nonzero(ink)


def test_a_hard_edged_digit_is_blurred_by_the_gaussian() -> None:
    bar = np.zeros((28, 28), dtype=np.float32)
    bar[4:24, 13:15] = 1.0  # a 1 as a block of whole pixels: no grey at all
    taps = np.exp(-(np.arange(-3, 4) ** 2) / (2 * SIGMA**2))  # (7,) wider than soften's reach
    rows = np.apply_along_axis(np.convolve, 0, bar, taps, mode="same")  # (28, 28)
    expected = np.apply_along_axis(np.convolve, 1, rows, taps, mode="same")  # (28, 28)
    softened = soften(bar)
    assert softened.dtype == np.float32 and softened.max() == np.float32(1)
    np.testing.assert_allclose(softened, expected / expected.max(), atol=1e-3)
    assert _grey_share(softened) >= GREY_SHARE
    assert bar.max() == 1 and np.count_nonzero(bar) == 40  # the input is left as it was


def test_digits_with_grey_edges_and_blank_images_are_left_alone(digits: np.ndarray) -> None:
    for digit in digits[:50]:
        image = digit.astype(np.float32) / 255
        assert soften(image) is image
    blank = np.zeros((28, 28), dtype=np.float32)
    assert soften(blank) is blank


def test_a_digit_drawn_without_anti_aliasing_is_normalised_with_grey_edges(
    digits: np.ndarray,
) -> None:
    for digit in digits[:20]:
        hard = np.where(digit > 127, 255, 0).astype(np.uint8)  # (28, 28) thresholded
        image = preprocess_array(hard).image
        assert _grey_share(image) >= GREY_SHARE
        assert np.corrcoef(image.ravel(), digit.ravel())[0, 1] > 0.8  # the same digit


def test_a_straight_vertical_stroke_is_normalised_with_grey_edges() -> None:
    canvas = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(canvas).line([(140, 40), (140, 240)], fill=0, width=18)  # its sides on whole
    image = preprocess_bytes(encode(canvas, "PNG")).image  # pixels of the 20x20 box
    assert _grey_share(image) >= GREY_SHARE
