"""The shapes a sheet of paper takes in a photo (sheet.py): a rectangle turned any way, a
quadrilateral where it was photographed at an angle, a rectangle the picture's frame cuts
where it runs off one side. The tests look at the outline of the sheet's mask, its holes
filled."""

from __future__ import annotations

import numpy as np

from .box import Box
from .components import label_pieces, reaches
from .morphology import square_filter

MIN_FILL = 0.95  # the sheet fills at least this share of its shape
ANGLES = np.deg2rad(np.arange(-45.0, 45.0, 1.0))  # turns tried for the tightest rectangle
DIRECTIONS = 64  # directions the hull of a sheet at an angle is found in (a quadrilateral)


def rim(sheet: np.ndarray) -> np.ndarray:
    """(h, w) bool: the pixels of (h, w) bool `sheet` on its outline."""
    return sheet & (square_filter(sheet, 3, np.minimum, 0.0) == 0)


def outline(sheet: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows and columns, (n,) each, of the pixels on (h, w) bool `sheet`'s outline."""
    rows, columns = np.nonzero(rim(sheet))
    return rows, columns


def tightest(rows: np.ndarray, columns: np.ndarray) -> tuple[float, float]:
    """The short and long sides of the tightest rectangle, turned by one of ANGLES, round the
    outline pixels at (n,) `rows` and `columns`."""
    cos, sin = np.cos(ANGLES)[:, None], np.sin(ANGLES)[:, None]  # (a, 1) each
    along = columns * cos + rows * sin  # (a, n)
    across = rows * cos - columns * sin  # (a, n)
    lengths = np.ptp(along, axis=1) + 1, np.ptp(across, axis=1) + 1  # (a,) each
    best = int(np.argmin(lengths[0] * lengths[1]))
    short, long = sorted((float(lengths[0][best]), float(lengths[1][best])))
    return short, long


def cut_by_the_frame(
    rows: np.ndarray, columns: np.ndarray, area: int, shape: tuple[int, int], aspect: float
) -> bool:
    """Whether the region of `area` pixels of an (h, w) picture, its outline at (n,) `rows`
    and `columns`, fills MIN_FILL of the part inside the picture of a rectangle round it,
    turned by one of ANGLES, whose short side is at least `aspect` of its long one: a sheet
    running off the picture, its rectangle cut by the frame. Pixels counted on every other
    row and column."""
    height, width = shape
    ys, xs = (grid.ravel() for grid in np.mgrid[0:height:2, 0:width:2])  # (p,) each
    for angle in ANGLES:
        cos, sin = np.cos(angle), np.sin(angle)
        along, across = columns * cos + rows * sin, rows * cos - columns * sin  # (n,) each
        low, high = (along.min(), across.min()), (along.max(), across.max())
        short, long = sorted((high[0] - low[0] + 1, high[1] - low[1] + 1))
        if short < aspect * long:
            continue
        at, over = xs * cos + ys * sin, ys * cos - xs * sin  # (p,) each
        inside = (at >= low[0]) & (at <= high[0]) & (over >= low[1]) & (over <= high[1])
        seen = 4 * np.count_nonzero(inside)  # pixels of the rectangle inside the picture
        if seen and area >= MIN_FILL * seen:
            return True
    return False


def quadrilateral(rows: np.ndarray, columns: np.ndarray, area: int) -> bool:
    """Whether the region of `area` pixels whose outline pixels are at (n,) `rows` and
    `columns` is a quadrilateral: the largest one with its corners on the region's hull
    and the region cover MIN_FILL of each other (a filled ellipse is far larger than any
    quadrilateral in it, a page striped by its rules far smaller), and the largest triangle
    does not cover MIN_FILL of it (a bold 7, filled, is one).

    The hull is the outline's pixel corners furthest out in each of DIRECTIONS, in turn;
    each pair of its corners is a diagonal, with the furthest corner on either side."""
    corners = np.concatenate(
        [np.stack([columns + dx, rows + dy], axis=1) for dx in (-0.5, 0.5) for dy in (-0.5, 0.5)]
    )  # (4n, 2) x, y
    turns = np.linspace(0, 2 * np.pi, DIRECTIONS, endpoint=False)  # (d,)
    furthest = np.argmax(corners @ np.stack([np.cos(turns), np.sin(turns)]), axis=0)  # (d,)
    _, first = np.unique(furthest, return_index=True)
    hull = corners[furthest[np.sort(first)]]  # (m, 2) in turn, convex
    to = hull[None, :, :] - hull[:, None, :]  # (m, m, 2) from corner i to corner k
    cross = to[:, :, None, 0] * to[:, None, :, 1] - to[:, :, None, 1] * to[:, None, :, 0]
    # (m, m, m): twice the signed area of the triangle of corners i, k and j
    left = np.maximum(cross, 0).max(axis=2) / 2  # (m, m) the largest triangle on each side
    right = np.maximum(-cross, 0).max(axis=2) / 2  # (m, m) of the diagonal from i to k
    quad, triangle = float((left + right).max()), float(left.max())
    return MIN_FILL * quad <= area <= quad / MIN_FILL and triangle < MIN_FILL * area


def enclosed(mask: np.ndarray) -> int:
    """How many pixels (h, w) bool `mask` covers with its holes filled: all but the paper
    that reaches the picture's edge. Unlike a fill of rows and columns, it leaves a bold
    digit's notches open (the waist of an 8, the mouth of a 4)."""
    _, pieces = label_pieces(~mask)
    picture = Box(0, 0, mask.shape[1], mask.shape[0])
    outside = [piece for piece in pieces if reaches(piece.box, picture)]
    return mask.size - sum(piece.area for piece in outside)
