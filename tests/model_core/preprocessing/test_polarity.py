"""Tests for polarity.py: dark ink on light paper, or light ink on dark, whatever the light."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.polarity import is_dark_on_light, pooled_light


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


def _pool(strength: float, size: int = 140) -> np.ndarray:
    """(size, size) light falling from 1 in a pool off the middle to 1 - strength at the edges
    (a spotlight, a phone's flash held close)."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
    distance = (ys - 0.45 * size) ** 2 + (xs - 0.55 * size) ** 2  # (size, size) squared
    return 1 - strength + strength * np.exp(-distance / (2 * (0.25 * size) ** 2))


def _seven(size: int = 140) -> np.ndarray:
    strokes = np.zeros((size, size), dtype=np.float32)
    strokes[30:37, 35:95] = strokes[30:110, 80:88] = 1  # a 7, a pen's width, over the pool
    return strokes


@pytest.mark.parametrize("strength", [0.55, 0.65])
def test_dark_strokes_under_a_pool_of_light_are_the_ink(strength: float) -> None:
    """The pool rises as far above the paper at the border as the strokes fall below it; it
    fades softly where strokes end sharply."""
    page = (0.85 - 0.75 * _seven()) * _pool(strength)  # (140, 140)
    paper = np.median(page[:4])  # the top rows: paper at the border
    assert page.max() - paper > paper - page.min()  # the pool rises further than the ink falls
    assert is_dark_on_light(page)
    assert not is_dark_on_light((0.15 + 0.75 * _seven()) * _pool(strength))  # light ink, same pool


def test_light_strokes_on_dark_paper_with_darker_patches_stay_light_ink() -> None:
    """Dark patches as deep as the strokes are light, but sharp: the light is strokes."""
    page = 0.3 + 0.6 * _seven()  # (140, 140) light ink on grey-dark paper
    page[100:130, 10:40] = 0.0  # a black patch with sharp edges
    assert not is_dark_on_light(page)


def test_light_reaching_the_pictures_edge_is_no_pool() -> None:
    """A sky brightening down to the horizon fades as softly as a pool of light, but it runs
    to the picture's edges: no paper lies all round it."""
    ys = np.linspace(0, 1, 140, dtype=np.float32)[:, None]  # (140, 1)
    sky = np.broadcast_to(0.45 + 0.5 * ys, (140, 140)).copy()  # (140, 140)
    sky[90:] = 0.15  # dark hills below the horizon, a sharp edge
    page = (0.85 - 0.75 * _seven()) * _pool(0.6)
    assert pooled_light(page) and not pooled_light(sky)
