"""Take impulse noise (salt and pepper, hot and dead pixels) off small pictures.

A small picture (its short side at most SMALL_SIDE px, a raw 28x28 digit among them) draws its
strokes a few pixels wide, so a speck is as large as a piece of stroke: the network read
held-out 28x28 digits with 3% of their pixels salted or peppered as no digit about one time
in ten, and with 10% two times in three. Impulses are pixels standing more than LEVEL above all
eight of their neighbours, or below them all: of 900 clean, inverted and two-level held-out
MNIST digits none had more than 2 of its 784 pixels impulses. A small picture with at least
SHARE of its pixels impulses (3 of a 28x28's) is smoothed by a 3x3 median, which takes specks
off and keeps strokes two pixels wide or more; it takes much of strong Gaussian noise too.
A picture under TINY_SIDE px (scikit-learn's 8x8 digits) is never filtered: its strokes are a
pixel wide, so nearly every stroke pixel stands out and the median would take the digit off.
"""

from __future__ import annotations

import numpy as np

SMALL_SIDE = 64  # px: pictures whose short side is at most this are looked at
TINY_SIDE = 12  # px: pictures whose short side is under this are left as they are
LEVEL = 60 / 255  # an impulse stands this far above (or below) every one of its neighbours
SHARE = 0.003  # of the pixels impulses: the picture is noisy


def without_impulses(gray: np.ndarray) -> np.ndarray:
    """(H, W) float32 in [0, 1] -> the same array, or a 3x3-median-filtered copy where the
    picture is small and noisy."""
    height, width = gray.shape
    if not TINY_SIDE <= min(height, width) <= SMALL_SIDE:
        return gray
    padded = np.pad(gray, 1, mode="edge")  # (H + 2, W + 2)
    window = [padded[dy : dy + height, dx : dx + width] for dy in range(3) for dx in range(3)]
    neighbours = window[:4] + window[5:]  # 8 x (H, W): the pixel itself left out
    above = gray - np.maximum.reduce(neighbours) > LEVEL  # (H, W)
    below = np.minimum.reduce(neighbours) - gray > LEVEL  # (H, W)
    if np.count_nonzero(above | below) < SHARE * gray.size:
        return gray
    return np.partition(np.stack(window), 4, axis=0)[4]  # (H, W) the median of each 3x3
