"""Corners an editor filled when it turned the picture, painted the picture's own paper.

An editor that turns a photo or a scan by a few degrees, and widens the canvas to hold it,
fills a wedge in each corner with one flat colour: white, black or any other. Wedges lighter
than the picture run along the edges all round, so the later stages take them for the paper,
and the picture's own paper for ink (photos turned on white read 7 to 13%). Dark wedges round a
lighter picture are a desk round a sheet, which the later stages already expect.

Each corner's wedge is the triangle spanned by the runs of its colour along the two edges
that meet there (measured a little in: the turned picture's corner may fade out before it
reaches the edge). Where all four corners hold a wedge of one colour, flat inside, the two
along each edge meeting (as a turned rectangle's do) and clearly lighter than the rest of the
picture, they are painted its median, its paper. A scan on near-white paper is left as it is:
painting its corners cost more readings than it saved. Canvases, whose edges are all paper,
and photos, whose corners differ, are let through by a test of eight numbers.
"""

from __future__ import annotations

import numpy as np

TOLERANCE = 6 / 255  # a wedge's pixels lie this close to its corner's (JPEG rings a little)
MIN_LEG = 4  # px: a wedge runs at least this far along both of its edges
INSET = 2  # px: its runs are measured this far in, where the turned picture's corner shows
FLAT = 0.9  # share of a wedge's pixels of its colour
RIM = 3  # px past a wedge's long side painted too: the turned picture's blurred edge
CONTRAST = 0.15  # the wedges are at least this much lighter than the picture's paper
GAP = 8  # px: along each edge the two wedges reach to within this of each other


def unfill_corners(gray: np.ndarray) -> np.ndarray | None:
    """(H, W) on [0, 1] -> a copy with its four filled corner wedges painted the picture's
    paper, or None when its corners are not four wedges of one colour."""
    height, width = gray.shape
    corners = [float(gray[row, column]) for row in (0, -1) for column in (0, -1)]
    if max(corners) - min(corners) > TOLERANCE or min(height, width) < 4 * MIN_LEG:
        return None
    fill = sum(corners) / 4
    wedges, legs = [], []
    for flip_rows, flip_columns in _CORNERS:
        view = _corner_view(gray, flip_rows, flip_columns)  # the corner at [0, 0]
        row = _run(view[INSET], fill)  # runs inset, along the row first
        if row >= width or row < MIN_LEG + INSET:
            return None  # an edge all of one colour (a canvas, a band), or no wedge here
        column = _run(view[:, INSET], fill)
        if column >= height or column < MIN_LEG + INSET:
            return None
        # a triangle's legs `across` and `down` from its runs INSET px in from both edges:
        # row = across (1 - INSET / down), column = down (1 - INSET / across)
        slope = (row - INSET) / (column - INSET)  # across / down
        across, down = row + INSET * slope, column + INSET / slope
        patch = view[: int(down) + RIM + 1, : int(across) + RIM + 1]  # its box
        wedge = _reach(patch.shape, across, down) < 1  # (h, w) bool
        if np.count_nonzero(np.abs(patch[wedge] - fill) <= TOLERANCE) < FLAT * wedge.sum():
            return None
        grown = _reach(patch.shape, across + RIM, down + RIM) < 1  # and its blurred long side
        wedges.append((flip_rows, flip_columns, grown))
        legs.append((across, down))
    (top_left, top_right, bottom_left, bottom_right) = legs
    edges = (  # each edge's two wedges meet where the turned picture's corner touches it
        top_left[0] + top_right[0] - width,
        bottom_left[0] + bottom_right[0] - width,
        top_left[1] + bottom_left[1] - height,
        top_right[1] + bottom_right[1] - height,
    )
    if min(edges) < -GAP:
        return None  # the wedges of no turned rectangle: a tight crop's paper, say
    painted = gray.copy()
    for flip_rows, flip_columns, grown in wedges:
        box = _corner_view(painted, flip_rows, flip_columns)[: grown.shape[0], : grown.shape[1]]
        box[grown] = np.nan  # a view: painted in place, below
    level = np.float32(np.nanmedian(painted))  # the picture's paper: most of the rest
    if level > fill - CONTRAST:
        return None  # dark corners round a lighter picture are a desk round a sheet; corners
        # of the picture's own paper (a tight crop whose strokes reach the edges) are its own
    return np.where(np.isnan(painted), level, painted)  # (H, W)


_CORNERS = ((False, False), (False, True), (True, False), (True, True))  # rows, columns flipped


def _run(line: np.ndarray, fill: float) -> int:
    """How many pixels from the start of (n,) `line` lie within TOLERANCE of `fill`."""
    off = np.flatnonzero(np.abs(line - fill) > TOLERANCE)  # (k,)
    return int(off[0]) if len(off) else len(line)


def _corner_view(image: np.ndarray, flip_rows: bool, flip_columns: bool) -> np.ndarray:
    """A view of (H, W) `image` with the chosen corner at [0, 0]."""
    return image[:: -1 if flip_rows else 1, :: -1 if flip_columns else 1]


def _reach(shape: tuple[int, ...], across: float, down: float) -> np.ndarray:
    """(h, w) x / across + y / down from the corner at [0, 0]: under 1 inside the triangle
    whose legs run `across` along the first row and `down` along the first column."""
    rows = np.arange(shape[0], dtype=np.float32)[:, None]  # (h, 1)
    columns = np.arange(shape[1], dtype=np.float32)[None, :]  # (1, w)
    return columns / across + rows / down  # (h, w)
