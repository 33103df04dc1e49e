"""Estimate the paper's brightness under uneven light, so it can be subtracted from the ink.

The paper level is modelled as a smooth cubic surface over the image, fitted to the paper
levels of blocks along the image edge (a low quantile of each block's pixels), leaving out
blocks that strokes still raise (in light-on-dark polarity strokes only ever raise a block). A
phone's light is a gradient across the page times a vignette falling off toward the corners:
a cubic follows the product up to the image edges (a quadratic would leave the corners about
as bright as faint pencil). Where the edge is evenly lit, or the surface fits the outermost
pixels no better than flat paper (a digit cropped tight), the paper is taken as flat. A picture
as small as a raw 28x28 digit gets the surface too, each edge block a pixel: one flat level
left the lit side of a small photo as ink.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .stats import border, median, paper_and_noise, spread

BLOCKS_PER_SIDE = 16  # blocks along the short side of the analysed image
MIN_SIDE_FOR_SURFACE = BLOCKS_PER_SIDE  # smaller images (blocks under a pixel) get one level
FLAT_SPREAD = 2 / 255  # edge levels varying less than this are flat paper
_TRIMMED_FITS = 4
TERMS = 10  # the cubic's: 1, u, v, uu, uv, vv, uuu, uuv, uvv, vvv
PAPER_QUANTILE = 0.25  # a block's paper level is this quantile of its pixels
_KEEP_FRACTION = 0.6  # strokes may cover up to 40% of the edge blocks


@dataclass(frozen=True)
class Background:
    """Paper level as a cubic in centred coordinates u, v in [-0.5, 0.5] of an image."""

    coefficients: np.ndarray  # (TERMS,) for 1, u, v, uu, uv, vv, uuu, uuv, uvv, vvv
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
        c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 = (np.float32(c) for c in self.coefficients)
        by_power_of_u = (  # (h, 1) each: the coefficients of 1, u, uu and uuu at each row
            c0 + v * (c2 + v * (c5 + v * c9)),
            c1 + v * (c4 + v * c8),
            c3 + v * c7,
        )
        level = by_power_of_u[2] + c6 * u  # (h, w) by Horner's rule in u
        level = by_power_of_u[1] + u * level
        return by_power_of_u[0] + u * level  # (h, w)


def fit_background(ink: np.ndarray, size: tuple[int, int], factor: int) -> Background:
    """Fit the paper level of (h, w) light-on-dark `ink`, which is `size` reduced by `factor`.

    Only blocks near the image edge are used: the digit rarely reaches them, so the surface
    under the digit is interpolated, never guessed from the strokes. The flat model wins
    unless the cubic explains the edge clearly better.
    """
    if min(ink.shape) < MIN_SIDE_FOR_SURFACE:
        return _flat(paper_and_noise(border(ink))[0], size)
    pixels, design = _edge_blocks_of(ink, factor, size)  # (n, side * side), (n, TERMS)
    # A block's paper level is a low quantile of its pixels, which strokes covering up to
    # 3/4 of the block do not raise (a tight crop's edge is mostly ink).
    k = int(PAPER_QUANTILE * (pixels.shape[1] - 1))
    levels = np.partition(pixels, k, axis=1)[:, k]  # (n,)
    flat, flat_spread = _flat(median(levels), size), spread(levels)
    if flat_spread <= FLAT_SPREAD:
        return flat
    coefficients, fit_spread = _robust_fit(design, levels)
    if fit_spread >= 0.5 * flat_spread:  # the cubic is not clearly better
        return flat
    surface = Background(coefficients, size)
    if _border_spread(ink, surface, factor) >= _border_spread(ink, flat, factor):
        return flat  # strokes crowd the edge blocks (a tight crop): the surface fit the ink
    return surface


def light_level(image: np.ndarray) -> np.ndarray | None:
    """The paper's level at every pixel of (h, w) `image`, whichever way its ink departs from
    the paper: a cubic fitted by least squares to the medians of the edge blocks (strokes
    seldom cover half an edge block); None where the image is too small for a surface."""
    if min(image.shape) < MIN_SIDE_FOR_SURFACE:
        return None
    pixels, design = _edge_blocks_of(image, 1, image.shape)  # (n, side * side), (n, TERMS)
    surface = Background(_least_squares(design, np.median(pixels, axis=1)), image.shape)
    return surface.render(0, 0, image.shape, 1)  # (h, w)


def _edge_blocks_of(
    image: np.ndarray, factor: int, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The pixels of the blocks along the edge of (h, w) `image`, which is `size` reduced by
    `factor`, as (n, side * side), and the cubic's terms at their centres, (n, TERMS)."""
    height, width = image.shape
    side = min(height, width) // BLOCKS_PER_SIDE
    rows, columns = height // side, width // side
    edge = _edge_blocks(rows, columns)  # (rows, columns) bool
    blocks = image[: rows * side, : columns * side].reshape(rows, side, columns, side)
    pixels = blocks.transpose(0, 2, 1, 3).reshape(rows, columns, side * side)[edge]
    return pixels, _design(rows, columns, side * factor, size)[edge.ravel()]


