"""Polarity: is the picture dark ink on light paper, or light ink on dark?

The answer decides whether the picture is inverted, so that every later stage sees light
strokes on dark paper, the way MNIST digits are stored.
"""

from __future__ import annotations

import numpy as np

from .background import light_level
from .blocks import average2x2
from .stats import border, tenths

TWO_LEVELS = 0.1  # a tenth of the border this far from another tenth: two levels of paper
DECISIVE = 3.0  # ink beyond one level of paper this many times further than beyond the other


def is_dark_on_light(gray: np.ndarray) -> bool:
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
