"""Tests for creases.py: faint lines from the picture's edges kept under the ink cut-off."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.creases import ABOVE, above_creases
from model_core.preprocessing.levels import InkLevels

LEVELS = InkLevels(paper=0.0, sigma=0.01, peak=1.0)  # cut-off at 0.2 of the contrast


def _page(crease: float = 0.0) -> np.ndarray:
    """(80, 100) light-on-dark ink: a ring (a 0) in the middle, and a crease of level
    `crease` from the left edge to the bottom edge, touching the ring."""
    rows, columns = np.mgrid[0:80, 0:100]
    radius = np.hypot((rows - 40) / 1.4, columns - 50)
    ink = ((radius > 10) & (radius < 15)).astype(np.float32)
    on_line = np.abs(rows - (20 + 0.8 * columns)) < 1.0  # (80, 100) a slanted line
    return np.maximum(ink, crease * on_line)


def test_a_faint_line_from_the_edges_goes_under_the_cut_off() -> None:
    page = _page(crease=0.3)
    assert np.count_nonzero((page > LEVELS.low) & (page < 0.5)) > 40  # the crease is ink
    raised = above_creases(page, LEVELS)
    assert raised is not None
    assert raised.low == pytest.approx(ABOVE * 0.3)
    mask = page > raised.low
    assert np.array_equal(mask, _page() > LEVELS.low)  # the ring whole, the crease gone


def test_no_crease_no_change() -> None:
    assert above_creases(_page(), LEVELS) is None  # nothing at the edges
    assert above_creases(_page(crease=0.15), LEVELS) is None  # under the cut-off already


@pytest.mark.parametrize("level", [0.6, 1.0])
def test_a_line_as_dark_as_the_pen_is_no_crease(level: float) -> None:
    assert above_creases(_page(crease=level), LEVELS) is None  # a stroke, or a pen at the side


def test_strokes_that_reach_the_edges_are_left_alone() -> None:
    page = _page(crease=0.3)
    page[:, 48:51] = np.maximum(page[:, 48:51], 1.0)  # a strong stroke from top to bottom
    assert above_creases(page, LEVELS) is None  # a tight crop: its faint parts may be strokes
