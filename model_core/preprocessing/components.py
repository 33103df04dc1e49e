"""Connected pieces of ink (8-connected), found through the runs of each row.

A row's runs of set pixels join the runs of the row above that they touch, diagonals
included; the pieces are the connected groups of runs. A line of digits holds a few thousand
runs at most, and every step works on all of them at once: the touching pairs come from two
sorted searches, the groups from hooking and pointer jumping (as in Shiloach and Vishkin's
parallel connected components), a few passes over the runs rather than one per pixel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model_core.preprocessing.box import Box
from model_core.preprocessing.morphology import square_filter

FEW_PIECES = 8  # in_pieces compares label by label up to this many pieces


@dataclass(frozen=True)
class Piece:
    """One connected piece of ink."""

    label: int  # its value in the label image
    box: Box
    area: int  # set pixels


def label_pieces(mask: np.ndarray) -> tuple[np.ndarray, list[Piece]]:
    """(H, W) bool -> (H, W) int32 labels (0 off the ink, 1.. for the pieces) and the pieces,
    left to right."""
    height, width = mask.shape
    rows, starts, ends = row_runs(mask)  # (R,) each
    first, second = touching_runs(rows, starts, ends, width)  # (E,), (E,) run pairs
    roots = smallest_connected(len(rows), first, second)  # (R,)
    unique, run_labels = np.unique(roots, return_inverse=True)  # (P,), (R,) labels 0..P-1
    lengths = ends - starts  # (R,)
    run_of = np.repeat(np.arange(len(rows)), lengths)  # (S,) the run of every set pixel
    first_pixel = np.cumsum(lengths) - lengths  # (R,) each run's first index among them
    columns = starts[run_of] + np.arange(run_of.size) - first_pixel[run_of]  # (S,)
    labels = np.zeros((height, width), dtype=np.int32)  # (H, W)
    labels[rows[run_of], columns] = run_labels[run_of] + 1
    count = len(unique)
    left = np.full(count, width, dtype=np.intp)
    top = np.full(count, height, dtype=np.intp)
    right = np.zeros(count, dtype=np.intp)
    bottom = np.zeros(count, dtype=np.intp)
    np.minimum.at(left, run_labels, starts)
    np.minimum.at(top, run_labels, rows)
    np.maximum.at(right, run_labels, ends)
    np.maximum.at(bottom, run_labels, rows + 1)
    areas = np.bincount(run_labels, weights=lengths, minlength=count)  # (P,)
    pieces = [
        Piece(value + 1, Box(int(left[value]), int(top[value]), int(right[value]),
                             int(bottom[value])), int(areas[value]))
        for value in range(count)
    ]  # fmt: skip
    pieces.sort(key=lambda piece: (piece.box.left, piece.box.top))
    return labels, pieces


def in_pieces(labels: np.ndarray, own: Sequence[int]) -> np.ndarray:
    """(H, W) labels -> (H, W) bool, True on the pieces `own`: np.isin, but comparing label by
    label, several times faster for the few pieces a digit has."""
    if not own or len(own) > FEW_PIECES:
        return np.isin(labels, own)
    mask = labels == own[0]  # (H, W)
    for label in own[1:]:
        mask |= labels == label
    return mask


def reaches(box: Box, picture: Box, margin: int = 0) -> bool:
    """Whether `box`, inside `picture` (both in the same coordinates), comes within `margin`
    pixels of one of its edges (0: touches it)."""
    return (
        box.left - picture.left <= margin or box.top - picture.top <= margin
        or picture.right - box.right <= margin or picture.bottom - box.bottom <= margin
    )  # fmt: skip


def near_pieces(labels: np.ndarray, mask: np.ndarray, reach: int) -> set[int]:
    """The labels of the pieces in (H, W) `labels` with a pixel within `reach` pixels (a
    square's half side) of the (H, W) bool `mask`."""
    near = square_filter(mask, 2 * reach + 1, np.maximum, 0.0) > 0  # (H, W)
    return set(np.unique(labels[near]).tolist()) - {0}


def row_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The runs of set pixels of (H, W) bool, in reading order: (R,) each one's row, first
    column and one past its last column.

    The rows, each padded with a clear pixel at both ends so that no run goes on into the
    next, are laid end to end: the runs' edges are where that one line changes, a run's
    first pixel then one past its last. One 1-D search: a 2-D np.nonzero costs several times
    as much on a line's page."""
    height, width = mask.shape
    padded = np.zeros((height, width + 2), dtype=bool)
    padded[:, 1:-1] = mask
    line = padded.ravel()  # (H * (W + 2),)
    edges = np.flatnonzero(line[1:] != line[:-1]) + 1  # (2R,) starts and ends, alternating
    rows, starts = np.divmod(edges[0::2], width + 2)  # (R,) each
    return rows, starts - 1, edges[1::2] - rows * (width + 2) - 1


def touching_runs(
    rows: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b) of runs, a in the row above b's, that touch (diagonals included): run a
    spans [starts[a], ends[a]) and touches b when starts[a] <= ends[b] and ends[a] >= starts[b].
    The runs are in reading order, so within a row both their starts and ends increase."""
    stride = width + 2  # keys row * stride + column keep the rows apart, in order
    below = np.flatnonzero(rows > 0)  # (B,) runs with a row above
    above_row = (rows[below] - 1) * stride  # (B,)
    lo = np.searchsorted(rows * stride + ends, above_row + starts[below], side="left")  # (B,)
    hi = np.searchsorted(rows * stride + starts, above_row + ends[below], side="right")  # (B,)
    counts = np.maximum(hi - lo, 0)  # (B,) runs above that each one touches
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)  # (E,)
    return np.repeat(lo, counts) + offsets, np.repeat(below, counts)


def smallest_connected(count: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """(count,) for each of `count` nodes, the smallest node connected to it through the
    edges (first[e], second[e]).

    Each pass hooks the larger of every edge's two labels onto the smaller, then follows
    labels to their ends (pointer jumping); labels only ever fall, and stop where every edge
    joins equal labels."""
    labels = np.arange(count)  # (count,)
    while True:
        low = np.minimum(labels[first], labels[second])  # (E,)
        hooked = labels.copy()
        np.minimum.at(hooked, labels[first], low)
        np.minimum.at(hooked, labels[second], low)
        while not np.array_equal(jumped := hooked[hooked], hooked):
            hooked = jumped
        if np.array_equal(hooked, labels):
            return labels
        labels = hooked


def on_runs(mask: np.ndarray, length: int) -> np.ndarray:
    """(h, w) bool -> the pixels of its runs along a row at least `length` long."""
    rows, starts, ends = row_runs(mask)  # (R,) each
    long = np.flatnonzero(ends - starts >= length)  # (L,)
    found = np.zeros_like(mask)  # (h, w)
    for run in long:
        found[rows[run], starts[run] : ends[run]] = True
    return found
