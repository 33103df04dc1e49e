"""Lanczos resizing with kept weights gives Pillow's resize, to within 1e-6."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from model_core.preprocessing.frame import REDUCING_GAP, fit_box
from model_core.preprocessing.resample import lanczos_resize, lanczos_weights


def pillow(image: np.ndarray, size: tuple[int, int], gap: float | None = None) -> np.ndarray:
    """(h, w) float32 -> (height, width) = `size` by Pillow's Lanczos resize."""
    resized = Image.fromarray(image, "F").resize(
        (size[1], size[0]), Image.Resampling.LANCZOS, reducing_gap=gap
    )
    return np.asarray(resized)


@pytest.mark.parametrize("seed", range(4))
def test_lanczos_resize_equals_pillows_shrinking_and_stretching(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(50):
        image = rng.random(tuple(rng.integers(1, 120, 2)), dtype=np.float32)  # (h, w)
        size = (int(rng.integers(1, 90)), int(rng.integers(1, 90)))
        np.testing.assert_allclose(lanczos_resize(image, size), pillow(image, size), atol=1e-6)


def test_an_unchanged_side_is_left_as_it_is() -> None:
    image = np.random.default_rng(0).random((30, 17), dtype=np.float32)  # (h, w)
    assert np.array_equal(lanczos_resize(image, (30, 17)), image)
    np.testing.assert_allclose(lanczos_resize(image, (12, 17)), pillow(image, (12, 17)), atol=1e-6)


def test_the_weights_of_each_output_pixel_sum_to_one_and_are_kept() -> None:
    weights = lanczos_weights(95, 20)  # (20, 95)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
    assert lanczos_weights(95, 20) is weights and not weights.flags.writeable


@pytest.mark.parametrize("box", [20, 80])
def test_fit_box_is_pillows_resize_with_its_reducing_gap(box: int) -> None:
    rng = np.random.default_rng(box)
    for _ in range(60):
        crop = rng.random(tuple(rng.integers(1, 700, 2)), dtype=np.float32)  # (h, w) big or small
        fitted = fit_box(crop, box)
        expected = np.clip(pillow(crop, fitted.shape, REDUCING_GAP), 0.0, 1.0)
        assert max(fitted.shape) == box
        np.testing.assert_allclose(fitted, expected, atol=1e-6)
