"""Tests for corners.py: the light wedges an editor fills when it turns a picture are painted
the picture's paper; dark ones, canvases, photos and bands along whole edges are let through."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from model_core.preprocessing.corners import unfill_corners
from model_core.preprocessing.normalize import normalize_digit


def photo_of_a_seven(rng: np.random.Generator) -> np.ndarray:
    """(160, 160) grey paper with sensor noise, a dark "7" in its middle."""
    image = 0.75 + 0.02 * rng.standard_normal((160, 160))  # (160, 160)
    image[50:58, 50:110] = 0.15  # the 7's bar
    image[58:115, 98:106] = 0.15  # its stem
    return np.clip(image, 0, 1).astype(np.float32)


def turned(image: np.ndarray, degrees: float, fill: float) -> np.ndarray:
    """`image` turned as an editor turns it: the canvas widened, the corners filled."""
    picture = Image.fromarray(image, mode="F")
    out = picture.rotate(degrees, Image.Resampling.BILINEAR, expand=True, fillcolor=fill)
    return np.asarray(out)


@pytest.mark.parametrize(("degrees", "fill"), [(10, 1.0), (-8, 0.95), (15, 1.0)])
def test_light_corners_are_painted_the_pictures_paper(degrees: float, fill: float) -> None:
    photo = photo_of_a_seven(np.random.default_rng(0))
    image = turned(photo, degrees, fill)

    painted = unfill_corners(image)

    assert painted is not None and painted.shape == image.shape
    for corner in (painted[:6, :6], painted[:6, -6:], painted[-6:, :6], painted[-6:, -6:]):
        assert np.allclose(corner, 0.75, atol=0.05)  # the paper's level, not the fill's
    middle = (slice(60, -60), slice(60, -60))
    assert np.array_equal(painted[middle], image[middle])  # the picture itself untouched


def test_a_turned_photo_on_white_is_read_as_its_digit_not_as_a_block_of_ink() -> None:
    photo = photo_of_a_seven(np.random.default_rng(1))
    on_paper, _ = normalize_digit(turned(photo, 10, 0.75))  # corners filled with its paper

    digit, info = normalize_digit(turned(photo, 10, 1.0))

    left, top, right, bottom = info["bbox"]
    assert right - left < 90 and bottom - top < 90  # the 7, not the turned photo (185 px)
    assert np.abs(digit - on_paper).mean() < 0.02  # the same 28x28 digit


def test_dark_corners_and_a_near_white_scan_are_left_as_they_are() -> None:
    photo = photo_of_a_seven(np.random.default_rng(3))
    assert unfill_corners(turned(photo, 10, 0.0)) is None  # a desk: the sheet stages' business
    scan = np.clip(photo + 0.18, 0, 1)  # paper at 0.93: white corners barely lighter
    assert unfill_corners(turned(scan, 10, 1.0)) is None


def test_canvases_photos_and_bands_are_let_through() -> None:
    canvas = np.ones((120, 120), np.float32)
    canvas[40:80, 55:62] = 0.0  # a "1" on white: every edge is paper
    assert unfill_corners(canvas) is None
    photo = photo_of_a_seven(np.random.default_rng(2))  # corners of different levels
    assert unfill_corners(photo) is None
    letterboxed = photo.copy()
    letterboxed[:12], letterboxed[-12:] = 0.0, 0.0  # black bars along whole edges
    assert unfill_corners(letterboxed) is None
    tiny = turned(photo[:20, :20], 10, 1.0)  # too small for wedges worth the name
    assert unfill_corners(tiny) is None
