"""Tests for rules.py (lined and graph paper), on synthetic ink and on real digits on a page."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing import preprocess_bytes
from model_core.preprocessing.levels import InkLevels
from model_core.preprocessing.rules import page_rules, rule_floor
from tests.model_core.preprocessing.helpers import correlation, ink_page, png

SIDE = 160
LINE = 0.3  # rules' level on paper-free ink, strokes at 1
LEVELS = InkLevels(paper=0.0, sigma=0.01, peak=1.0)


def blob(ink: np.ndarray) -> np.ndarray:
    """A stroke-level ring (an "0") in the middle of `ink`."""
    rows, columns = np.ogrid[: ink.shape[0], : ink.shape[1]]
    radius = np.hypot(rows - ink.shape[0] / 2, (columns - ink.shape[1] / 2) * 1.5)
    return np.maximum(ink, ((radius > 30) & (radius < 40)).astype(np.float32))


def lined(spacing: int = 16, start: int = 5, columns: tuple[int, ...] = ()) -> np.ndarray:
    ink = np.zeros((SIDE, SIDE), dtype=np.float32)  # (160, 160) paper at 0
    ink[start::spacing] = LINE
    for column in columns:
        ink[:, column] = LINE
    return blob(ink)


def test_evenly_spaced_rules_across_the_rows_are_found_above_their_level() -> None:
    across_rows, across_columns = page_rules(lined(), LEVELS)
    assert across_rows is not None and LINE < across_rows < 0.6
    assert across_columns is None


def test_graph_paper_has_rules_both_ways() -> None:
    ink = lined()
    ink[:, 7::16] = LINE
    across_rows, across_columns = page_rules(blob(ink), LEVELS)
    assert across_rows is not None and across_columns is not None


def test_a_margin_line_across_the_rules_counts_as_one() -> None:
    across_rows, across_columns = page_rules(lined(columns=(20,)), LEVELS)
    assert across_rows is not None and across_columns is not None
    margin_only = np.zeros((SIDE, SIDE), dtype=np.float32)
    margin_only[:, 20] = LINE
    assert page_rules(blob(margin_only), LEVELS) == (None, None)  # not ruled paper


@pytest.mark.parametrize(
    "ink",
    [
        lined(spacing=70, start=40),  # two rules: could be a digit's bars
        np.where(np.arange(SIDE)[:, None] % 16 == 0, 0.8, 0.0) * np.ones(SIDE, np.float32),
        blob(np.zeros((SIDE, SIDE), np.float32)),
    ],
    ids=["two lines", "as strong as strokes", "no lines"],
)
def test_no_rules_without_three_faint_evenly_spaced_lines(ink: np.ndarray) -> None:
    assert page_rules(ink.astype(np.float32), LEVELS) == (None, None)


def test_uneven_lines_are_not_rules() -> None:
    ink = np.zeros((SIDE, SIDE), dtype=np.float32)
    ink[[10, 22, 60, 67, 130]] = LINE
    assert page_rules(blob(ink), LEVELS) == (None, None)


def test_a_tight_crop_of_bars_is_not_ruled() -> None:
    """A digit cut to its strokes: its bars cross the crop, but they are the strokes."""
    ink = np.zeros((60, 40), dtype=np.float32)
    ink[[2, 3, 29, 30, 56, 57]] = 1.0  # three bars of a blocky "3" or "E", edge to edge
    ink[:, 36:39] = 1.0
    assert page_rules(ink, LEVELS) == (None, None)


def test_rule_floor_reads_any_rule_in_a_band() -> None:
    band = np.zeros((30, SIDE), dtype=np.float32)
    band[12] = LINE
    band[5:25, 70:80] = 1.0  # a stroke crossing the band
    floor = rule_floor(band, 0, LEVELS)
    assert floor is not None and LINE < floor < 0.6
    assert rule_floor(band, 1, LEVELS) is None  # nothing runs down its columns


def paper_pages(
    digit: np.ndarray, rng: np.random.Generator, grid: bool, light: float = 0.0, blank: int = 0
) -> list[np.ndarray]:
    """Two (300, 300, 3) uint8 pages with the digit at the same place: white paper with blue
    rules every 20-28 px and a red margin (lined, dark ink) or a blue grid (graph, pencil),
    and plain paper; `light` dims both from left to right by up to that share; the rules
    leave the first `blank` rows and columns unprinted (a sheet's margin)."""
    ink = 1 - ink_page(digit, scale=6).astype(np.float32) / 255  # (168, 168) coverage
    page = np.zeros((300, 300, 1), dtype=np.float32)
    top, left = (int(v) for v in rng.integers(30, 300 - 168 - 30, size=2))
    page[top : top + 168, left : left + 168, 0] = ink
    plain = np.full((300, 300, 3), 245.0, dtype=np.float32)
    ruled = plain.copy()
    step, offset = int(rng.integers(20, 29)), int(rng.integers(0, 20))
    printed = ruled[blank:, blank:]  # (300 - blank, 300 - blank, 3) a view
    printed[offset::step] = [150, 180, 230]
    if grid:
        printed[:, offset::step] = [150, 180, 230]
    else:
        ruled[:, 40:42] = [230, 120, 120]
    pen = 110.0 if grid else 25.0  # pencil on graph paper, ink on lined
    dim = 1 - light * np.linspace(0, 1, 300, dtype=np.float32)[None, :, None]  # (1, 300, 1)
    pages = [(paper * (1 - page) + pen * page) * dim for paper in (ruled, plain)]
    return [np.round(page).astype(np.uint8) for page in pages]


@pytest.mark.parametrize(
    ("grid", "light", "blank"),
    [(False, 0.0, 0), (True, 0.0, 0), (True, 0.3, 0), (True, 0.0, 45)],
    ids=["lined", "graph", "graph under uneven light", "graph with unprinted margins"],
)
def test_digits_on_lined_and_graph_paper_read_as_on_plain_paper(
    digits: np.ndarray, grid: bool, light: float, blank: int
) -> None:
    """Under uneven light a grid's level changes across the page: each rule comes off at its
    own row's level, so no part of the grid is left across the digit's image. Rules that
    leave a sheet's margins unprinted span less than the whole photo, and are found too."""
    rng = np.random.default_rng(7)
    scores = []
    for digit in digits[:30]:
        pages = paper_pages(digit, rng, grid, light, blank)
        ruled, plain = (preprocess_bytes(png(page)) for page in pages)
        left, top, right, bottom = ruled.bbox
        assert right - left < 250 and bottom - top < 250, ruled.bbox  # not the whole page
        scores.append(correlation(ruled.image, plain.image))
    assert np.median(scores) > 0.9 and min(scores) > 0.6, sorted(scores)[:5]  # off: ~0.2
