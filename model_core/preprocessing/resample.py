"""Lanczos resizing of small float images as Pillow computes it, with its weights kept.

Pillow's resize builds its filter weights afresh on every call, two sines for each tap of
each output pixel, and for the small crops that digits are, that is most of the call: a
95x74 crop fitted to 20x16 costs about 60 us, of which the sums are a few. Here the weights
of each (input, output) length are built once, as Pillow builds them (libImaging/Resample.c,
`precompute_coeffs`), and applied as Pillow applies them: rows first, into float32, then
columns, each sum in float64. The result equals Pillow's to float32 rounding
(tests/model_core/preprocessing/test_resample.py).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

LANCZOS_SUPPORT = 3.0  # Pillow's Lanczos: sinc(x) * sinc(x / 3) for |x| < 3


def lanczos_resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(h, w) float32 -> (height, width) = `size`, as Pillow's LANCZOS resize of mode "F"
    without reducing_gap."""
    height, width = size
    rows = image.astype(np.float64)  # (h, w)
    if width != image.shape[1]:
        rows = (rows @ lanczos_weights(image.shape[1], width).T).astype(np.float32)  # (h, width)
    if height == image.shape[0]:
        return rows.astype(np.float32)
    weights = lanczos_weights(image.shape[0], height)  # (height, h)
    return (weights @ rows.astype(np.float64)).astype(np.float32)  # (height, width)


@lru_cache(maxsize=1024)
def lanczos_weights(source: int, target: int) -> np.ndarray:
    """(target, source) float64: the weight of each input pixel in each output pixel, along
    one axis resized from `source` to `target` pixels."""
    scale = source / target
    stretch = max(scale, 1.0)  # shrinking widens the filter, to average what it drops
    support = LANCZOS_SUPPORT * stretch
    weights = np.zeros((target, source))  # (target, source)
    for out in range(target):
        centre = (out + 0.5) * scale
        first = max(int(centre - support + 0.5), 0)  # int() truncates, as C's cast
        last = min(int(centre + support + 0.5), source)
        x = (np.arange(first, last) - centre + 0.5) / stretch  # (taps,)
        taps = np.where(np.abs(x) < LANCZOS_SUPPORT, np.sinc(x) * np.sinc(x / 3), 0.0)
        total = taps.sum()
        weights[out, first:last] = taps / total if total != 0 else taps
    weights.setflags(write=False)
    return weights
