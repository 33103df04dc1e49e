"""Where a blob of touching digits may be cut.

A blob wider than a digit may hold several that touch or tuck under each other. A cut is a
path from the blob's top row to its bottom row, one pixel per row, moving at most one column
a row (a seam), that splits as little ink as it can: a path along a stroke's edge costs
nothing, one through a stroke its ink. The cheapest paths through each column of a row a
quarter, half and three quarters down are the candidates; the cheapest are kept, spread
along the blob, with straight cuts where the outline dips between two rises (valleys). Every
stretch between two cuts that is as wide as a digit can be is a candidate digit
(candidates.py), and paths.py picks the reading of the line.
"""

from __future__ import annotations

import math

import numpy as np

MIN_WIDTH = 0.12  # of the line's height: no digit is narrower (an upright 1)
MAX_WIDTH = 1.4  # nor wider
SPLIT_WIDTH = 0.9  # a blob narrower than this share of the line's height is one digit
CUTS_PER_LINE = 6  # candidate cuts kept per line height of the blob's width ...
SEPARATION = 0.1  # ... each at least this share of the line's height from the others
WIDE = 1.2  # a blob this many line heights wide or wider holds touching digits: where the
# sequence reader reads it, it is not cut at all (candidates.py, run Z); elsewhere it keeps
WIDE_CUTS_PER_LINE = 3  # this many a line height, as many readings right, far fewer
# candidates (run C' in docs/experiments.md)
VALLEY_REACH = 0.4  # of the line's height: how far either side an outline must rise ...
VALLEY_DEPTH = 0.12  # ... and by how much, for a dip in it to be a valley
STEP_COST = 0.15  # ink-equivalents a path pays to move one column: straight cuts preferred


def candidate_cuts(ink: np.ndarray, line: int) -> list[np.ndarray]:
    """Cut paths through (h, w) `ink` (one blob), each (h,) the first column right of the cut
    in every row, left to right; none when the blob is too narrow to hold two digits.

    Through each column of three rows, the cheapest path (from the top down to it, then on
    to the bottom); where that cost is a local minimum along the row, a candidate. The
    cheapest candidates are kept, CUTS_PER_LINE per line height of the blob's width
    (WIDE_CUTS_PER_LINE in a blob of touching digits), no two closer than SEPARATION line
    heights."""
    height, width = ink.shape
    margin = max(1, math.floor(MIN_WIDTH * line))
    if width < SPLIT_WIDTH * line or width <= 2 * margin:
        return []
    crossing = _crossing_cost(ink)  # (h, w)
    down, came_down = _seams(crossing)  # (h, w) cheapest path from the top to each pixel
    up, came_up = _seams(crossing[::-1])  # ... and from the bottom
    through = down + up[::-1] - crossing  # (h, w) the cheapest whole path through each pixel
    per_line = WIDE_CUTS_PER_LINE if width >= WIDE * line else CUTS_PER_LINE
    keep = math.ceil(per_line * width / line)
    found: dict[int, tuple[float, np.ndarray]] = {}
    for row in (height // 4, height // 2, 3 * height // 4):
        cost = through[row]  # (w,)
        inner = np.arange(margin, width - margin)
        before = np.concatenate(([np.inf], cost[:-1]))  # (w,) each column's left neighbour
        after = np.concatenate((cost[1:], [np.inf]))
        ends = inner[(cost[inner] <= before[inner]) & (cost[inner] < after[inner])]  # minima
        for c in ends:
            top = _backtrack(came_down[: row + 1], int(c))
            bottom = _backtrack(came_up[: height - row], int(c))[::-1]
            path = np.concatenate((top, bottom[1:]))  # (h,)
            found.setdefault(round(float(path.mean())), (float(cost[c]), path))
    where = [float(c) for c in valleys(ink, line, margin)]  # each kept cut's mean column
    kept = [np.full(height, int(c), dtype=np.intp) for c in where]
    apart = SEPARATION * line
    for _, path in sorted(found.values(), key=lambda item: item[0]):
        if len(kept) >= keep:
            break
        at = float(path.mean())
        if all(abs(at - other) >= apart for other in where):
            kept.append(path)
            where.append(at)
    return [kept[i] for i in np.argsort(where, kind="stable")]


def valleys(ink: np.ndarray, line: int, margin: int) -> list[int]:
    """Columns of (h, w) `ink` where its outline dips between two rises, from above or from
    below, by at least VALLEY_DEPTH line heights: where two round digits meet (two 0s touch
    along their sides, which no cheap path crosses)."""
    height, width = ink.shape
    rows = np.arange(height)[:, None]  # (h, 1)
    inked = ink > 0  # (h, w)
    from_top = np.where(inked, rows, height).min(axis=0)  # (w,) the outline's depth
    from_bottom = height - 1 - np.where(inked, rows, -1).max(axis=0)  # (w,)
    reach = max(2, round(VALLEY_REACH * line))
    found: list[int] = []
    for depth in (from_top, from_bottom):
        padded = np.pad(depth.astype(np.float64), reach, constant_values=np.inf)
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1)  # (w, 2r+1)
        rim = np.maximum(windows[:, :reach].min(axis=1), windows[:, reach + 1 :].min(axis=1))
        deepest = depth >= np.where(np.isinf(windows), -np.inf, windows).max(axis=1)  # (w,)
        dips = deepest & (depth - rim >= VALLEY_DEPTH * line)  # (w,)
        found.extend(int(c) for c in np.flatnonzero(dips) if margin <= c < width - margin)
    return sorted(set(found))


