"""Deskewing: shear each digit so that its main axis stands upright.

Slant is the most personal trait of a handwriting, and a small network spends much of its
capacity on it. The classic MNIST remedy (LeCun et al., 1998) measures the slant from the
digit's second moments and removes it with a horizontal shear about the centre of mass, which
stays where it was. A model trained on deskewed digits must be fed deskewed digits: a model
records whether it was (`metadata["input"]`, read by `model_input.input_options`), and
training, evaluation and the service all go through `to_model_input`, which applies it.
"""

from __future__ import annotations

import numpy as np

MAX_SLOPE = 1.0  # the steepest shear applied (45 degrees): beyond it, the moments mislead
_SIDE = 28
_CHUNK = 256  # images per pass, so that the temporaries stay in the CPU cache


def deskew(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) float32 in [0, 1], light on dark -> a new deskewed array of the same shape.

    Row y of the output reads row y of the input from x + slope * (y - cy), linearly
    interpolated, zero outside, where slope = cov(x, y) / var(y) of the ink and cy is its
    centre row. A blank image, or one with no height to measure, comes back unchanged.
    """
    if len(images) <= _CHUNK:
        return _deskew(images)
    return np.concatenate([_deskew(images[i : i + _CHUNK]) for i in range(0, len(images), _CHUNK)])


def _deskew(images: np.ndarray) -> np.ndarray:
    n = len(images)
    if n == 0:
        return images.astype(np.float32)
    grid = np.arange(_SIDE, dtype=np.float32)  # (28,)
    rows = images.sum(axis=2)  # (N, 28) ink per row
    mass = rows.sum(axis=1)  # (N,)
    safe = np.where(mass > 0, mass, 1).astype(np.float32)  # (N,)
    cy = rows @ grid / safe  # (N,)
    dy = grid[np.newaxis] - cy[:, np.newaxis]  # (N, 28)
    var_y = np.einsum("ny,ny,ny->n", rows, dy, dy) / safe  # (N,)
    cov = np.einsum("nyx,ny,x->n", images, dy, grid) / safe  # (N,) the mean of dy is 0
    slope = np.where(var_y > 1e-3, cov / np.maximum(var_y, 1e-3), 0.0)  # (N,)
    slope = np.clip(slope, -MAX_SLOPE, MAX_SLOPE).astype(np.float32)  # (N,)

    source = grid + (slope[:, np.newaxis] * dy)[:, :, np.newaxis]  # (N, 28, 28) x to read
    left = np.floor(source)  # (N, 28, 28)
    frac = source - left  # (N, 28, 28)
    # Read from rows padded with two zeros on each side, so that both neighbours of any
    # position within 1.5 pixels of the image are real entries; further out reads zeros.
    width = _SIDE + 4
    column = np.clip(left.astype(np.intp) + 2, 0, width - 2)  # (N, 28, 28)
    row_start = np.arange(n * _SIDE, dtype=np.intp).reshape(n, _SIDE, 1) * width  # (N, 28, 1)
    flat = np.pad(images, ((0, 0), (0, 0), (2, 2))).reshape(-1)  # (N * 28 * 32,)
    lo = flat.take(row_start + column)  # (N, 28, 28)
    hi = flat.take(row_start + column + 1)  # (N, 28, 28)
    return (lo + (hi - lo) * frac).astype(np.float32, copy=False)  # (N, 28, 28)
