"""Lines drawn along or round a number: an underline, a strike-through, a rule, a box.

None of them is a digit, and one that touches the digits joins them all into one blob. They
come off the ink mask before the blobs are found:
- a box drawn round the number, or printed boxes, one for each digit: a piece wider than any
  digit (MAX_WIDTH line heights, cuts.py) round another piece's box, its ink along the edges
  of its own box, or on straight lines along its rows and across its whole height. Printed
  boxes (a piece with rows across its whole width in its top and bottom bands) lose only
  those rows and the columns down their whole height (sides and dividers): a digit that
  touches them is part of their piece, and stays;
- a loop drawn round the number (a circle, an ellipse), found as /predict finds one round a
  digit (preprocessing/ring.py);
- a straight line: ink that runs along a row for LONG_RUN line heights or more, further than
  any digit's stroke or two touching digits' bars; or as far along a line a little off the
  rows (up to 0.12 rows a column: a hand-drawn strike-through), looked for where a piece is
  wider than any digit. Where a digit's stroke crossed the line (ink right above and right
  below it), the stroke keeps the line's pixels, so the line cuts no digit in two. A sliver
  along a slanted line's edge, where its runs fall short, may stay with a digit;
- a printed comb's ticks (a form's field: a base line with short upright bars between the
  cells): once the line is off, the solid upright bars left that stood on it, two or more,
  all about as tall and shorter than the digits.
A line apart from the digits and too short for this is left to groups.py, which takes no
flat piece wider than a digit.
"""

from __future__ import annotations

import math

import numpy as np

from model_core.preprocessing.components import (
    Piece,
    in_pieces,
    label_pieces,
    near_pieces,
    on_runs,
    row_runs,
)
from model_core.preprocessing.ring import ring_round

from .cuts import MAX_WIDTH
from .groups import line_height

LONG_RUN = 2.0  # line heights: no digit, nor two touching, runs along a row this far
FRAME_BAND = 0.25  # line heights: a box's ink lies this close to the edges of its box ...
INSIDE_SHARE = 0.05  # ... all but this share of it
FULL_HEIGHT = 0.9  # of a printed box's height: how far its sides and dividers run (and, of
# its width, its top and bottom)
TICK_HEIGHT = 0.9  # of the digits' height: a comb's ticks are shorter, ...
UPRIGHT = 2.0  # ... this many times as tall as they are wide or more, ...
SOLID = 0.8  # ... fill this share of their box or more (printed: straight and upright), ...
SAME_HEIGHT = 0.15  # ... and are all as tall as each other, within this share
SLOPES = (-0.12, -0.09, -0.06, -0.03, 0.03, 0.06, 0.09, 0.12)  # rows per column: slanted
# lines looked for where a piece is wider than any digit (a line may join them)


def without_lines(mask: np.ndarray, labels: np.ndarray, pieces: list[Piece]) -> np.ndarray | None:
    """(h, w) bool ink of a line of digits, its (h, w) piece labels and its pieces (some) ->
    the mask less boxes round the number or its digits and long straight runs along its
    rows; None when it has neither."""
    rounds = [p for p in pieces if _round_another(p, pieces)]
    loops = [p for p in rounds if _loop(p, mask)]
    line = line_height([p for p in pieces if p not in loops] or pieces)  # a loop round a
    # short number is taller than its digits
    # Printed boxes first: a digit touching them joins them, so they are not taken off whole.
    printed = {
        p.label: lines
        for p in rounds
        if p.box.width > MAX_WIDTH * line and (lines := _printed_lines(p, labels, line)) is not None
    }
    ruled = [p for p in rounds if p.label in printed]
    loops = [p for p in loops if p not in ruled]
    boxes = [p for p in rounds if p not in loops + ruled and _frame(p, labels, line)]
    frames = [p.label for p in loops + boxes]
    kept = mask & ~in_pieces(labels, frames) if frames else mask  # (h, w)
    long = on_runs(kept, math.ceil(LONG_RUN * line))  # (h, w)
    for lines in printed.values():
        long |= lines  # printed boxes' sides, dividers, tops and bottoms
    if any(p.box.width > MAX_WIDTH * line for p in pieces if p.label not in frames):
        long |= on_slanted_runs(kept, math.ceil(LONG_RUN * line))
    if not frames and not long.any():
        return None
    kept = kept & ~long | crossings(kept & ~long, long)  # (h, w)
    return kept & ~comb_ticks(kept, long) if long.any() else kept


def comb_ticks(ink: np.ndarray, line: np.ndarray) -> np.ndarray:
    """(h, w) bool `ink` left once the (h, w) `line` came off -> the pixels of its printed
    comb's ticks: solid upright bars that touched the line (within a pixel), two or more, all
    about as tall and under TICK_HEIGHT of the height of the other pieces; else none. A
    handwritten digit is seldom a solid bar, nor shorter than the others."""
    labels, pieces = label_pieces(ink)  # (h, w)
    touched = near_pieces(labels, line, 1)
    bars = [
        p
        for p in pieces
        if p.label in touched
        and p.box.height >= UPRIGHT * p.box.width
        and p.area >= SOLID * p.box.height * p.box.width
    ]
    others = [p for p in pieces if p not in bars]
    if len(bars) < 2 or not others:
        return np.zeros_like(ink)
    heights = [p.box.height for p in bars]
    tall = max(heights)
    if tall - min(heights) > SAME_HEIGHT * tall or tall >= TICK_HEIGHT * line_height(others):
        return np.zeros_like(ink)
    return in_pieces(labels, [p.label for p in bars])


