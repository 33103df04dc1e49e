"""Block filters: averaging blocks to reduce an image by a whole factor, a 2x2 moving average."""

from __future__ import annotations

import numpy as np


def reduce_image(image: np.ndarray, factor: int) -> np.ndarray:
    """Average `factor` x `factor` blocks of (H, W) -> (ceil(H/f), ceil(W/f)) float32.

    Blocks cut by the bottom or right edge average the pixels they have (as Pillow's
    `reduce`). Summed as `factor` strided slices per axis: a few passes over the image.
    """
    if factor <= 1:
        return image
    height, width = image.shape
    rows, columns = -(-height // factor), -(-width // factor)
    partial = (height, width) != (rows * factor, columns * factor)  # blocks cut by an edge
    if partial:
        padded = np.zeros((rows * factor, columns * factor), dtype=np.float32)
        padded[:height, :width] = image
        image = padded
    strips = image[0::factor].astype(np.float32)  # (rows, W') the first row of every block
    for offset in range(1, factor):
        strips += image[offset::factor]
    sums = strips[:, 0::factor].copy()  # (rows, columns)
    for offset in range(1, factor):
        sums += strips[:, offset::factor]
    sums *= np.float32(1 / factor**2)
    if partial:  # those blocks hold fewer pixels
        row_share = np.minimum(height - np.arange(rows) * factor, factor) / factor  # (rows,)
        column_share = np.minimum(width - np.arange(columns) * factor, factor) / factor
        sums /= np.outer(row_share, column_share).astype(np.float32)
    return sums


def average2x2(image: np.ndarray) -> np.ndarray:
    """2x2 moving average of (H, W) -> (H-1, W-1); unchanged when a side is 1 pixel."""
    if min(image.shape) < 2:
        return image
    pairs = image[:-1] + image[1:]  # (H-1, W) vertical pair sums
    smooth = pairs[:, :-1] + pairs[:, 1:]  # (H-1, W-1)
    smooth *= np.float32(0.25)
    return smooth
