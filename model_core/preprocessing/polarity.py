"""Polarity: is the picture dark ink on light paper, or light ink on dark?

The answer decides whether the picture is inverted, so that every later stage sees light
strokes on dark paper, the way MNIST digits are stored.

Ink is strokes, and strokes have sharp edges. A pool of light in the middle of a photo (a
spotlight, a phone's flash held close) may rise as far above the paper at the border as dark
strokes fall below it, but it fades out over a quarter of the picture: where the lightest
departures fade softly and the darkest end sharply, the strokes are the dark ones.
"""

from __future__ import annotations

import numpy as np

from .background import light_level
from .blocks import average2x2
from .morphology import square_filter
from .sheet_shape import rim
from .stats import border, tenths

TWO_LEVELS = 0.1  # a tenth of the border this far from another tenth: two levels of paper
DECISIVE = 3.0  # ink beyond one level of paper this many times further than beyond the other
POOL_DEPTH = 0.5  # a pool of light: dark strokes fall at least this share of its rise ...
SHARPER = 4.0  # ... and their edges are this many times steeper than its own, or more
NEAR = 7  # px (a square's side): the light's edge this close to dark strokes is theirs
MIN_EDGE = 8  # pixels of the light's own edge needed to judge its steepness
MIN_SIDE = 8  # px: a smaller picture holds no pool of light to judge
POOL_BORDER = 0.01  # a pool reaches (nearly) none of the border: paper lies all round it


def is_dark_on_light(gray: np.ndarray) -> bool:
    """True when the picture holds dark strokes on light paper: its content departs further
    below the paper than above it, or its lightest part is a pool of light (`pooled_light`)."""
    return _departs_below(gray) or pooled_light(gray)


def _departs_below(gray: np.ndarray) -> bool:
    """True when the content departs further below the paper than above it.

    The paper is the border's median. A border holding two levels (a shadow across the page,
    or strokes over a tight crop's edge) first asks what lies beyond both: ink in a shadow is
    darker than the shadowed paper, and light ink on dark paper is lighter than all of it.
    When neither side is decisive and a smooth surface explains both levels (uneven light),
    the surface is taken off, and the ink is what departs furthest from it.
    """
    edge = border(gray)
    smooth = average2x2(gray)  # single hot pixels do not decide
    lowest, highest = float(smooth.min()), float(smooth.max())
    low, paper, high = tenths(edge)
    if high - low > TWO_LEVELS:
        below, above = low - lowest, highest - high
        if max(below, above) >= max(TWO_LEVELS, DECISIVE * min(below, above)):
            return below > above
        # Neither is decisive under uneven light: a vignette lights the middle of the page
        # above the border and dims its corners below faint ink. Where a smooth surface
        # explains the border's two levels (not strokes over a tight crop's edge), the
        # ink is judged with the light taken off.
        if (level := light_level(gray)) is not None:
            departure = gray - level  # (H, W)
            low, _, high = tenths(border(departure))
            if high - low <= TWO_LEVELS:
                smooth = average2x2(departure)  # (H - 1, W - 1)
                return -float(smooth.min()) > float(smooth.max())
    return paper - lowest > highest - paper


def pooled_light(gray: np.ndarray) -> bool:
    """True when the lightest departures from (H, W) `gray`'s paper (the border's median) are
    a pool of light inside the picture (reaching at most POOL_BORDER of its border) that fades
    softly, while the darkest, at least POOL_DEPTH as deep, end SHARPER: strokes. Each side's
    steepness is the mean gradient on the edge of the pixels past half its departure, over
    the departure; the light's edge is taken away from the strokes (NEAR), where it is theirs."""
    smooth = average2x2(gray)  # (H - 1, W - 1)
    if min(smooth.shape) < MIN_SIDE:
        return False
    paper = tenths(border(gray))[1]
    dip, rise = paper - float(smooth.min()), float(smooth.max()) - paper
    if rise <= 0 or dip < POOL_DEPTH * rise:
        return False
    light = smooth >= paper + rise / 2  # (H - 1, W - 1)
    if np.mean(border(light)) > POOL_BORDER:
        return False  # light reaching the picture's edge (a sky) is no pool in it
    dark = smooth <= paper - dip / 2  # (H - 1, W - 1)
    near = square_filter(dark.astype(np.float32), NEAR, np.maximum, 0.0) > 0
    slopes = np.hypot(*np.gradient(smooth))  # (H - 1, W - 1)
    light_edge, dark_edge = rim(light) & ~near, rim(dark)
    if np.count_nonzero(light_edge) < MIN_EDGE or not dark_edge.any():
        return False
    fading = float(slopes[light_edge].mean()) / rise
    return float(slopes[dark_edge].mean()) / dip >= SHARPER * fading
