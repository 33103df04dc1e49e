"""Cut the digit out at full resolution, with what the reduced copy told about the image.

The box found on the reduced copy is coarse. The digit is cut again at about FINE_SIDE px on
its long side (from the reduced copy when it is that large there, else from the input, reduced
less), with the paper removed as on the reduced copy, its levels and any rules' cut-off
measured at that scale, its box tightened and its noise floor removed with a soft ramp.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .background import Background
from .blocks import average2x2, reduce_image
from .box import Box, grid_box, scale_box
from .digit_box import digit_box
from .levels import InkLevels, ramp
from .ring import ring_round
from .rules import rule_floor
from .shading import PaperMap

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
    sigma = analysis.levels.sigma * analysis.factor / factor  # white noise: sigma ~ 1 / side
    levels = InkLevels(analysis.levels.paper, sigma, float(average2x2(ink).max()))
    if any(analysis.rules):
        levels = replace(levels, rules=_fine_rules(gray, search, factor, analysis, levels))
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


def _fine_rules(
    gray: np.ndarray, search: Box, factor: int, analysis: Analysis, levels: InkLevels
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
