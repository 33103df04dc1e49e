"""Give hard-edged digits the soft edges MNIST digits have.

MNIST's digits were anti-aliased as they were scaled into their 20x20 box, so every stroke
has grey edges: of 150 held-out MNIST digits, the least had 27% of its ink pixels grey
(between paper and full ink), and normalised uploads of every survey style nearly all keep a
quarter. A digit drawn without anti-aliasing near MNIST's size (a 28x28 grid, a thresholded
scan), or a straight vertical 1 whose sides fall on whole pixels of the 20x20 box, has no grey
at all. The network never saw such edges: it read them with little confidence, or as no
digit. Their grey is given back by a small Gaussian blur, as anti-aliasing would have left it.
"""

from __future__ import annotations

import functools

import numpy as np

GREY_SHARE = 0.25  # a digit with a smaller share of grey ink pixels is softened
SIGMA = 0.5  # px in the 28x28 frame: the blur's standard deviation
INK, FULL = 0.1, 0.9  # an ink pixel is above INK; a grey one is also below FULL
REACH = 1  # px each side: the blur's weight 2 px out is 3.4e-4 of its centre's


def soften(image: np.ndarray) -> np.ndarray:
    """(h, w) normalised digit in [0, 1], brightest pixel 1 -> the same image, or where its
    edges are hard, a float32 copy blurred by SIGMA with its brightest pixel set back to 1."""
    ink = image > INK  # (h, w)
    grey = np.count_nonzero(ink & (image < FULL))
    if grey >= GREY_SHARE * np.count_nonzero(ink):  # soft already (or blank)
        return image
    rows, columns = _blur(image.shape[0]), _blur(image.shape[1])
    softened = rows @ image.astype(np.float32) @ columns.T  # (h, w) blurred on both axes
    return softened * np.float32(1 / softened.max())


@functools.cache
def _blur(size: int) -> np.ndarray:
    """(size, size) float32 matrix of the Gaussian blur along one axis, zeros beyond it."""
    offsets = np.arange(size)[:, None] - np.arange(size)[None, :]  # (size, size)
    weights = np.exp(-(offsets**2) / (2 * SIGMA**2)) * (np.abs(offsets) <= REACH)
    kernel = np.exp(-(np.arange(-REACH, REACH + 1) ** 2) / (2 * SIGMA**2))  # (2 * REACH + 1,)
    return (weights / kernel.sum()).astype(np.float32)
