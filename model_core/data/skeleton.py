"""A digit's centre line: its strokes thinned to one pixel (Zhang and Suen, 1984), as segments
that a pen of any width can redraw (`redraw`, `round_line`)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

Segment = tuple[tuple[float, float], tuple[float, float]]  # (row, col) to (row, col)


def thin(mask: np.ndarray) -> np.ndarray:
    """(H, W) bool strokes -> (H, W) bool centre line, one pixel wide and still connected."""
    image = np.pad(mask.astype(bool), 1)  # (H + 2, W + 2) so every pixel has 8 neighbours
    while True:
        changed = False
        for step in (0, 1):
            n = _neighbours(image)  # (8, H, W): N, NE, E, SE, S, SW, W, NW
            count = n.sum(axis=0)
            ring = np.concatenate([n, n[:1]])  # (9, H, W) back round to N
            transitions = np.sum(~ring[:-1] & ring[1:], axis=0)  # 0 -> 1 going round
            north, east, south, west = n[0], n[2], n[4], n[6]
            if step == 0:
                gone = ~(north & east & south) & ~(east & south & west)
            else:
                gone = ~(north & east & west) & ~(north & south & west)
            delete = (
                image[1:-1, 1:-1] & (count >= 2) & (count <= 6) & (transitions == 1) & gone
            )  # (H, W)
            if delete.any():
                image[1:-1, 1:-1] &= ~delete
                changed = True
        if not changed:
            return image[1:-1, 1:-1]


def centre_line(digit: np.ndarray, level: int = 100, smoothing: int = 2) -> list[Segment]:
    """(H, W) uint8 white-on-black digit -> the segments of its thinned strokes (pixels above
    `level`) in (row, col) pixel coordinates. A diagonal step is left out where a right-angled
    one joins the same pixels, and each point is moved `smoothing` times halfway to its
    neighbours' mean, so a redrawn stroke has no stairs. A lone pixel is a zero-length segment."""
    line = thin(digit > level)  # (H, W)
    points = [(int(r), int(c)) for r, c in zip(*np.nonzero(line), strict=True)]
    index = {point: i for i, point in enumerate(points)}
    pairs: list[tuple[int, int]] = []
    for r, c in points:
        for dr, dc in ((0, 1), (1, -1), (1, 0), (1, 1)):  # each pair once: right and below
            other = (r + dr, c + dc)
            if other not in index:
                continue
            if dr and dc and ((r + dr, c) in index or (r, c + dc) in index):
                continue  # the corner pixel joins them already
            pairs.append((index[(r, c)], index[other]))
    where = np.array(points, dtype=np.float64).reshape(-1, 2)  # (P, 2)
    for _ in range(smoothing):
        total, count = where.copy(), np.ones(len(where))  # (P, 2), (P,)
        for a, b in pairs:
            total[a] += where[b]
            total[b] += where[a]
            count[a] += 1
            count[b] += 1
        ends = count <= 2  # a stroke's end stays put
        where = np.where(ends[:, None], where, (where + total / count[:, None]) / 2)
    linked = {i for pair in pairs for i in pair}
    segments: list[Segment] = [(_at(where[a]), _at(where[b])) for a, b in pairs]
    segments += [(_at(where[i]), _at(where[i])) for i in range(len(points)) if i not in linked]
    return segments


def round_line(
    draw: ImageDraw.ImageDraw, ends: list[tuple[float, float]], width: int, fill: int
) -> None:
    """A pen stroke through the (x, y) `ends`, with round ends as a marker leaves."""
    draw.line(ends, fill=fill, width=width)
    for x, y in ends:
        draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill)


def redraw(digit: np.ndarray, width: int, side: int) -> Image.Image:
    """(28, 28) uint8 white-on-black digit -> its centre line drawn white on a black side x side
    canvas with a pen `width` px wide."""
    image = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(image)
    for (y0, x0), (y1, x1) in centre_line(digit):
        round_line(
            draw, [(x0 * side / 28, y0 * side / 28), (x1 * side / 28, y1 * side / 28)], width, 255
        )
    return image


def _at(point: np.ndarray) -> tuple[float, float]:
    return float(point[0]), float(point[1])


def _neighbours(image: np.ndarray) -> np.ndarray:
    """(H + 2, W + 2) padded bool -> (8, H, W): each pixel's neighbours, clockwise from N."""
    h, w = image.shape[0] - 2, image.shape[1] - 2
    offsets = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))
    return np.stack([image[1 + dr : 1 + dr + h, 1 + dc : 1 + dc + w] for dr, dc in offsets])
