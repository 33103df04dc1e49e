"""Normalise a grayscale picture of one digit the way MNIST was made.

The digit is found on a reduced copy (dark bands along the edge cut off, polarity, paper level
under uneven light or a shadow, noise, the rules of lined or graph paper, box, a box drawn round
it left out), then cut out of the full-resolution image, its noise floor removed with a soft
ramp, fitted into 20x20 and centred by mass in 28x28 (frame.py). An input that is already
MNIST-like (28x28, digit spanning about 20 px, dark border) keeps its pixels and position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TypedDict

import numpy as np

from .background import Background
from .blocks import average2x2, reduce_image
from .box import Box, grid_box, ink_box, scale_box
from .edges import content_box
from .errors import EmptyImageError, InvalidImageError
from .frame import MNIST_BOX, MNIST_SIZE, fit_and_centre, place_by_mass
from .levels import InkLevels, measure, ramp
from .rules import page_rules, rule_floor
from .shading import PaperMap, remove_paper
from .sheet import uncover_sheet
from .stats import border, tenths

ANALYSIS_SIDE = 160  # the digit is looked for on a copy at most this many pixels wide and high
FINE_SIDE = 96  # it is then cut out at about this many pixels on its long side, or more
TWO_LEVELS = 0.1  # a tenth of the border this far from another tenth: two levels of paper
DECISIVE = 3.0  # ink beyond one level of paper this many times further than beyond the other
PAGE_SPAN = 0.9  # a digit box this share of the image's width or height may hold page rules


class DigitInfo(TypedDict):
    """What normalize_digit found, JSON-friendly."""

    inverted: bool  # the input had dark ink on a light background
    bbox: Box  # the digit's box in the input's pixels


@dataclass(frozen=True)
class _Analysis:
    """What the reduced copy told about the image."""

    factor: int  # full-resolution pixels per reduced pixel
    inverted: bool
    background: Background | PaperMap
    levels: InkLevels  # measured on the reduced copy
    rules: tuple[bool, bool] = (False, False)  # rules across the rows, the columns


def normalize_digit(gray: np.ndarray) -> tuple[np.ndarray, DigitInfo]:
    """(H, W) grayscale in [0, 1], any polarity -> ((28, 28) float32 light-on-dark, info)."""
    gray = _checked(gray)  # (H, W)
    factor = math.ceil(max(gray.shape) / ANALYSIS_SIDE)
    coarse = reduce_image(gray, factor)  # (h, w)
    content = content_box(coarse)  # without a frame or a table at the edge
    region = scale_box(content, factor, gray.shape)  # the same in the input's pixels
    coarse, gray = content.crop(coarse), region.crop(gray)  # views: all when nothing is cut
    if (sheet := uncover_sheet(coarse)) is not None:
        coarse = sheet  # a sheet on a darker desk: the desk painted out
    inverted = is_dark_on_light(coarse)
    ink = 1 - coarse if inverted else coarse  # (h, w) light strokes on dark paper
    background, ink = remove_paper(ink, gray.shape, factor, relight=inverted)  # paper near 0
    levels = measure(ink)
    if not levels.shows_ink():
        raise EmptyImageError()
    mask = ink > levels.low  # (h, w)
    if gray.shape == (MNIST_SIZE, MNIST_SIZE) and _fits_mnist_box(mask):  # factor is 1
        image, box = _keep_mnist_like(ink, levels)
    else:
        analysis = _Analysis(factor, inverted, background, levels)
        box = digit_box(mask)
        # Rules across the page would stretch the box: cut the ink above them, if there are any.
        if _spans_page(box, mask.shape) and (ruled := _above_rules(ink, analysis)) is not None:
            analysis, mask = ruled, ink > ruled.levels.low
            box = digit_box(mask)
        search = scale_box(_inside_outline(ink, mask, box), factor, gray.shape, margin=1)
        image, box = _cut_digit(gray, ink, search, analysis)
    return image, DigitInfo(inverted=inverted, bbox=box.shifted(region.left, region.top))


def is_dark_on_light(gray: np.ndarray) -> bool:
    """True when the content departs further below the paper than above it.

    The paper is the border's median. A border holding two levels (a shadow across the page,
    or strokes over a tight crop's edge) first asks what lies beyond both: ink in a shadow is
    darker than the shadowed paper, and light ink on dark paper is lighter than all of it.
    """
    edge = border(gray)
    smooth = average2x2(gray)  # single hot pixels do not decide
    lowest, highest = float(smooth.min()), float(smooth.max())
    low, paper, high = tenths(edge)
    if high - low > TWO_LEVELS:
        below, above = low - lowest, highest - high
        if max(below, above) >= max(TWO_LEVELS, DECISIVE * min(below, above)):
            return below > above
    return paper - lowest > highest - paper


def digit_box(mask: np.ndarray) -> Box:
    """The box of the ink in (H, W) `mask`, ignoring isolated specks."""
    solid = mask & (_neighbours(mask) >= 2)  # lone pixels and pairs are noise
    if not solid.any():
        raise EmptyImageError()
    around = scale_box(ink_box(solid), 1, mask.shape, margin=2)  # stroke ends the filter shaved
    return ink_box(around.crop(mask)).shifted(around.left, around.top)


def _inside_outline(ink: np.ndarray, mask: np.ndarray, box: Box) -> Box:
    """The digit's box inside a box drawn round it (a form's field), else `box` itself.

    Cut to all the ink, the image has the drawn box for a frame, which edges.py cuts off."""
    inner = content_box(1 - box.crop(ink))
    if (inner.height, inner.width) == (box.height, box.width):
        return box
    field = inner.shifted(box.left, box.top)
    try:
        digit = digit_box(field.crop(mask))
    except EmptyImageError:
        return box  # nothing inside: the outline is the digit (a "0" drawn square)
    return digit.shifted(field.left, field.top)


def _spans_page(box: Box, shape: tuple[int, int]) -> bool:
    return box.height >= PAGE_SPAN * shape[0] or box.width >= PAGE_SPAN * shape[1]


def _above_rules(ink: np.ndarray, analysis: _Analysis) -> _Analysis | None:
    """The analysis with its ink cut-off above the rules of lined or graph paper; None when
    (h, w) `ink` shows no rules."""
    levels = analysis.levels
    across_rows, across_columns = page_rules(ink, levels)
    floors = [floor for floor in (across_rows, across_columns) if floor is not None]
    if not floors:
        return None
    rules = (across_rows is not None, across_columns is not None)
    return replace(analysis, levels=replace(levels, rules=max(floors)), rules=rules)


def _cut_digit(
    gray: np.ndarray, coarse_ink: np.ndarray, search: Box, analysis: _Analysis
) -> tuple[np.ndarray, Box]:
    """Cut the digit out of (H, W) within full-resolution `search`; -> (28, 28), its box."""
    ink, factor = _fine_ink(gray, coarse_ink, search, analysis)  # (h, w)
    sigma = analysis.levels.sigma * analysis.factor / factor  # white noise: sigma ~ 1 / side
    levels = InkLevels(analysis.levels.paper, sigma, float(average2x2(ink).max()))
    if any(analysis.rules):
        levels = replace(levels, rules=_fine_rules(gray, search, factor, analysis, levels))
    inner = digit_box(ink > levels.low)
    strokes = ramp(inner.crop(ink), levels)  # (h', w')
    box = scale_box(inner, factor, (search.height, search.width)).shifted(search.left, search.top)
    return fit_and_centre(strokes), box


def _fine_ink(
    gray: np.ndarray, coarse_ink: np.ndarray, search: Box, analysis: _Analysis
) -> tuple[np.ndarray, int]:
    """Paper-free ink inside `search` at about FINE_SIDE px, and its reduction factor.

    A digit already that large on the reduced copy is sliced from it; a smaller one is cut
    from the full-resolution image, reduced less.
    """
    factor = min(analysis.factor, max(1, max(search.height, search.width) // FINE_SIDE))
    if factor == analysis.factor:  # search is aligned on the reduced grid
        return grid_box(search, factor).crop(coarse_ink), factor
    return _paper_free(gray, search, factor, analysis), factor


def _paper_free(gray: np.ndarray, box: Box, factor: int, analysis: _Analysis) -> np.ndarray:
    """Light-on-dark ink of full-resolution `box`, reduced by `factor`, the paper removed."""
    crop = reduce_image(box.crop(gray), factor)  # (h, w)
    ink = 1 - crop if analysis.inverted else crop  # (h, w)
    return analysis.background.remove(ink, box.top, box.left, factor)


def _fine_rules(
    gray: np.ndarray, search: Box, factor: int, analysis: _Analysis, levels: InkLevels
) -> float | None:
    """The rules' cut-off at the scale the digit is cut at: the reduced copy's, or measured
    on bands of the page across the rules (rows through the digit, or columns)."""
    if factor == analysis.factor:
        return analysis.levels.rules
    height, width = gray.shape
    bands = (Box(0, search.top, width, search.bottom), Box(search.left, 0, search.right, height))
    floors = [
        rule_floor(_paper_free(gray, band, factor, analysis), axis, levels)
        for axis, band in enumerate(bands)
        if analysis.rules[axis]
    ]
    return max((f for f in floors if f is not None), default=None)


def _checked(gray: np.ndarray) -> np.ndarray:
    """(H, W) float32 in [0, 1]; out-of-range values clipped, NaN read as 0."""
    array = np.asarray(gray, dtype=np.float32)
    if array.ndim != 2 or array.size == 0:
        raise InvalidImageError(f"expected a non-empty 2-D grayscale array, got {array.shape}")
    if float(array.min()) >= 0.0 and float(array.max()) <= 1.0:  # False when NaN is present
        return array
    return np.clip(np.nan_to_num(array, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)


def _fits_mnist_box(mask: np.ndarray) -> bool:
    """All ink (specks included, as in MNIST) spans about MNIST's 20 px box."""
    box = ink_box(mask)
    return MNIST_BOX - 2 <= max(box.height, box.width) <= MNIST_BOX + 1


def _keep_mnist_like(ink: np.ndarray, levels: InkLevels) -> tuple[np.ndarray, Box]:
    """An input already normalised: keep its pixels, move it only if clearly off-centre."""
    floor = levels.noise
    scale = np.float32(1 / (float(ink.max()) - floor))
    image = np.clip((ink - np.float32(floor)) * scale, 0.0, 1.0)  # (28, 28)
    box = ink_box(image > 0)
    return place_by_mass(box.crop(image), origin=(box.top, box.left), tolerance=1.0), box


def _neighbours(mask: np.ndarray) -> np.ndarray:
    """Count of set 8-neighbours of every pixel of (H, W) bool -> (H, W) uint8."""
    height, width = mask.shape
    padded = np.zeros((height + 2, width + 2), dtype=np.uint8)
    padded[1:-1, 1:-1] = mask  # (H + 2, W + 2) of 0 and 1
    rows = padded[:-2] + padded[1:-1]  # (H, W + 2) 3x1 sums, built separably
    rows += padded[2:]
    counts = rows[:, :-2] + rows[:, 1:-1]  # (H, W) 3x3 sums
    counts += rows[:, 2:]
    counts -= padded[1:-1, 1:-1]  # the pixel itself is not its own neighbour
    return counts
