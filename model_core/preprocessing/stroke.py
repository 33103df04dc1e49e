"""Give digits drawn with a thin pen the stroke width MNIST digits have.

MNIST strokes are about 2 px wide in the 20x20 box; a 3 px pen on a 280 px canvas ends up
well under 1 px there, which the network never saw. Such strokes are thickened by grey
dilation at four times the final scale; normal and bold strokes are left alone.
"""

from __future__ import annotations

import math

import numpy as np

from .morphology import square_filter

MIN_STROKE = 1.1  # px in the 20x20 box: thinner than about 98.5% of MNIST digits
TARGET_STROKE = 1.9  # px: the typical MNIST stroke, which thin strokes are brought to
WORK_SCALE = 4  # dilation runs at this multiple of the final size
_MAX_STEPS = 8


def stroke_width(image: np.ndarray) -> float:
    """Estimated mean stroke width in px of (h, w) light strokes in [0, 1]: 2 * area / outline.

    The outline is counted as changes between neighbouring pixels, on the strokes framed by
    a pixel of background, so that strokes cut by the image edge are outlined there too."""
    height, width = image.shape
    solid = np.zeros((height + 2, width + 2), dtype=bool)  # framed by a pixel of background
    solid[1:-1, 1:-1] = image > 0.5  # (h, w)
    across = np.count_nonzero(solid[1:] != solid[:-1])  # outline crossed going down
    along = np.count_nonzero(solid[:, 1:] != solid[:, :-1])  # ... and going right
    return 2.0 * float(image.sum()) / max(int(across + along), 1)


def dilation_steps(width: float) -> int:
    """3x3 dilations at WORK_SCALE that bring `width` to TARGET_STROKE (0 if not thin)."""
    if width >= MIN_STROKE:
        return 0
    return min(math.ceil((TARGET_STROKE - width) * WORK_SCALE / 2), _MAX_STEPS)


def dilate(image: np.ndarray, steps: int) -> np.ndarray:
    """Grey dilation of (h, w) >= 0 by `steps` 3x3 maximum filters, that is one square of
    2 * steps + 1; the canvas grows by `steps` on every side to fit (zeros beyond it)."""
    grown = np.pad(image, steps)  # (h + 2s, w + 2s)
    return square_filter(grown, 2 * steps + 1, np.maximum, 0.0)
