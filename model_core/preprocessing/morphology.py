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
    """Running `reduce` of (..., h, w) over a centred `window` x `window` square, float32.

    Leading axes are a batch: each (h, w) image is filtered on its own.
    Pixels beyond the image count as `outside`: +inf or -inf to ignore them, or a level."""
    rows = _running(image, window, reduce, outside)  # (..., h, w) along axis -2
    return _running(rows.swapaxes(-1, -2), window, reduce, outside).swapaxes(-1, -2)  # (..., h, w)


def _running(image: np.ndarray, window: int, reduce: Reduce, outside: float) -> np.ndarray:
    """Running `reduce` along axis -2 of (..., h, w), centred, padded with `outside`."""
    *batch, height, width = image.shape
    before, after = window // 2, window - 1 - window // 2
    pad = np.full((*batch, before + height + after, width), outside, np.float32)
    pad[..., before : before + height, :] = image  # (..., h + window - 1, w)
    out, span = pad, 1
    while 2 * span <= window:
        out = reduce(out[..., :-span, :], out[..., span:, :])  # each: the reduce of 2 * span rows
        span *= 2
    rest = window - span
    return reduce(out[..., : out.shape[-2] - rest, :], out[..., rest:, :]) if rest else out
