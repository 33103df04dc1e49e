"""Tests for grayscale.py: every Pillow mode, 16-bit, CMYK, palettes and alpha to unit grey."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from model_core.preprocessing import decode_image, preprocess_array, preprocess_bytes
from model_core.preprocessing.grayscale import colour_channel
from tests.model_core.preprocessing.helpers import correlation, ink_page, png
from tests.upload_styles import encode


def test_sixteen_bit_png_is_scaled_not_clipped(digit: np.ndarray) -> None:
    page = ink_page(digit).astype(np.uint16) * 257  # (280, 280) 0..65535
    data = encode(Image.fromarray(page), "PNG")
    decoded = decode_image(data)
    assert decoded.mode == "I;16"
    assert np.abs(decoded.gray - page / 65535).max() < 1e-5
    eight_bit = preprocess_bytes(png(ink_page(digit))).image
    assert np.abs(preprocess_bytes(data).image - eight_bit).max() < 0.02


def test_sixteen_bit_png_of_eight_bit_values_reads_them_as_eight_bit(digit: np.ndarray) -> None:
    page = ink_page(digit).astype(np.uint16)  # (280, 280) 0..255 in a 16-bit file
    decoded = decode_image(encode(Image.fromarray(page), "PNG"))
    assert decoded.mode == "I;16"
    assert np.abs(decoded.gray - page / 255).max() < 1e-5


def test_cmyk_jpeg_matches_the_grey_jpeg(digit: np.ndarray) -> None:
    grey = Image.fromarray(ink_page(digit))
    cmyk = preprocess_bytes(encode(grey.convert("CMYK"), "JPEG", quality=95))
    assert cmyk.mode == "CMYK" and cmyk.inverted
    reference = preprocess_bytes(encode(grey, "JPEG", quality=95)).image
    assert correlation(cmyk.image, reference) > 0.97


def test_palette_png_with_transparency(digit: np.ndarray) -> None:
    strokes = Image.fromarray(ink_page(digit)).convert("P")  # black on white
    white = next(i for i, c in enumerate(strokes.getpalette()[::3]) if c == 255)
    result = preprocess_bytes(encode(strokes, "PNG", transparency=white))
    assert result.had_alpha and result.mode == "P"
    assert correlation(result.image, digit) > 0.85


def coloured(digit: np.ndarray, ink: tuple[int, ...], paper: tuple[int, ...]) -> np.ndarray:
    """(280, 280, C) uint8: the digit in colour `ink` on colour `paper`."""
    coverage = (255 - ink_page(digit))[:, :, None] / 255.0  # (280, 280, 1) ink in [0, 1]
    return np.round(np.array(paper) + coverage * (np.array(ink) - np.array(paper))).astype(np.uint8)


# red ink on green paper and blue on grey of nearly its luma; yellow ink on white paper
HUES = [((230, 40, 40), (40, 140, 40)), ((40, 60, 230), (80, 80, 80)), ((255, 255, 0), (255,) * 3)]


@pytest.mark.parametrize("opaque_alpha", [False, True], ids=["RGB", "opaque-RGBA"])
@pytest.mark.parametrize(("ink", "paper"), HUES, ids=["red-on-green", "blue-on-grey", "yellow"])
def test_ink_that_differs_from_the_paper_in_hue_alone_is_read(
    digit: np.ndarray, ink: tuple[int, ...], paper: tuple[int, ...], opaque_alpha: bool
) -> None:
    page = coloured(digit, ink + (255,) * opaque_alpha, paper + (255,) * opaque_alpha)
    assert correlation(preprocess_bytes(png(page)).image, digit) > 0.85
    assert correlation(preprocess_array(page).image, digit) > 0.85


def test_colour_channel_reads_luma_wherever_it_shows_the_ink() -> None:
    grey, paper_white = [(0.0, 1.0)] * 3, (1.0, 1.0)
    assert colour_channel(grey, (0.0, 1.0)) is None
    green_ink = [(0.0, 1.0), paper_white, (0.0, 1.0)]  # (0, 255, 0) on white: luma 0.41 apart
    assert colour_channel(green_ink, (0.587, 1.0)) is None
    yellow_ink = [paper_white, paper_white, (0.0, 1.0)]  # (255, 255, 0) on white: 0.11 apart
    assert colour_channel(yellow_ink, (0.886, 1.0)) == 2
    red_on_green = [(0.16, 0.9), (0.16, 0.55), (0.16, 0.16)]  # luma 0.02 apart
    assert colour_channel(red_on_green, (0.38, 0.40)) == 0


@pytest.mark.parametrize("ink", [0, 255], ids=["black-strokes", "white-strokes"])
def test_strokes_on_a_transparent_canvas_survive(digit: np.ndarray, ink: int) -> None:
    alpha = 255 - ink_page(digit)  # opaque where the strokes are
    rgba = np.zeros((280, 280, 4), dtype=np.uint8)  # transparent pixels are (0, 0, 0, 0)
    rgba[:, :, :3] = ink
    rgba[:, :, 3] = alpha
    result = preprocess_bytes(encode(Image.fromarray(rgba), "PNG"))
    assert result.had_alpha
    assert correlation(result.image, digit) > 0.85


def test_opaque_rgba_behaves_like_rgb(digit: np.ndarray) -> None:
    rgb = Image.fromarray(ink_page(digit)).convert("RGB")
    as_rgb = preprocess_bytes(encode(rgb, "PNG"))
    as_rgba = preprocess_bytes(encode(rgb.convert("RGBA"), "PNG"))
    np.testing.assert_array_equal(as_rgba.image, as_rgb.image)
    assert as_rgba.had_alpha and not as_rgb.had_alpha


def test_grey_with_alpha(digit: np.ndarray) -> None:
    alpha = Image.fromarray(255 - ink_page(digit))
    la = Image.merge("LA", [Image.new("L", alpha.size, 20), alpha])
    assert correlation(preprocess_bytes(encode(la, "PNG")).image, digit) > 0.85


@pytest.mark.parametrize(
    "mode",
    ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "LAB", "I;16", "I;16B", "I", "F"],
)
def test_every_mode_becomes_unit_grayscale(digit: np.ndarray, mode: str) -> None:
    source = Image.fromarray(ink_page(digit, scale=4))  # (112, 112) black on white
    if mode in ("I;16", "I;16B", "I", "F"):
        scale = {"I;16": 257, "I;16B": 257, "I": 1000, "F": 1 / 255}[mode]
        dtype = {"I;16": "<u2", "I;16B": ">u2", "I": np.int32, "F": np.float32}[mode]
        image = Image.fromarray((np.asarray(source, dtype=np.float64) * scale).astype(dtype))
    else:
        image = source.convert(mode)
    decoded = decode_image(encode(image, "TIFF"))
    assert decoded.mode == mode and decoded.format == "TIFF"
    assert decoded.gray.dtype == np.float32 and decoded.gray.shape == (112, 112)
    assert decoded.gray.min() >= 0.0 and decoded.gray.max() <= 1.0
    assert correlation(preprocess_bytes(encode(image, "TIFF")).image, digit) > 0.85