def _robust_fit(design: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, float]:
    """Cubic least squares on (n,) levels, dropping blocks strokes raise.

    Returns the (TERMS,) coefficients and the robust spread of the paper blocks around them.
    """
    residual = levels - design @ _least_squares(design, levels)  # (n,)
    for _ in range(_TRIMMED_FITS):  # trimmed least squares: refit on the lowest residuals
        keep = residual <= np.quantile(residual, _KEEP_FRACTION)
        residual = levels - design @ _least_squares(design[keep], levels[keep])
    kept = residual[keep]  # then take back every block that fits the paper
    keep = residual <= median(kept) + max(3.0 * spread(kept), 1e-3)
    coefficients = _least_squares(design[keep], levels[keep])
    return coefficients, spread((levels - design @ coefficients)[keep])


def _border_spread(ink: np.ndarray, background: Background, factor: int) -> float:
    """Robust spread of the outermost pixels of (h, w) `ink` once `background` is removed:
    small when the background matches the paper, whatever ink touches the edge."""
    return spread(border(background.remove(ink, 0, 0, factor)))


def _least_squares(design: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(TERMS,) coefficients from the normal equations, slightly damped so they always solve."""
    normal = design.T @ design + 1e-9 * np.eye(design.shape[1])  # (TERMS, TERMS)
    return np.linalg.solve(normal, design.T @ values)


def _edge_blocks(rows: int, columns: int) -> np.ndarray:
    """(rows, columns) mask of the two outer rings of blocks."""
    edge = np.ones((rows, columns), dtype=bool)
    edge[2:-2, 2:-2] = False
    return edge


def _flat(level: float, size: tuple[int, int]) -> Background:
    coefficients = np.zeros(TERMS)  # (TERMS,)
    coefficients[0] = level
    return Background(coefficients, size)


def _design(rows: int, columns: int, block: int, size: tuple[int, int]) -> np.ndarray:
    """Cubic terms at the block centres, in full-resolution centred coordinates."""
    v = (np.arange(rows) + 0.5) * block / size[0] - 0.5  # (rows,)
    u = (np.arange(columns) + 0.5) * block / size[1] - 0.5  # (columns,)
    v, u = (grid.ravel() for grid in np.meshgrid(v, u, indexing="ij"))  # (rows * columns,)
    terms = (np.ones_like(u), u, v, u * u, u * v, v * v, u**3, u * u * v, u * v * v, v**3)
    return np.stack(terms, axis=1)  # (rows * columns, TERMS)


def _centres(start: int, count: int, factor: int, full: int) -> np.ndarray:
    """Centred coordinates of `count` pixels of `factor` full pixels each, from `start`."""
    return ((start + (np.arange(count) + 0.5) * factor) / full - 0.5).astype(np.float32)
