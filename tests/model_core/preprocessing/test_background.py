"""Tests for background.py: removing the rendered paper level from an image."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.background import Background, fit_background


@pytest.mark.parametrize(
    "coefficients",
    [
        [0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0.3, 0.1, -0.05, 0.02, 0.01, -0.03, 0, 0, 0, 0],
        [0.3, 0.1, -0.05, 0.02, 0.01, -0.03, 0.04, -0.02, 0.03, 0.01],
    ],
    ids=["flat", "quadratic", "cubic"],
)
def test_background_remove_subtracts_the_rendered_paper(coefficients: list[float]) -> None:
    background = Background(np.array(coefficients), size=(120, 90))
    image = np.random.default_rng(1).random((30, 20), dtype=np.float32)  # factor 3, from (12, 6)
    expected = image - background.render(12, 6, image.shape, 3)
    removed = background.remove(image, 12, 6, 3)
    assert removed.dtype == np.float32
    np.testing.assert_allclose(removed, expected, atol=1e-6)


def test_strokes_over_most_of_the_edge_do_not_lift_the_paper_level() -> None:
    rng = np.random.default_rng(3)
    ink = 0.1 + 0.01 * rng.standard_normal((160, 160), dtype=np.float32)  # paper at 0.1
    ink[:, np.arange(160) % 10 < 6] = 0.9  # strokes cover 60% of every block, the edge ones too
    paper = fit_background(ink, ink.shape, 1).render(0, 0, ink.shape, 1)  # (160, 160)
    assert np.abs(paper - 0.1).max() < 0.03


@pytest.mark.parametrize("angle", np.linspace(0, 2 * np.pi, 8, endpoint=False))
def test_a_gradient_under_a_vignette_comes_off_to_the_corners(angle: float) -> None:
    """A phone's light: a gradient across the page times a vignette, on blank paper. The
    product has cubic terms, which a quadratic would leave in at the corners (0.046 to 0.051
    of the range, as much as faint pencil's contrast)."""
    ys, xs = np.mgrid[0:160, 0:160].astype(np.float32) / 159 - 0.5  # (2, 160, 160)
    gradient = 1 + 0.6 * (np.cos(angle) * xs + np.sin(angle) * ys)
    vignette = 1 - 0.5 * (xs**2 + ys**2)
    ink = (1 - 0.9 * 0.95 * gradient * vignette).astype(np.float32)  # paper turned light-on-dark
    paper = fit_background(ink, ink.shape, 1).render(0, 0, ink.shape, 1)  # (160, 160)
    assert np.abs(ink - paper).max() < 0.025


@pytest.mark.parametrize("side", [16, 20, 28])
def test_the_light_across_a_picture_as_small_as_a_raw_digit_comes_off(side: int) -> None:
    """A digit photographed under uneven light and shrunk to MNIST's size: one flat level
    left the lit side as ink (a 28x28 one read wrong about one time in two, run G)."""
    ys, xs = np.mgrid[0:side, 0:side].astype(np.float32) / (side - 1)  # (2, side, side)
    ink = 0.1 + 0.25 * (0.8 * xs + 0.6 * ys)  # light-on-dark paper, darker to one corner
    ink[side // 4 : -side // 4, side // 2 - 1 : side // 2 + 1] = 0.9  # a stroke down the middle
    paper = fit_background(ink, ink.shape, 1).render(0, 0, ink.shape, 1)  # (side, side)
    away = np.ones(ink.shape, dtype=bool)
    away[:, side // 2 - 2 : side // 2 + 2] = False  # the paper, a pixel clear of the stroke
    assert np.abs(ink - paper)[away].max() < 0.03
