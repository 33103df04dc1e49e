"""Tests for deskew.py: shearing digits upright from their second moments."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.deskew import MAX_SLOPE, deskew


def _moments(image: np.ndarray) -> tuple[float, float, float, float]:
    """(centre row, centre column, var(y), cov(x, y)) of the ink, in float64 loops' terms."""
    ys, xs = np.mgrid[0:28, 0:28]
    mass = image.sum()
    cy, cx = (image * ys).sum() / mass, (image * xs).sum() / mass
    var_y = (image * (ys - cy) ** 2).sum() / mass
    return cy, cx, var_y, (image * (ys - cy) * (xs - cx)).sum() / mass


def _reference(image: np.ndarray) -> np.ndarray:
    """The definition, pixel by pixel: row y reads x + slope * (y - cy), linearly, 0 outside."""
    cy, _, var_y, cov = _moments(image.astype(np.float64))
    slope = float(np.clip(cov / var_y, -MAX_SLOPE, MAX_SLOPE)) if var_y > 1e-3 else 0.0
    out = np.zeros((28, 28))
    for y in range(28):
        for x in range(28):
            source = x + slope * (y - cy)
            left = int(np.floor(source))
            frac = source - left
            for column, weight in ((left, 1 - frac), (left + 1, frac)):
                if 0 <= column < 28:
                    out[y, x] += weight * image[y, column]
    return out


def _slanted_bar(slope: float, width: float = 1.5) -> np.ndarray:
    """A bar from row 4 to row 23 leaning by `slope` pixels per row, antialiased."""
    ys, xs = np.mgrid[0:28, 0:28].astype(np.float32)
    centre = 13.5 + slope * (ys - 13.5)
    image = np.clip(width - np.abs(xs - centre), 0, 1)
    image[:4], image[24:] = 0, 0
    return image.astype(np.float32)


def test_deskew_matches_the_pixel_by_pixel_definition(digits: np.ndarray) -> None:
    images = digits[:40].astype(np.float32) / 255
    out = deskew(images)
    assert out.shape == images.shape and out.dtype == np.float32
    for image, got in zip(images, out, strict=True):
        np.testing.assert_allclose(got, _reference(image), atol=1e-4)  # float32 moments


def test_deskewed_digits_have_no_slant_and_keep_their_centre(digits: np.ndarray) -> None:
    images = digits[:200].astype(np.float32) / 255
    before = np.array([_moments(image) for image in images])
    after = np.array([_moments(image) for image in deskew(images)])
    slants = np.abs(before[:, 3] / before[:, 2])
    assert np.median(slants) > 0.1  # real digits lean
    moved = np.abs(after[:, 1] - before[:, 1])  # the centre column
    clipped = (slants > MAX_SLOPE) | (moved > 0.5)  # ink sheared past the edge is lost
    assert clipped.sum() <= 2
    np.testing.assert_allclose(after[~clipped, 3] / after[~clipped, 2], 0, atol=0.02)
    np.testing.assert_allclose(after[~clipped, :2], before[~clipped, :2], atol=0.05)


@pytest.mark.parametrize("slope", [-0.6, -0.25, 0.3, 0.7])
def test_a_leaning_bar_stands_upright(slope: float) -> None:
    bar = _slanted_bar(slope)
    [upright] = deskew(bar[np.newaxis])
    np.testing.assert_allclose(upright, _slanted_bar(0.0), atol=0.35)  # interpolation blur
    width_before = (bar[4:24] > 0.5).sum(axis=0).astype(bool).sum()  # columns the bar crosses
    width_after = (upright[4:24] > 0.5).sum(axis=0).astype(bool).sum()
    assert width_after <= 3 < width_before


def test_upright_blank_and_flat_images_come_back_unchanged() -> None:
    upright = _slanted_bar(0.0)
    blank = np.zeros((28, 28), np.float32)
    flat = np.zeros((28, 28), np.float32)
    flat[14, 5:20] = 1.0  # a horizontal stroke: no height, no slant to measure
    out = deskew(np.stack([upright, blank, flat]))
    np.testing.assert_allclose(out, np.stack([upright, blank, flat]), atol=1e-6)
    assert deskew(np.zeros((0, 28, 28), np.float32)).shape == (0, 28, 28)


def test_large_batches_give_what_single_images_give(digits: np.ndarray) -> None:
    images = np.concatenate([digits, digits[::-1]]).astype(np.float32) / 255  # over one chunk
    whole = deskew(images)
    for i in (0, 255, 256, len(images) - 1):
        np.testing.assert_array_equal(whole[i], deskew(images[i : i + 1])[0])
