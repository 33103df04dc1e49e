"""Cut the digit out at full resolution, with what the reduced copy told about the image.

The box found on the reduced copy is coarse. The digit is cut again at about FINE_SIDE px on
its long side (from the reduced copy when it is that large there, else from the input, reduced
less), with the paper removed as on the reduced copy, any printed rules taken off row by
row (each at its own level, which the light varies), its levels measured at that scale, its
box tightened and its noise floor removed with a soft ramp.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .background import Background
from .blocks import average2x2, reduce_image
from .box import Box, grid_box, scale_box
from .digit_box import digit_box
from .levels import InkLevels, ramp
from .ring import ring_round
from .rules import without_rules
from .shading import PaperMap
from .stats import border, paper_and_noise

FINE_SIDE = 96  # the digit is cut out at about this many pixels on its long side, or more


@dataclass(frozen=True)
class Analysis:
    """What the reduced copy told about the image."""

    factor: int  # full-resolution pixels per reduced pixel
    inverted: bool
    background: Background | PaperMap
    levels: InkLevels  # measured on the reduced copy
    rules: tuple[bool, bool] = (False, False)  # rules across the rows, the columns
    ring: bool = False  # a circle drawn round the digit, to take off (ring.py)


def cut_digit(
    gray: np.ndarray, coarse_ink: np.ndarray, search: Box, analysis: Analysis
) -> tuple[np.ndarray, Box]:
    """The digit's strokes within full-resolution `search` of (H, W) `gray`, on [0, 1] with
    the paper at 0, and their box in `gray`'s pixels; `coarse_ink` is the reduced copy's ink."""
    ink, factor = _fine_ink(gray, coarse_ink, search, analysis)  # (h, w)
    bands = [  # the page across the digit's rows and columns, where rules cross them
        _page_band(gray, coarse_ink, search, factor, analysis, axis) if ruled else None
        for axis, ruled in enumerate(analysis.rules)
    ]
    if any(analysis.rules):
        ink = without_rules(ink, bands, analysis.levels.paper)  # (h, w)
    sigma = analysis.levels.sigma * analysis.factor / factor  # white noise: sigma ~ 1 / side
    if factor < analysis.factor:  # grain, blur and JPEG keep noise from averaging down that far
        sigma = max(analysis.levels.sigma, min(sigma, paper_and_noise(border(ink))[1]))
    levels = InkLevels(analysis.levels.paper, sigma, float(average2x2(ink).max()))
    mask = ink > levels.low  # (h, w)
    inner = digit_box(mask)
    if analysis.ring and (ring := ring_round(inner.crop(mask))) is not None:
        ink = ink.copy()  # (h, w) it may be a view of the reduced copy
        inner.crop(ink)[ring] = 0  # the circle drawn round the digit comes off
        inner.crop(mask)[ring] = False
        inner = digit_box(mask)
    strokes = ramp(inner.crop(ink), levels)  # (h', w')
    box = scale_box(inner, factor, (search.height, search.width)).shifted(search.left, search.top)
    return strokes, box


def _fine_ink(
    gray: np.ndarray, coarse_ink: np.ndarray, search: Box, analysis: Analysis
) -> tuple[np.ndarray, int]:
    """Paper-free ink inside `search` at about FINE_SIDE px, and its reduction factor.

    A digit already that large on the reduced copy is sliced from it; a smaller one is cut
    from the full-resolution image, reduced less.
    """
    factor = min(analysis.factor, max(1, max(search.height, search.width) // FINE_SIDE))
    if factor == analysis.factor:  # search is aligned on the reduced grid
        return grid_box(search, factor).crop(coarse_ink), factor
    return _paper_free(gray, search, factor, analysis), factor


def _paper_free(gray: np.ndarray, box: Box, factor: int, analysis: Analysis) -> np.ndarray:
    """Light-on-dark ink of full-resolution `box`, reduced by `factor`, the paper removed."""
    crop = reduce_image(box.crop(gray), factor)  # (h, w)
    ink = 1 - crop if analysis.inverted else crop  # (h, w)
    return analysis.background.remove(ink, box.top, box.left, factor)


def _page_band(
    gray: np.ndarray,
    coarse_ink: np.ndarray,
    search: Box,
    factor: int,
    analysis: Analysis,
    axis: int,
) -> np.ndarray:
    """The page's paper-free ink through `search`'s rows (axis 0), or its columns (axis 1)
    turned to rows, at the scale the digit is cut at: (h, W) or (w, H), row for row (or
    column for column) with the digit's ink."""
    if factor == analysis.factor:  # sliced from the reduced copy, as the digit's ink is
        grid = grid_box(search, factor)
        if axis == 0:
            return coarse_ink[grid.top : grid.bottom]  # (h, W)
        return coarse_ink[:, grid.left : grid.right].T  # (w, H)
    height, width = gray.shape
    if axis == 0:
        return _paper_free(gray, Box(0, search.top, width, search.bottom), factor, analysis)
    return _paper_free(gray, Box(search.left, 0, search.right, height), factor, analysis).T
