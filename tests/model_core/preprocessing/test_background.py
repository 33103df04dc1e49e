"""Tests for background.py: removing the rendered paper level from an image."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.background import Background, fit_background


@pytest.mark.parametrize(
    "coefficients",
    [[0.3, 0, 0, 0, 0, 0], [0.3, 0.1, -0.05, 0.02, 0.01, -0.03]],
    ids=["flat", "quadratic"],
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
