"""Cutting the digit out at the finer scale: the noise it is cut above."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from model_core.preprocessing import normalize_digit
from tests.model_core.preprocessing.helpers import SEED, correlation, ink_page


def _on_grained_paper(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(340, 340) float32: the digit in pencil on grained paper, photographed, small enough
    to be cut out from the input itself. The grain is a pixel or two across, so it averages
    down far less than white noise on a reduced copy; the lead catches on its raised part."""
    noise = np.uint8(np.clip(128 + 40 * rng.standard_normal((340, 340)), 0, 255))
    grain = np.asarray(Image.fromarray(noise).filter(ImageFilter.GaussianBlur(1.0)), np.float32)
    grain = (grain - grain.mean()) / grain.std()  # (340, 340) about unit variance
    cover = np.pad(1 - ink_page(digit, 6) / 255.0, 86)  # (340, 340) the digit 120 px tall
    paper = 0.88 * (1 + 0.05 * grain)
    picture = paper * (1 - 0.45 * cover * np.clip(0.6 + 0.5 * grain, 0, 1))
    blurred = Image.fromarray(np.uint8(np.clip(picture, 0, 1) * 255)).filter(
        ImageFilter.GaussianBlur(0.8)
    )
    return np.asarray(blurred, np.float32) / 255  # (340, 340)


def test_a_pencil_digit_on_grained_paper_is_cut_above_the_grain_not_refused(
    digits: np.ndarray,
) -> None:
    rng = np.random.default_rng(SEED)
    for digit in digits[:10]:
        image, _ = normalize_digit(_on_grained_paper(digit, rng))
        clean, _ = normalize_digit(ink_page(digit, 6) / np.float32(255))
        assert correlation(image, clean) > 0.75
