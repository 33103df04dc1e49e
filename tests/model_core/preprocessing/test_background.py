"""Tests for background.py: removing the rendered paper level from an image."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.background import Background


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
