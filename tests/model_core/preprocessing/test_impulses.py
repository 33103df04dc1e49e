"""Tests for impulses.py: specks come off small noisy pictures, clean ones are left alone."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from model_core.preprocessing.impulses import SMALL_SIDE, TINY_SIDE, without_impulses
from tests.samples import eight_by_eight


def _salted(image: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """(h, w) float32 with `share` of its pixels set to 1 and as many to 0, at random."""
    noisy = image.copy()
    draw = rng.random(image.shape)  # (h, w)
    noisy[draw < share] = 1.0
    noisy[draw > 1 - share] = 0.0
    return noisy


def test_clean_inverted_and_two_level_digits_are_left_alone(digits: np.ndarray) -> None:
    for digit in digits[:60]:
        image = digit.astype(np.float32) / 255
        for clean in (image, 1 - image, (image > 0.5).astype(np.float32)):
            assert without_impulses(clean) is clean


def test_a_salted_digit_is_median_filtered(digits: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    image = digits[0].astype(np.float32) / 255
    noisy = _salted(image, 0.03, rng)
    as_bytes = Image.fromarray(np.round(noisy * 255).astype(np.uint8))
    expected = np.asarray(as_bytes.filter(ImageFilter.MedianFilter(3)), np.float32) / 255
    cleaned = without_impulses(noisy)
    np.testing.assert_allclose(cleaned[1:-1, 1:-1], expected[1:-1, 1:-1], atol=1 / 255)
    assert np.abs(cleaned - image).mean() < 0.5 * np.abs(noisy - image).mean()


def test_a_larger_picture_is_left_to_the_later_stages() -> None:
    rng = np.random.default_rng(6)
    side = SMALL_SIDE + 1
    noisy = _salted(np.zeros((side, 3 * side), np.float32), 0.05, rng)
    assert without_impulses(noisy) is noisy
    small = noisy[:, :SMALL_SIDE]  # (SMALL_SIDE + 1, SMALL_SIDE): small enough
    assert without_impulses(small) is not small


def test_a_tiny_picture_keeps_its_strokes_a_pixel_wide(digits: np.ndarray) -> None:
    """An 8x8 digit's one-pixel strokes stand out like specks; a median would erase them."""
    for digit in digits[:20]:
        tiny = eight_by_eight(digit).astype(np.float32) / 255  # (8, 8)
        assert without_impulses(tiny) is tiny
    rng = np.random.default_rng(7)
    noisy = _salted(np.zeros((TINY_SIDE, TINY_SIDE), np.float32), 0.05, rng)
    assert without_impulses(noisy) is not noisy
    smaller = noisy[:-1]  # (TINY_SIDE - 1, TINY_SIDE): tiny
    assert without_impulses(smaller) is smaller
