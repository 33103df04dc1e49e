"""Lines drawn along or round a number: an underline, a strike-through, a rule, a box.

None of them is a digit, and one that touches the digits joins them all into one blob. They
come off the ink mask before the blobs are found:
- a box drawn round the number: a piece wider than any digit (MAX_WIDTH line heights,
  cuts.py) round another piece's box, its ink along the edges of its own box;
- a straight line: ink that runs along a row for LONG_RUN line heights or more, further than
  any digit's stroke or two touching digits' bars. The digits' strokes lose only the few rows
  in which the line crossed them.
A line apart from the digits and too short for this is left to groups.py, which takes no
flat piece wider than a digit.
"""

from __future__ import annotations

import math

import numpy as np

from model_core.preprocessing.box import Box

from .components import Piece, row_runs
from .cuts import MAX_WIDTH
from .groups import line_height

LONG_RUN = 2.0  # line heights: no digit, nor two touching, runs along a row this far
FRAME_BAND = 0.25  # line heights: a box's ink lies this close to the edges of its box ...
INSIDE_SHARE = 0.05  # ... all but this share of it


def without_lines(mask: np.ndarray, labels: np.ndarray, pieces: list[Piece]) -> np.ndarray | None:
    """(h, w) bool ink of a line of digits, its (h, w) piece labels and its pieces (some) ->
    the mask less boxes round the number and long straight runs along its rows; None when
    it has neither."""
    line = line_height(pieces)
    frames = [p.label for p in pieces if _frame(p, pieces, labels, line)]
    kept = mask & ~np.isin(labels, frames) if frames else mask  # (h, w)
    rows, starts, ends = row_runs(kept)  # (R,) each
    long = ends - starts >= math.ceil(LONG_RUN * line)  # (R,)
    if not frames and not long.any():
        return None
    kept = kept.copy() if kept is mask else kept
    for row, start, end in zip(rows[long], starts[long], ends[long], strict=True):
        kept[row, start:end] = False
    return kept


def _frame(piece: Piece, pieces: list[Piece], labels: np.ndarray, line: int) -> bool:
    """`piece` is wider than any digit, its box holds another piece's, and its ink keeps to
    the edges of its box: a box drawn round the number, not digits with an underline."""
    box = piece.box
    if box.width <= MAX_WIDTH * line or not any(
        box.left < other.box.left
        and other.box.right < box.right
        and box.top < other.box.top
        and other.box.bottom < box.bottom
        for other in pieces
    ):
        return False
    band = max(2, round(FRAME_BAND * line))
    inner = Box(box.left + band, box.top + band, box.right - band, box.bottom - band)
    if inner.width < 1 or inner.height < 1:
        return False
    return int(np.count_nonzero(inner.crop(labels) == piece.label)) <= INSIDE_SHARE * piece.area