def _crossing_cost(ink: np.ndarray) -> np.ndarray:
    """(h, w): what a cut between columns c - 1 and c of each row costs: the ink it splits."""
    padded = np.pad(ink, ((0, 0), (1, 0)))  # (h, w + 1)
    return np.minimum(padded[:, :-1], ink)  # (h, w) nothing when one side is paper


def _seams(crossing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dynamic programme over the rows of (h, w) `crossing`: the cost of the cheapest path
    from the first row to every pixel, and the column offset (-1, 0, 1) it came from."""
    height, width = crossing.shape
    totals = np.empty((height, width), dtype=np.float64)  # (h, w)
    totals[0] = crossing[0]
    came_from = np.zeros((height, width), dtype=np.int8)  # (h, w)
    columns = np.arange(width)
    for row in range(1, height):
        total = totals[row - 1]
        options = np.full((3, width), np.inf)  # (3, w) from columns c - 1, c, c + 1
        options[0, 1:] = total[:-1] + STEP_COST
        options[1] = total
        options[2, :-1] = total[1:] + STEP_COST
        move = options.argmin(axis=0)  # (w,) 0, 1, 2
        totals[row] = options[move, columns] + crossing[row]
        came_from[row] = move - 1
    return totals, came_from


def _backtrack(came_from: np.ndarray, end: int) -> np.ndarray:
    """The (h,) columns, first row to last, of the path that ends at column `end`."""
    height = came_from.shape[0]
    path = np.empty(height, dtype=np.intp)
    column = end
    for row in range(height - 1, -1, -1):
        path[row] = column
        column += int(came_from[row, column])
    return path


def candidate_spans(cuts: list[np.ndarray], width: int, line: int) -> list[tuple[int, int]]:
    """Pairs (i, j) of cut indices, 0 the blob's left edge and len(cuts) + 1 its right, that
    a digit could fill; the whole blob (0, len(cuts) + 1) always first."""
    where = [0.0, *(float(c.mean()) for c in cuts), float(width)]
    last = len(where) - 1
    narrowest, widest = MIN_WIDTH * line, MAX_WIDTH * line
    spans = [
        (i, j)
        for i in range(last)
        for j in range(i + 1, last + 1)
        if narrowest <= where[j] - where[i] <= widest and (i, j) != (0, last)
    ]
    return [(0, last), *spans]


def edges_of(cuts: list[np.ndarray], shape: tuple[int, int]) -> list[np.ndarray]:
    """A blob of `shape`'s left edge, its cuts and its right edge: (h,) each, the first column
    right of it in every row. A span (i, j) lies between edges i and j."""
    height, width = shape
    return [np.zeros(height, np.intp), *cuts, np.full(height, width, np.intp)]


def between(cuts: list[np.ndarray], span: tuple[int, int], shape: tuple[int, int]) -> np.ndarray:
    """(h, w) bool: the pixels of a blob of `shape` between the span's two cuts."""
    width = shape[1]
    edges = edges_of(cuts, shape)
    columns = np.arange(width)[None, :]  # (1, w)
    start, stop = edges[span[0]][:, None], edges[span[1]][:, None]  # (h, 1)
    return (columns >= start) & (columns < stop)
