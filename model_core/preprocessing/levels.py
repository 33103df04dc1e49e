"""Ink levels of a paper-free image: paper, noise, strongest stroke, and the cut-offs between.

Pixels up to the noise floor (or a fifth of the stroke contrast) are paper, pixels from 70% of
the contrast up are stroke, and a linear ramp between them keeps anti-aliased edges. On lined
or graph paper the lower cut-off is raised above the rules (rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import average2x2
from .errors import EmptyImageError
from .stats import border, paper_and_noise

MIN_CONTRAST = 0.05  # weakest stroke-to-paper contrast accepted as a digit, on [0, 1]
DETECT_SIGMAS = 6.0  # the strongest stroke must stand this many noise sigmas above the paper
ONE_STEP = 1.5 / 255  # values this close are at most one level of an 8-bit picture apart
NOISE_SIGMAS = 3.0  # ink less than this many sigmas above the paper is noise
LOW_FRACTION = 0.2  # the ramp maps this fraction of the stroke contrast to 0 ...
HIGH_FRACTION = 0.7  # ... and this fraction to 1: anti-aliasing kept, strokes evened out
RAMP_ABOVE_RULES = 0.2  # of the stroke contrast: the ramp's width above the rules' cut-off


@dataclass(frozen=True)
class InkLevels:
    """Paper level, its noise and the strongest stroke, on a background-free ink image."""

    paper: float
    sigma: float
    peak: float
    rules: float | None = None  # cut-off above the rules of lined or graph paper, if any

    @property
    def contrast(self) -> float:
        return self.peak - self.paper

    @property
    def noise(self) -> float:
        return self.paper + NOISE_SIGMAS * self.sigma

    @property
    def low(self) -> float:
        low = self.paper + max(NOISE_SIGMAS * self.sigma, LOW_FRACTION * self.contrast)
        return low if self.rules is None else max(low, self.rules)

    @property
    def high(self) -> float:
        high = max(self.paper + HIGH_FRACTION * self.contrast, self.low + 1e-6)
        if self.rules is None:
            return high
        return max(high, self.rules + RAMP_ABOVE_RULES * self.contrast)  # a ramp, not a step

    def shows_ink(self) -> bool:
        return self.contrast >= max(MIN_CONTRAST, DETECT_SIGMAS * self.sigma)


def measure(ink: np.ndarray) -> InkLevels:
    """Paper level and noise from the border of (h, w) background-free ink, and its peak."""
    paper, sigma = paper_and_noise(border(ink))  # strokes may cross the edge of a tight crop
    return InkLevels(paper=paper, sigma=sigma, peak=float(average2x2(ink).max()))


def ramp(ink: np.ndarray, levels: InkLevels) -> np.ndarray:
    """Linear ramp from the noise floor to most of the stroke level: soft, not binary."""
    scale = np.float32(1 / (levels.high - levels.low))
    return np.clip((ink - np.float32(levels.low)) * scale, 0.0, 1.0)  # (h, w)


def refuse_one_step(lowest: float, highest: float) -> None:
    """Raise EmptyImageError, saying why, for a picture whose values (on [0, 1]) run from 0 up
    to one 8-bit level at most: far under MIN_CONTRAST, nothing shows, as where an array on
    [0, 1] was saved as 8 bits (its 1s become 1 of 255). A blank page, its paper a level or
    two from white, gets the plain refusal later."""
    if lowest == 0 and 0 < highest <= ONE_STEP:
        raise EmptyImageError(
            "no digit found in the image: its pixels differ by one level of 255 at most (an"
            " array scaled to [0, 1] and saved as 8 bits? multiply it by 255 first)"
        )
