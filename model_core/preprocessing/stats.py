"""Robust statistics the stages share: the image's outer ring, medians, tenths, paper and noise.

Each works on a 1-D array of pixel values (or picks one out of an image) and stands up to the
strokes of a digit among them: ranks rather than means, and spreads from absolute deviations.
"""

from __future__ import annotations

import numpy as np

MAD_TO_SIGMA = 1.4826  # median absolute deviation to standard deviation, for a normal
_Q05_TO_Q25 = 0.97  # distance from the 5% to the 25% quantile of a normal, in sigmas


def border(image: np.ndarray) -> np.ndarray:
    """(K,) pixels of the outer ring of (H, W), about 1/32 of the short side wide."""
    width = max(1, min(image.shape) // 32)
    ring = (image[:width], image[-width:], image[:, :width], image[:, -width:])
    return np.concatenate([part.ravel() for part in ring])


def median(values: np.ndarray) -> float:
    """Median (upper one for even counts) of a 1-D array, without np.median's overhead."""
    middle = values.size // 2
    return float(np.partition(values, middle)[middle])


def tenths(values: np.ndarray) -> tuple[float, float, float]:
    """The 10%, 50% and 90% points of a 1-D array (nearest ranks), by one partition."""
    ranks = (values.size // 10, values.size // 2, values.size - 1 - values.size // 10)
    points = np.partition(values, ranks)[list(ranks)]
    return float(points[0]), float(points[1]), float(points[2])


def spread(values: np.ndarray) -> float:
    """Robust standard deviation (scaled median absolute deviation from the median)."""
    return MAD_TO_SIGMA * median(np.abs(values - median(values)))


def paper_and_noise(values: np.ndarray) -> tuple[float, float]:
    """Paper level and noise sigma of (K,) light-on-dark pixels, up to about half of them ink.

    Ink only ever raises a pixel, so the lowest quarter is paper: its spread gives a first
    sigma, and the pixels within three of those sigmas are the paper that is measured.
    """
    low, quarter = (len(values) - 1) // 20, (len(values) - 1) // 4
    lowest = np.partition(values, (low, quarter))
    rough = (float(lowest[quarter]) - float(lowest[low])) / _Q05_TO_Q25  # sigma, slightly high
    paper = values[values <= lowest[quarter] + 3 * rough]  # (k,) at least a quarter of them
    level = median(paper)
    return level, MAD_TO_SIGMA * median(np.abs(paper - level))
