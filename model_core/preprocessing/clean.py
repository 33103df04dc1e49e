"""A clean drawing: flat paper all round, at one end of the image's range, and strokes on it.

A canvas drawing, a raw MNIST digit or a digit on a transparent canvas has an outer ring of
exactly one level, the lightest of the picture (dark strokes) or the darkest (light ones).
What normalize.py's heavy stages look for cannot be there: an edge band or a desk would
darken or break the ring, a shadow or uneven light would vary it, rules would cross it, and a
light sheet on a dark ring needs far more light pixels than strokes have (sheet.py). Flat
paper has no noise either, so the digit needs no reduced copy to be found on: the part of
the picture off the paper is cut straight from the input as cut.py would cut it, but at half
its scale (CLEAN_SIDE): cut.py's finer scale keeps specks of noise apart from strokes, and
there is none here. What it gives is the stages' result at that scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import reduce_image
from .box import Box, grid_box, ink_box, scale_box
from .cut import FINE_SIDE
from .levels import MIN_CONTRAST
from .sheet import CLEAN_SHARE, may_show_sheet
from .stats import border

CLEAN_SIDE = FINE_SIDE // 2  # a clean drawing is cut at about this many px on its long side


@dataclass(frozen=True)
class CleanPaper:
    """The one level of a clean drawing's paper, and the strokes' side of it."""

    level: np.float32  # the paper, as the input has it
    inverted: bool  # dark strokes on light paper (the paper is the lightest level)

    def ink(self, gray: np.ndarray) -> np.ndarray:
        """(h, w) pixels of the input -> light-on-dark ink with the paper at 0, computed as
        the stages would compute it (the negative first, then the paper's level off)."""
        if self.inverted:
            return (1 - gray) - (1 - self.level)  # (h, w)
        return gray - self.level  # (h, w)


def clean_paper(gray: np.ndarray, span: tuple[float, float] | None = None) -> CleanPaper | None:
    """The paper of (H, W) `gray` on [0, 1] when it is a clean drawing, else None. `span` is
    the image's lowest and highest value, when the caller has them already.

    The test is cheap: the outer ring (stats.border) holds one value, the image's lightest
    or darkest, strokes stand MIN_CONTRAST off it, and light strokes cannot be a sheet.
    """
    ring = border(gray)  # (K,)
    level = ring[0]
    if ring.min() != level or ring.max() != level:
        return None  # noise, uneven light, a band, a desk, rules: the stages are needed
    lowest, highest = span or (float(gray.min()), float(gray.max()))
    if level == highest and level - lowest >= MIN_CONTRAST:
        return CleanPaper(level, inverted=True)
    light_strokes = level == lowest and highest - level >= MIN_CONTRAST
    if light_strokes and not may_show_sheet(gray, float(level), highest, CLEAN_SHARE):
        return CleanPaper(level, inverted=False)
    return None


def drawing(gray: np.ndarray, paper: CleanPaper, factor: int) -> tuple[np.ndarray, int, Box]:
    """The part of (H, W) `gray` off the paper as light-on-dark ink, cut as cut.py cuts a
    digit: its box on the grid of a copy reduced by `factor`, one reduced pixel wider, at
    about CLEAN_SIDE px on its long side. Returns the ink, its scale (input pixels per
    pixel) and the box in the input's pixels."""
    drawn = ink_box(gray != paper.level)  # every pixel off the paper, faint ones too
    search = scale_box(grid_box(drawn, factor), factor, gray.shape, margin=1)  # as cut.py's
    step = min(factor, max(1, max(search.height, search.width) // CLEAN_SIDE))  # of the cut
    crop = reduce_image(search.crop(gray), step)  # (h, w) on the reduced copy's grid
    return paper.ink(crop), step, search
