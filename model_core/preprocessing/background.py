"""Estimate the paper's brightness under uneven light, so it can be subtracted from the ink.

The paper level is modelled as a smooth quadratic surface over the image, fitted to the mean
levels of blocks along the image edge, leaving out blocks that strokes raise (in light-on-dark
polarity strokes only ever raise a block). A quadratic follows gradients and vignetting up to
the image edges; where the edge is evenly lit the paper is taken as flat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import reduce_box

BLOCKS_PER_SIDE = 16  # blocks along the short side of the analysed image
MIN_SIDE_FOR_SURFACE = 32  # smaller images get one flat paper level
FLAT_SPREAD = 2 / 255  # edge levels varying less than this are flat paper
_TRIMMED_FITS = 4
_KEEP_FRACTION = 0.6  # strokes may cover up to 40% of the edge blocks
_MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Background:
    """Paper level as a quadratic in centred coordinates u, v in [-0.5, 0.5] of an image."""

    coefficients: np.ndarray  # (6,) for 1, u, v, u*u, u*v, v*v
    size: tuple[int, int]  # (H, W) of the full-resolution image u, v refer to

    def remove(self, image: np.ndarray, top: int, left: int, factor: int) -> np.ndarray:
        """(h, w) `image` minus the paper level under it: `image` is a grid of `factor` full
        pixels per pixel whose first pixel is full pixel (top, left)."""
        if not self.coefficients[1:].any():  # flat paper: one subtraction, no surface
            return image - np.float32(self.coefficients[0])
        return image - self.render(top, left, image.shape, factor)

    def render(self, top: int, left: int, shape: tuple[int, int], factor: int) -> np.ndarray:
        """Level at the pixels of a grid with `factor` full pixels per pixel, from (top, left)."""
        v = _centres(top, shape[0], factor, self.size[0])[:, None]  # (h, 1)
        u = _centres(left, shape[1], factor, self.size[1])[None, :]  # (1, w)
        c0, c1, c2, c3, c4, c5 = (np.float32(c) for c in self.coefficients)
        return (c0 + c2 * v + c5 * v * v) + (c1 + c4 * v) * u + c3 * u * u  # (h, w)


def fit_background(ink: np.ndarray, size: tuple[int, int], factor: int) -> Background:
    """Fit the paper level of (h, w) light-on-dark `ink`, which is `size` reduced by `factor`.

    Only blocks near the image edge are used: the digit rarely reaches them, so the surface
    under the digit is interpolated, never guessed from the strokes. The flat model wins
    unless the quadratic explains the edge clearly better.
    """
    height, width = ink.shape
    if min(height, width) < MIN_SIDE_FOR_SURFACE:
        return _flat(median(border(ink)), size)
    side = min(height, width) // BLOCKS_PER_SIDE
    rows, columns = height // side, width // side
    means = reduce_box(ink[: rows * side, : columns * side], side)  # (rows, columns)
    edge = _edge_blocks(rows, columns)  # (rows, columns) bool
    levels = means[edge]  # (n,)
    flat_level, flat_spread = median(levels), _spread(levels)
    if flat_spread <= FLAT_SPREAD:
        return _flat(flat_level, size)
    design = _design(rows, columns, side * factor, size)[edge.ravel()]  # (n, 6)
    coefficients, spread = _robust_fit(design, levels)
    if spread >= 0.5 * flat_spread:  # the quadratic is not clearly better
        return _flat(flat_level, size)
    return Background(coefficients, size)


def _robust_fit(design: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, float]:
    """Quadratic least squares on (n,) levels, dropping blocks strokes raise.

    Returns the (6,) coefficients and the robust spread of the paper blocks around them.
    """
    residual = levels - design @ _least_squares(design, levels)  # (n,)
    for _ in range(_TRIMMED_FITS):  # trimmed least squares: refit on the lowest residuals
        keep = residual <= np.quantile(residual, _KEEP_FRACTION)
        residual = levels - design @ _least_squares(design[keep], levels[keep])
    kept = residual[keep]  # then take back every block that fits the paper
    keep = residual <= median(kept) + max(3.0 * _spread(kept), 1e-3)
    coefficients = _least_squares(design[keep], levels[keep])
    return coefficients, _spread((levels - design @ coefficients)[keep])


def _least_squares(design: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(6,) coefficients from the normal equations, slightly damped so they always solve."""
    normal = design.T @ design + 1e-9 * np.eye(design.shape[1])  # (6, 6)
    return np.linalg.solve(normal, design.T @ values)


def median(values: np.ndarray) -> float:
    """Median (upper one for even counts) of a 1-D array, without np.median's overhead."""
    middle = values.size // 2
    return float(np.partition(values, middle)[middle])


def _spread(values: np.ndarray) -> float:
    """Robust standard deviation (scaled median absolute deviation from the median)."""
    return _MAD_TO_SIGMA * median(np.abs(values - median(values)))


def _edge_blocks(rows: int, columns: int) -> np.ndarray:
    """(rows, columns) mask of the two outer rings of blocks."""
    edge = np.ones((rows, columns), dtype=bool)
    edge[2:-2, 2:-2] = False
    return edge


def _flat(level: float, size: tuple[int, int]) -> Background:
    return Background(np.array([level, 0.0, 0.0, 0.0, 0.0, 0.0]), size)


def _design(rows: int, columns: int, block: int, size: tuple[int, int]) -> np.ndarray:
    """Quadratic terms at the block centres, in full-resolution centred coordinates."""
    v = (np.arange(rows) + 0.5) * block / size[0] - 0.5  # (rows,)
    u = (np.arange(columns) + 0.5) * block / size[1] - 0.5  # (columns,)
    vv, uu = np.meshgrid(v, u, indexing="ij")  # (rows, columns) each
    terms = (np.ones_like(uu), uu, vv, uu * uu, uu * vv, vv * vv)
    return np.stack([term.ravel() for term in terms], axis=1)  # (rows * columns, 6)


def _centres(start: int, count: int, factor: int, full: int) -> np.ndarray:
    """Centred coordinates of `count` pixels of `factor` full pixels each, from `start`."""
    return ((start + (np.arange(count) + 0.5) * factor) / full - 0.5).astype(np.float32)


def border(image: np.ndarray) -> np.ndarray:
    """(K,) pixels of the outer ring of (H, W), about 1/32 of the short side wide."""
    width = max(1, min(image.shape) // 32)
    ring = (image[:width], image[-width:], image[:, :width], image[:, -width:])
    return np.concatenate([part.ravel() for part in ring])
