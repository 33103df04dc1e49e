"""Running minimum and maximum over a square window: grey erosion and dilation.

Each axis takes a few passes: windows of 1, 2, 4, ... rows are combined pairwise, and a last
pass overlaps two of them, which min and max do not mind. A window of any width thus costs
about log2(width) whole-array operations per axis, not width of them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Reduce = Callable[[np.ndarray, np.ndarray], np.ndarray]  # np.minimum or np.maximum


def square_filter(image: np.ndarray, window: int, reduce: Reduce, outside: float) -> np.ndarray:
    """Running `reduce` of (h, w) over a centred `window` x `window` square -> (h, w) float32.

    Pixels beyond the image count as `outside`: +inf or -inf to ignore them, or a level."""
    rows = _running(image, window, reduce, outside)  # (h, w) along axis 0
    return _running(rows.T, window, reduce, outside).T  # (h, w)


def _running(image: np.ndarray, window: int, reduce: Reduce, outside: float) -> np.ndarray:
    """Running `reduce` along axis 0 of (h, w), centred, padded with `outside`."""
    before, after = window // 2, window - 1 - window // 2
    pad = np.full((before + image.shape[0] + after, image.shape[1]), outside, np.float32)
    pad[before : before + image.shape[0]] = image  # (h + window - 1, w)
    out, width = pad, 1
    while 2 * width <= window:
        out = reduce(out[:-width], out[width:])  # each row: the reduce of `2 * width` rows
        width *= 2
    rest = window - width
    return reduce(out[: len(out) - rest], out[rest:]) if rest else out  # (h, w)
