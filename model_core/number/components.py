"""Connected pieces of ink (8-connected), found through the runs of each row.

A row's runs of set pixels join the runs of the row above that they touch, diagonals
included; a union-find over the runs gives the pieces. A line of digits holds a few thousand
runs at most, so this costs far less than a pass per pixel would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model_core.preprocessing.box import Box


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
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)  # (H, W + 1): +1 where a run starts, -1 past its end
    rows, starts = np.nonzero(steps == 1)  # (R,) each run's row and first column
    ends = np.nonzero(steps == -1)[1]  # (R,) one past each run's last column
    parent = list(range(len(rows)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first = np.searchsorted(rows, np.arange(height + 1))  # (H + 1,) each row's first run
    for row in range(1, height):
        above, here = range(first[row - 1], first[row]), range(first[row], first[row + 1])
        i = above.start
        for j in here:  # runs of both rows go left to right: one merge-like sweep
            while i < above.stop and ends[i] < starts[j]:  # run i ends left of j's reach
                i += 1
            k = i
            while k < above.stop and starts[k] <= ends[j]:  # touches, diagonals included
                a, b = root(k), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
                k += 1
    roots = np.fromiter((root(i) for i in range(len(rows))), dtype=np.intp, count=len(rows))
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
