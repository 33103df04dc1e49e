"""Tests for normalize.py: polarity, MNIST-like inputs, digit boxes, empty images."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from model_core.preprocessing import (
    EmptyImageError,
    normalize_digit,
    preprocess_array,
    preprocess_bytes,
)
from tests.model_core.preprocessing.helpers import SEED, assert_valid, correlation, ink_page, png
from tests.upload_styles import encode


def test_raw_mnist_arrays_and_inverted_scans_come_through_unchanged(digits: np.ndarray) -> None:
    for digit in digits[:50]:
        assert np.abs(preprocess_array(digit).image - digit / 255).mean() < 0.03
        inverted = preprocess_bytes(png(255 - digit))
        assert inverted.inverted
        assert np.abs(inverted.image - digit / 255).mean() < 0.03


def test_small_digit_in_a_corner_is_found_and_boxed(digit: np.ndarray) -> None:
    page = np.full((400, 640), 250, dtype=np.uint8)
    small = np.asarray(Image.fromarray(255 - digit).resize((56, 56), Image.Resampling.BICUBIC))
    page[330:386, 560:616] = small  # bottom-right corner
    result = preprocess_bytes(png(page))
    rows = np.flatnonzero((small < 200).any(axis=1))
    columns = np.flatnonzero((small < 200).any(axis=0))
    expected = (560 + columns[0], 330 + rows[0], 560 + columns[-1] + 1, 330 + rows[-1] + 1)
    assert np.abs(np.subtract(result.bbox, expected)).max() <= 3
    assert result.inverted and (result.width, result.height) == (640, 400)
    assert correlation(result.image, digit) > 0.85


@pytest.mark.parametrize(
    "image",
    [
        Image.new("L", (100, 80), 255),
        Image.new("L", (100, 80), 0),
        Image.new("RGB", (120, 90), (90, 140, 200)),
        Image.new("RGBA", (100, 100), (0, 0, 0, 0)),
        Image.new("RGBA", (100, 100), (255, 255, 255, 0)),
        Image.new("L", (1, 1), 0),
        Image.new("L", (1, 1), 255),
        Image.new("L", (10_000, 1), 40),
    ],
    ids=[
        "white",
        "black",
        "uniform-colour",
        "transparent",
        "white-transparent",
        "1x1-black",
        "1x1-white",
        "10000x1",
    ],
)
def test_images_without_a_digit_are_empty(image: Image.Image) -> None:
    with pytest.raises(EmptyImageError, match="no digit found in the image"):
        preprocess_bytes(encode(image, "PNG"))


@pytest.mark.parametrize("kind", ["uniform", "gaussian", "blurred-jpeg", "salt"])
def test_pure_noise_is_empty(kind: str) -> None:
    rng = np.random.default_rng([SEED, len(kind)])
    if kind == "uniform":
        pixels = rng.integers(0, 256, (200, 200))
    elif kind == "salt":
        pixels = np.where(rng.random((200, 200)) < 0.01, 255, 0)
    else:
        pixels = np.clip(rng.normal(128, 25, (300, 300)), 0, 255)
    image = Image.fromarray(pixels.astype(np.uint8))
    if kind == "blurred-jpeg":
        data = encode(image.filter(ImageFilter.GaussianBlur(1.5)), "JPEG", quality=70)
    else:
        data = encode(image, "PNG")
    with pytest.raises(EmptyImageError):
        preprocess_bytes(data)


@pytest.mark.parametrize("size", [(10_000, 1), (1, 10_000), (2, 3), (3000, 2)])
def test_extremely_thin_images_do_not_crash(size: tuple[int, int]) -> None:
    rng = np.random.default_rng([SEED, *size])
    pixels = np.full(size[::-1], 255, dtype=np.uint8)
    pixels.flat[rng.integers(0, pixels.size, 5)] = 0
    with contextlib.suppress(EmptyImageError):  # either outcome is fine; a crash is not
        assert_valid(preprocess_bytes(png(pixels)))


def test_normalize_digit_returns_image_and_info(digit: np.ndarray) -> None:
    page = ink_page(digit) / 255.0
    image, info = normalize_digit(page)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert info["inverted"] is True
    left, top, right, bottom = info["bbox"]
    ink = np.argwhere(page < 0.5)  # (K, 2) rows, columns
    assert left <= ink[:, 1].min() and right > ink[:, 1].max()
    assert top <= ink[:, 0].min() and bottom > ink[:, 0].max()
    with pytest.raises(EmptyImageError):
        normalize_digit(np.full((50, 40), 0.3))


@pytest.mark.parametrize("paper", ["clean", "photo"])
def test_a_circle_round_the_digit_comes_off(digits: np.ndarray, paper: str) -> None:
    rng = np.random.default_rng(SEED)
    for digit in digits[:10]:
        page = Image.new("L", (400, 400), 255)
        page.paste(Image.fromarray(ink_page(digit)), (60, 60))  # the ink page at 60..340
        ImageDraw.Draw(page).ellipse((15, 25, 385, 380), outline=0, width=6)
        gray = np.asarray(page, dtype=np.float32)  # (400, 400)
        if paper == "photo":
            gray = gray * 0.7 + 40 + rng.normal(0, 6, gray.shape) + np.linspace(0, 30, 400)
        result = preprocess_bytes(png(np.clip(gray, 0, 255).astype(np.uint8)))
        plain = preprocess_bytes(png(ink_page(digit)))
        assert correlation(result.image, plain.image) > 0.8  # 0.55 at most with the circle in
        left, top, right, bottom = result.bbox
        assert left >= 60 and top >= 60 and right <= 340 and bottom <= 340


@pytest.mark.parametrize("other", ["pen", "toolbar"])
def test_something_else_in_the_picture_apart_from_the_digit_is_left_out(
    digits: np.ndarray, other: str
) -> None:
    rng = np.random.default_rng(SEED)
    for digit in digits[:10]:
        page = np.full((400, 400), 255.0)
        page[110:390, 100:380] = ink_page(digit)  # the digit's 280 px page, ink 30 px in
        if other == "pen":  # lying along the left side of a photographed sheet
            page[20:300, :22] = 30
            page = page * 0.7 + 40 + rng.normal(0, 6, page.shape) + np.linspace(0, 30, 400)
        else:  # a screenshot of a drawing app: a grey strip of buttons along the top
            page[:50] = 230
            for left in range(10, 370, 45):
                page[10:40, left : left + 30] = 120
                page[17:33, left + 7 : left + 23] = 250
        result = preprocess_bytes(png(np.clip(page, 0, 255).astype(np.uint8)))
        plain = preprocess_bytes(png(ink_page(digit)))
        assert correlation(result.image, plain.image) > 0.8
        left, top, _, _ = result.bbox
        assert left >= 100 and top >= 110


def test_a_picture_one_8_bit_level_deep_is_refused_saying_why(digit: np.ndarray) -> None:
    one_step = (digit > 127).astype(np.float32) / 255  # (28, 28) a [0, 1] array saved as 8 bits
    with pytest.raises(EmptyImageError, match="multiply it by 255"):
        normalize_digit(one_step)
    for blank in (np.full((28, 28), 0.5, np.float32), 1 - one_step):  # uniform, near white
        with pytest.raises(EmptyImageError, match=r"^no digit found in the image$"):
            normalize_digit(blank)  # the plain refusal
