"""The small pieces that cuts leave along a candidate's edges, for every candidate of a blob.

A candidate between two cuts of a blob (cuts.py) loses the pieces of its ink that touch a
cut and hold under FRAGMENT_SHARE of its ink: strokes of the digit next door. Labelling each
candidate's ink anew cost as much as the rest of its making. Here the blob's ink is labelled
once, along every cut at once: an atom is a connected piece of pixels that each lie on the
same side of every cut. Each candidate's ink is then a union of whole atoms, and its pieces
are those atoms joined where two of them touch across a cut inside it: a handful of atoms,
not thousands of pixels. Cuts may cross; the atoms do not mind.
"""

from __future__ import annotations

import numpy as np

from model_core.preprocessing.components import row_runs, smallest_connected, touching_runs

from .cuts import edges_of

FRAGMENT_SHARE = 0.2  # a piece a cut leaves at its edge, under this share of the ink, is
# the neighbour's stroke and is dropped


class CutBlob:
    """A blob's (h, w) ink and its cuts (each (h,), the first column right of the cut in
    every row), labelled into atoms."""

    def __init__(self, ink: np.ndarray, cuts: list[np.ndarray]) -> None:
        height, width = ink.shape
        self.cuts = cuts
        self.width = width
        self.edges = np.stack(edges_of(cuts, ink.shape))  # (K + 2, h): left edge, cuts, right
        rows, starts, ends, run = _split_runs(ink > 0, self.edges)  # (R,) each
        sides = starts[:, None] >= self.edges[:, rows].T  # (R, K + 2) right of each edge
        first, second = touching_runs(rows, starts, ends, width)  # (E,) each
        beside = np.flatnonzero(run[1:] == run[:-1])  # a run split by a cut: its parts touch
        first, second = np.r_[first, beside], np.r_[second, beside + 1]
        same = (sides[first] == sides[second]).all(axis=1)  # (E,) on the same side of all
        atom_of = np.unique(smallest_connected(len(rows), first[same], second[same]),
                            return_inverse=True)[1]  # fmt: skip
        count = int(atom_of.max(initial=-1)) + 1
        self.areas: list[float] = np.bincount(
            atom_of, weights=ends - starts, minlength=count
        ).tolist()
        self.sides = np.zeros((count, len(self.edges)), dtype=bool)  # (A, K + 2)
        self.sides[atom_of] = sides
        across = np.unique(np.stack([atom_of[first[~same]], atom_of[second[~same]]]), axis=1)
        self.across: list[list[int]] = across.T.tolist()  # pairs of atoms touching across a cut
        self.atoms = np.full((height, width), -1, dtype=np.intp)  # (h, w) each pixel's atom
        lengths = ends - starts
        pixel_run = np.repeat(np.arange(len(rows)), lengths)  # (S,)
        offsets = np.arange(pixel_run.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        self.atoms[rows[pixel_run], starts[pixel_run] + offsets] = atom_of[pixel_run]
        at = np.arange(height)
        self.right_of = self.atoms[at, np.minimum(self.edges, width - 1)]  # (K + 2, h)
        self.right_of[self.edges >= width] = -1  # the atom just right of each edge, if any
        self.left_of = self.atoms[at, np.maximum(self.edges - 1, 0)]  # (K + 2, h)
        self.left_of[self.edges < 1] = -1  # ... and just left of it

    def without_fragments(self, part: np.ndarray, local: tuple[int, int], left: int) -> np.ndarray:
        """(h, w') the ink between the cuts `local`, columns `left` on, less the pieces along
        either cut (not the blob's own edges) under FRAGMENT_SHARE of its ink."""
        first, last = local
        inside = self.sides[:, first] & ~self.sides[:, last]  # (A,) the candidate's atoms
        start, stop = self.edges[first], self.edges[last]  # (h,) each
        open_rows = start < stop  # (h,) the rows it has pixels in
        along = []  # the atoms with a pixel along a cut, not along the blob's own edges
        if first > 0:
            along.append(self.right_of[first][open_rows & (start >= 1)])
        if last < len(self.edges) - 1:
            along.append(self.left_of[last][open_rows & (stop < self.width)])
        touching = np.unique(np.concatenate(along)) if along else np.zeros(0, np.intp)
        touching = touching[touching >= 0]
        if not touching.size:
            return part  # the cuts split no ink: no fragments
        pieces = _pieces(inside.tolist(), self.across)  # {atom: its piece's smallest atom}
        areas: dict[int, float] = {}
        for atom, piece in pieces.items():
            areas[piece] = areas.get(piece, 0.0) + self.areas[atom]
        total = sum(areas.values())
        small = {pieces[a] for a in touching.tolist() if areas[pieces[a]] < FRAGMENT_SHARE * total}
        if not small:
            return part
        dropped = [atom for atom, piece in pieces.items() if piece in small]
        crop = self.atoms[:, left : left + part.shape[1]]  # (h, w')
        return np.where(np.isin(crop, dropped), np.float32(0), part)


def _split_runs(
    mask: np.ndarray, edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs of (h, w) bool, each split where an edge ((E, h): a column in every row)
    falls inside it: (R,) each part's row, first column, one past its last, and the run it
    was part of. Still in reading order."""
    rows, starts, ends = row_runs(mask)  # (N,) each
    at = edges[:, rows]  # (E, N) each edge's column in each run's row
    edge, run = np.nonzero((at > starts) & (at < ends))  # edges strictly inside a run
    runs = np.r_[np.arange(len(rows)), run]  # (P,) where each part starts: the run's start,
    begins = np.r_[starts, at[edge, run]]  # then each edge inside it
    order = np.lexsort((begins, runs))
    runs, begins = runs[order], begins[order]
    fresh = np.r_[True, (runs[1:] != runs[:-1]) | (begins[1:] != begins[:-1])]  # two edges
    runs, begins = runs[fresh], begins[fresh]  # at one column split once
    last = np.r_[runs[1:] != runs[:-1], True]  # (P,) the last part of its run
    finish = np.r_[begins[1:], 0]
    finish[last] = ends[runs[last]]
    return rows[runs], begins, finish, runs


def _pieces(inside: list[bool], across: list[list[int]]) -> dict[int, int]:
    """The atoms `inside` (a flag for each) joined where they touch across a cut (`across`,
    atom pairs): each inside atom's piece, named by its smallest atom (union-find)."""
    parent = list(range(len(inside)))

    def root(atom: int) -> int:
        while parent[atom] != atom:
            parent[atom] = parent[parent[atom]]
            atom = parent[atom]
        return atom

    for a, b in across:
        if inside[a] and inside[b]:
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)
    return {atom: root(atom) for atom, flag in enumerate(inside) if flag}