def on_slanted_runs(mask: np.ndarray, length: int) -> np.ndarray:
    """(h, w) bool -> the pixels of its runs at least `length` columns long along lines that
    fall by one of SLOPES rows per column: the runs along the rows of the mask sheared back.
    A slope is sheared only where some sheared row holds `length` pixels of ink."""
    height, width = mask.shape
    found = np.zeros_like(mask)  # (h, w)
    ys, xs = np.nonzero(mask)  # (S,) each
    columns = np.arange(width)  # (w,)
    for slope in SLOPES:
        shift = np.round(slope * columns).astype(np.intp)  # (w,)
        shift -= shift.min()
        if np.bincount(ys + shift[xs]).max(initial=0) < length:
            continue  # no sheared row holds a run that long
        rows = np.arange(height)[:, None] + shift  # (h, w) each pixel's row once sheared
        sheared = np.zeros((height + int(shift.max()), width), dtype=bool)  # (h', w)
        sheared[rows, columns] = mask
        found |= on_runs(sheared, length)[rows, columns]
    return found


def crossings(ink: np.ndarray, line: np.ndarray) -> np.ndarray:
    """The pixels of (h, w) bool `line` where strokes of (h, w) `ink` cross it: each stretch of
    the line down a column with ink right above and right below it, in that column or the
    next either way (a slanted stroke)."""
    near = ink.copy()  # (h, w) ink, widened by a column either way
    near[:, 1:] |= ink[:, :-1]
    near[:, :-1] |= ink[:, 1:]
    columns, tops, bottoms = row_runs(line.T)  # (R,) each: the line's stretches down columns
    height = line.shape[0]
    above = near[np.maximum(tops - 1, 0), columns] & (tops > 0)  # (R,)
    below = near[np.minimum(bottoms, height - 1), columns] & (bottoms < height)  # (R,)
    crossed = np.flatnonzero(above & below)  # (C,)
    found = np.zeros_like(line)  # (h, w)
    for run in crossed:
        found[tops[run] : bottoms[run], columns[run]] = True
    return found


def _printed_lines(piece: Piece, labels: np.ndarray, line: int) -> np.ndarray | None:
    """Where `piece` of (h, w) `labels` has rows running FULL_HEIGHT of its width in its top
    and its bottom bands (a printed box's top and bottom, or a row of boxes'): its pixels on
    those rows and on its columns running FULL_HEIGHT of its height, as (h, w) bool, its
    sides, dividers, top and bottom without a digit that touches them. Else None."""
    own = piece.box.crop(labels) == piece.label  # (h', w')
    band = max(2, round(FRAME_BAND * line))
    across = on_runs(own, math.ceil(FULL_HEIGHT * piece.box.width))  # (h', w')
    if not (across[:band].any() and across[-band:].any()):
        return None
    down = on_runs(own.T, math.ceil(FULL_HEIGHT * piece.box.height)).T  # (h', w')
    found = np.zeros(labels.shape, dtype=bool)  # (h, w)
    piece.box.crop(found)[...] = down | across
    return found


def _round_another(piece: Piece, pieces: list[Piece]) -> bool:
    """`piece`'s box holds another piece's."""
    box = piece.box
    return any(
        box.left < other.box.left
        and other.box.right < box.right
        and box.top < other.box.top
        and other.box.bottom < box.bottom
        for other in pieces
    )


def _loop(piece: Piece, mask: np.ndarray) -> bool:
    """`piece` is a loop drawn round the rest of the ink in its box (ring.py)."""
    ring = ring_round(piece.box.crop(mask))
    return ring is not None and int(np.count_nonzero(ring)) == piece.area


def _frame(piece: Piece, labels: np.ndarray, line: int) -> bool:
    """`piece`, round another, is wider than any digit and a box: its ink keeps to the edges
    of its box (drawn round the number), or lies on straight lines, along its rows or across
    its whole height (printed boxes, one for each digit). Not digits with an underline."""
    box = piece.box
    if box.width <= MAX_WIDTH * line:
        return False
    own = box.crop(labels) == piece.label  # (h, w)
    band = max(2, round(FRAME_BAND * line))
    if np.count_nonzero(own[band:-band, band:-band]) <= INSIDE_SHARE * piece.area:
        return True
    rows = on_runs(own, math.ceil(LONG_RUN * line))  # (h, w)
    columns = on_runs(own.T, math.ceil(FULL_HEIGHT * box.height)).T  # (h, w)
    return int(np.count_nonzero(rows | columns)) >= (1 - INSIDE_SHARE) * piece.area
