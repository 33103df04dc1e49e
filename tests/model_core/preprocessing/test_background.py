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
