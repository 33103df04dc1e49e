"""Tests for wedges.py: the desk past a sheet's slanting edge is painted out; strokes and
even bands at the edge are not."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing import preprocess_bytes
from model_core.preprocessing.wedges import paper_past_wedges
from tests.model_core.preprocessing.helpers import correlation, ink_page, png


def _page(rng: np.random.Generator) -> np.ndarray:
    """(120, 160) float32 paper at 0.85 with a little noise and a dark stroke in the middle."""
    page = 0.85 + 0.01 * rng.standard_normal((120, 160), dtype=np.float32)
    page[40:80, 75:80] = 0.1
    return page


def _wedge(page: np.ndarray, deepest: int) -> np.ndarray:
    """The desk above the sheet's top edge, which slants from `deepest` px at the right corner
    to nothing at the left (a view: `page` is changed)."""
    columns = np.arange(page.shape[1])
    depth = np.round(deepest * columns / (page.shape[1] - 1)).astype(int)  # (w,)
    page[np.arange(page.shape[0])[:, None] < depth] = 0.3
    return depth


@pytest.mark.parametrize("deepest", [20, 3])  # a wedge, and a thin one (a slight angle)
def test_the_desk_past_a_slanting_edge_is_painted_as_paper(deepest: int) -> None:
    page = _page(np.random.default_rng(0))
    _wedge(page, deepest)
    painted = paper_past_wedges(page)
    assert painted is not None
    assert painted[:deepest].min() > 0.8  # the wedge is paper now
    assert np.array_equal(painted[40:80, 75:80], page[40:80, 75:80])  # the stroke is kept


def test_the_desk_in_a_turned_sheets_corner_is_painted_as_paper() -> None:
    page = _page(np.random.default_rng(2))
    for column in range(24):  # from 8 px at the left corner to nothing, then paper
        page[: 8 - column // 3, column] = 0.3
    for column in range(150, 160):  # at the right, the next side's wedge, steep along this one
        page[: 6 * (column - 149), column] = 0.3
    painted = paper_past_wedges(page)
    assert painted is not None
    assert painted[:8, :24].min() > 0.8


@pytest.mark.parametrize(
    "kind", ["clean", "band", "stroke", "bar", "across", "dark-mode", "no-paper-beyond"]
)
def test_what_is_no_wedge_is_left_alone(kind: str) -> None:
    page = _page(np.random.default_rng(1))
    if kind == "band":  # as deep all along: an edge band, edges.py's
        page[:12] = 0.3
    elif kind == "stroke":  # a tight crop's slanting bar, touching the edge at one end only
        for row in range(10):
            page[row, 100 + 3 * row : 130 + 3 * row] = 0.1
    elif kind == "bar":  # a tight crop's bar along the edge from a corner, 4 to 3 px deep
        for column in range(80):
            page[: 4 - column // 40, column] = 0.1
    elif kind == "across":  # a bold stroke leaving by the corner at a shallow angle: it
        rows, columns = np.mgrid[0:40, 0:100]  # touches the edge for 25 px, then goes on
        page[:40, :100][np.abs(rows - columns / 6) <= 4] = 0.1
    elif kind == "dark-mode":  # light strokes on dark paper: nothing darker than the paper
        page = 1 - page
    elif kind == "no-paper-beyond":  # a dark thing along the edge, more ink beyond it
        _wedge(page, 20)
        page[20:30] = 0.3
    assert paper_past_wedges(page) is None


def test_a_digit_on_a_sheet_seen_at_an_angle_reads_like_one_on_a_flat_sheet(
    digit: np.ndarray,
) -> None:
    page = ink_page(digit).astype(np.float32) * (200 / 255)  # (280, 280) grey paper
    page = np.pad(page, 140, constant_values=200)  # (560, 560) the digit a third as tall
    plain = preprocess_bytes(png(page.astype(np.uint8)))
    for row, depth in enumerate(np.linspace(60, 0, 560).round().astype(int)):
        page[row, :depth] = page[row, 560 - depth :] = 70  # its top edge seen further: the
        # desk down both sides, 60 px deep at the top, none at the bottom
    angled = preprocess_bytes(png(page.astype(np.uint8)))
    assert correlation(angled.image, plain.image) > 0.98
