"""Tests for polarity.py: dark ink on light paper, or light ink on dark, whatever the light."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.polarity import is_dark_on_light


@pytest.mark.parametrize("depth", [0.35, 0.55])
@pytest.mark.parametrize("shadowed", [0.3, 0.8])  # the share of the image in the shadow
def test_polarity_holds_when_a_shadow_covers_the_border(depth: float, shadowed: float) -> None:
    page = np.full((140, 140), 0.9, dtype=np.float32)
    page[50:90, 60:68] = 0.1  # a dark stroke on light paper, in the shadow's reach
    shade = np.where(np.arange(140) < shadowed * 140, depth, 1.0).astype(np.float32)
    assert is_dark_on_light(page * shade)
    assert not is_dark_on_light((1 - page) * shade)  # light ink on dark paper, same shadow


@pytest.mark.parametrize("vignette", [0.35, 0.5])
@pytest.mark.parametrize("angle", np.pi / 4 + np.pi / 2 * np.arange(4))  # toward a corner
def test_faint_ink_under_uneven_light_keeps_its_polarity(angle: float, vignette: float) -> None:
    """A phone's light, a gradient across the page times a vignette, lights the middle of the
    page above its border and dims the corners below faint pencil (0.15 under the paper)."""
    ys, xs = np.mgrid[0:140, 0:140].astype(np.float32) / 139 - 0.5  # (2, 140, 140)
    gradient = 1 + 0.3 * (np.cos(angle) * xs + np.sin(angle) * ys)
    light = gradient * (1 - vignette * (xs**2 + ys**2))  # (140, 140)
    strokes = np.zeros((140, 140), dtype=np.float32)
    strokes[30:36, 40:80] = strokes[30:80, 60:68] = 1  # a 7, about as thick as a pen's
    assert is_dark_on_light((0.9 - 0.15 * strokes) * light)
    assert not is_dark_on_light((0.1 + 0.15 * strokes) * light)  # light ink on dark paper
