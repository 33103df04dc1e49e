"""Tests for shading.py and the polarity under a shadow: a shadow cast across the page is paper."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

import model_core.preprocessing.shading as shading
from model_core.preprocessing import preprocess_bytes
from model_core.preprocessing.background import Background, fit_background
from model_core.preprocessing.shading import PaperMap, paper_map, remove_paper
from model_core.preprocessing.stats import border
from tests.model_core.preprocessing.helpers import correlation, ink_page, png


def _shadowed_ink(rng: np.random.Generator) -> np.ndarray:
    """(140, 140) light-on-dark ink: paper 0.1, a shadow step to 0.5 over the left 60%,
    strokes 8 px wide at 0.95 in the lit and the shadowed part, a little noise."""
    ink = np.full((140, 140), 0.1, dtype=np.float32)
    ink[:, :84] = 0.5  # the shadow: a plateau with a sharp edge
    ink[30:110, 50:58] = ink[30:38, 50:100] = ink[102:110, 50:100] = 0.95  # strokes
    return ink + 0.005 * rng.standard_normal(ink.shape, dtype=np.float32)


def test_the_map_keeps_the_shadow_step_and_leaves_the_strokes_out() -> None:
    ink = _shadowed_ink(np.random.default_rng(0))
    levels = paper_map(ink, ink.shape, 1, relight=False).levels  # (140, 140)
    assert np.abs(levels[:, :80] - 0.5).max() < 0.03  # the shadow, up to its edge
    assert np.abs(levels[:, 88:] - 0.1).max() < 0.03  # the lit paper, strokes gone
    residual = ink - levels
    assert residual[30:110, 50:58].min() > 0.4 and residual[30:38, 90:100].min() > 0.8


def test_a_shadow_whose_edge_meets_the_border_at_a_slant_leaves_no_wedge_of_ink() -> None:
    rows, columns = np.mgrid[0:140, 0:140]
    ink = np.where(rows < 0.3 * columns + 10, 0.5, 0.1).astype(np.float32)  # thin at the left
    levels = paper_map(ink, ink.shape, 1, relight=False).levels  # (140, 140)
    assert np.abs(ink - levels).max() < 0.05


def test_dark_ink_in_the_shadow_gets_the_contrast_of_the_lit_ink() -> None:
    gray = np.full((140, 140), 0.9, dtype=np.float32)  # light paper, dark strokes
    gray[30:110, 20:28] = gray[30:110, 110:118] = 0.1  # one stroke in the shadow, one lit
    gray[:, :84] *= 0.4  # the shadow dims paper and ink alike
    ink = 1 - gray  # (140, 140) the light-on-dark negative
    removed = paper_map(ink, ink.shape, 1, relight=True).remove(ink, 0, 0, 1)
    np.testing.assert_allclose(removed[30:110, 20:28], removed[30:110, 110:118], atol=1e-5)
    assert removed[30:110, 110:118].min() == pytest.approx(0.8, abs=1e-5)
    assert np.abs(removed[:, 40:70]).max() < 1e-5  # the shadowed paper is paper


def test_the_map_is_read_at_the_nearest_pixel_on_a_finer_grid() -> None:
    levels = np.arange(12, dtype=np.float32).reshape(3, 4)  # (3, 4), 4 full pixels each
    paper = PaperMap(levels, np.ones_like(levels), size=(12, 16), factor=4)
    fine = np.zeros((6, 8), dtype=np.float32)  # factor 2 from full pixel (0, 0)
    expected = -np.repeat(np.repeat(levels, 2, axis=0), 2, axis=1)
    np.testing.assert_array_equal(paper.remove(fine, 0, 0, 2), expected)
    np.testing.assert_array_equal(paper.remove(fine[:2, :2], 4, 8, 2), np.full((2, 2), -6.0))


def test_a_shadow_on_the_edge_gets_a_map() -> None:
    ink = _shadowed_ink(np.random.default_rng(1))
    paper, free = remove_paper(ink, ink.shape, 1, relight=True)
    assert isinstance(paper, PaperMap)
    np.testing.assert_array_equal(free, paper.remove(ink, 0, 0, 1))


def test_a_shadow_the_fit_follows_along_the_edge_gets_a_map() -> None:
    """A line of digits (a wide, short picture) with a soft shadow over a corner: the cubic fit
    bends with it along the edge (the edge's tenths under SHADE_TAILS), not inside, where the
    step is left as ink; the plateau a quarter's opening keeps shows it."""
    rows, columns = np.mgrid[0:90, 0:300].astype(np.float32)
    into = (rows - 0.6 * columns + 40) / np.hypot(1, 0.6)  # px into the shadow, bottom left
    ink = 0.1 + 0.35 / (1 + np.exp(-into / 6))  # (90, 300) light-on-dark: paper 0.1 to 0.45
    for left in (40, 110, 180, 250):  # four strokes with a bar, 5 px wide
        ink[20:70, left : left + 5] = ink[20:25, left : left + 25] = 0.95
    ink += 0.005 * np.random.default_rng(5).standard_normal(ink.shape, dtype=np.float32)
    fitted = fit_background(ink, ink.shape, 1).remove(ink, 0, 0, 1)
    assert shading._tails(border(fitted)) <= shading.SHADE_TAILS  # the edge looks even
    paper, free = remove_paper(ink, ink.shape, 1, relight=True)
    assert isinstance(paper, PaperMap)
    shadowed = (into > 18) & (ink < 0.9)
    assert np.abs(fitted[shadowed]).max() > 0.15 and np.abs(free[shadowed]).max() < 0.1
    assert free[20:70, 40:45].min() > 0.8 and free[20:70, 250:255].min() > 0.8


def test_a_bold_stroke_wider_than_a_quarter_is_no_plateau() -> None:
    """A tight crop of a bold 1, its stroke 26 px wide of 64, softer at its sides: a quarter's
    opening (16 px) keeps its middle, which is no shadow; the fitted paper stays."""
    ink = np.full((160, 64), 0.1, dtype=np.float32)
    middle = 0.95 - 0.25 * np.abs(np.arange(18, 44, dtype=np.float32) - 31) / 13  # (26,)
    ink[4:156, 18:44] = middle
    ink += 0.005 * np.random.default_rng(6).standard_normal(ink.shape, dtype=np.float32)
    paper, free = remove_paper(ink, ink.shape, 1, relight=True)
    assert isinstance(paper, Background)
    assert free[4:156, 18:44].min() > 0.5


def test_a_narrow_band_of_shadow_gets_a_narrower_window() -> None:
    """A finger's shadow 32 px wide down a 140 px page: a quarter's window (35 px) takes it
    for strokes, a sixth's (23 px) keeps it as paper and still leaves the 8 px strokes out."""
    rng = np.random.default_rng(3)
    ink = np.full((140, 140), 0.1, dtype=np.float32)  # light-on-dark: paper at 0.1
    ink[:, 96:128] = 0.5  # the band of shadow, down the whole page
    ink[30:110, 30:38] = ink[30:38, 30:80] = ink[102:110, 30:80] = 0.95  # strokes beside it
    ink += 0.005 * rng.standard_normal(ink.shape, dtype=np.float32)
    paper, free = remove_paper(ink, ink.shape, 1, relight=True)
    assert isinstance(paper, PaperMap)
    assert np.abs(free[:, 90:135]).max() < 0.1  # the band (0.4 over the paper) is paper
    assert free[30:110, 30:38].min() > 0.8 and free[30:38, 40:80].min() > 0.8


def test_no_window_under_twice_the_strokes_is_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strokes 26 px wide on a 140 px page: windows of a sixth and an eighth (23 and 17 px)
    would keep their middles in the map as paper, so only a quarter's (35 px) is tried."""
    shares: list[int] = []

    def recorded(
        ink: np.ndarray, size: tuple[int, int], factor: int, relight: bool, share: int
    ) -> PaperMap:
        shares.append(share)
        return paper_map(ink, size, factor, relight, share)

    monkeypatch.setattr(shading, "paper_map", recorded)
    rng = np.random.default_rng(4)
    ink = np.full((140, 140), 0.1, dtype=np.float32)
    ink[:, :30] = 0.5  # the shadow, along the left edge
    ink[20:120, 50:76] = ink[20:46, 50:125] = ink[94:120, 50:125] = 0.95  # a bold "C"
    ink += 0.005 * rng.standard_normal(ink.shape, dtype=np.float32)
    remove_paper(ink, ink.shape, 1, relight=True)
    assert shares == [4]
    thin = _shadowed_ink(rng)  # strokes 8 px wide: every window is tried
    remove_paper(thin, thin.shape, 1, relight=True)
    assert shares == [4, 4, 6, 8]


@pytest.mark.parametrize("kind", ["even paper", "strokes over the edge", "thick strokes"])
def test_what_is_not_a_shadow_keeps_the_fitted_paper(kind: str) -> None:
    rng = np.random.default_rng(2)
    ink = 0.1 + 0.005 * rng.standard_normal((140, 140), dtype=np.float32)
    if kind == "strokes over the edge":  # a tight crop: thin strokes run off every side
        ink[:, 20:30] = ink[:, 110:120] = ink[60:70] = 0.9
    elif kind == "thick strokes":  # strokes wider than the window are as high as the ink
        ink[:, :45] = ink[:, 95:] = 0.9
        ink[60:70] = 0.9
    paper, free = remove_paper(ink, ink.shape, 1, relight=True)
    assert isinstance(paper, Background)
    np.testing.assert_array_equal(free, paper.remove(ink, 0, 0, 1))


@pytest.mark.parametrize("edge", [0.5, 6.0])  # a sharp shadow, and a soft one
def test_a_shadowed_photo_reads_like_the_evenly_lit_page(digit: np.ndarray, edge: float) -> None:
    page = ink_page(digit).astype(np.float32) * 0.9  # (280, 280) black on light grey
    xs = np.arange(280, dtype=np.float64)  # float64: exp(218) does not overflow
    shade = 1 - 0.6 / (1 + np.exp((xs - 170) / edge))  # the left 60% in a deep shadow
    shadowed = Image.fromarray(np.uint8(np.round(page * shade))).filter(ImageFilter.BoxBlur(1))
    plain = preprocess_bytes(png(np.uint8(np.round(page))))
    result = preprocess_bytes(png(np.asarray(shadowed)))
    assert result.inverted
    assert correlation(result.image, plain.image) > 0.95
    assert np.abs(np.subtract(result.bbox, plain.bbox)).max() <= 4


@pytest.mark.parametrize("across", [False, True])  # beside the digit, and over it
def test_a_photo_under_a_finger_s_shadow_reads_like_the_evenly_lit_page(
    digit: np.ndarray, across: bool
) -> None:
    page = ink_page(digit).astype(np.float32) * 0.9  # (280, 280) black on light grey
    rows, columns = np.mgrid[0:280, 0:280].astype(np.float64)
    start = 110 if across else 20  # a band 60 px wide, slanting down the page
    distance = columns + 0.3 * rows - start
    inside = 1 / (1 + np.exp(-distance / 3)) - 1 / (1 + np.exp(-(distance - 60) / 3))
    shaded = Image.fromarray(np.uint8(np.round(page * (1 - 0.5 * inside))))
    plain = preprocess_bytes(png(np.uint8(np.round(page))))
    result = preprocess_bytes(png(np.asarray(shaded.filter(ImageFilter.BoxBlur(1)))))
    assert correlation(result.image, plain.image) > 0.9
    assert np.abs(np.subtract(result.bbox, plain.bbox)).max() <= 6
