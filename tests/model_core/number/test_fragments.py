"""Tests for fragments.py: a cut blob's atoms give each candidate the pieces that labelling
the candidate's own ink gives."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.number.cuts import between
from model_core.number.fragments import FRAGMENT_SHARE, CutBlob
from model_core.preprocessing.components import label_pieces


def _by_labelling(ink: np.ndarray, cuts: list[np.ndarray], local: tuple[int, int]) -> np.ndarray:
    """The candidate's ink (crop as candidates.py makes it) less its fragments, found by
    labelling that ink alone; and the crop's first column."""
    inside = between(cuts, local, ink.shape)  # (h, w)
    columns = np.flatnonzero(inside.any(axis=0))
    left, right = int(max(columns[0] - 1, 0)), int(min(columns[-1] + 2, ink.shape[1]))
    inside = inside[:, left:right]
    part = np.where(inside, ink[:, left:right], np.float32(0))  # (h, w')
    edge = np.zeros_like(inside)
    if local[0] > 0:
        edge[:, 1:] |= inside[:, 1:] & ~inside[:, :-1]
    if local[1] <= len(cuts):
        edge[:, :-1] |= inside[:, :-1] & ~inside[:, 1:]
    labels, pieces = label_pieces(part > 0)
    total = sum(p.area for p in pieces)
    along = set(np.unique(labels[edge]).tolist())
    small = [p.label for p in pieces if p.area < FRAGMENT_SHARE * total and p.label in along]
    return np.where(np.isin(labels, small), np.float32(0), part), left


def _candidates(cuts: list[np.ndarray]) -> list[tuple[int, int]]:
    last = len(cuts) + 1
    return [(i, j) for i in range(last) for j in range(i + 1, last + 1) if (i, j) != (0, last)]


@pytest.mark.parametrize("seed", range(6))
def test_every_candidate_loses_what_labelling_its_own_ink_drops(seed: int) -> None:
    rng = np.random.default_rng(seed)
    height, width = 24, 40
    ink = (rng.random((height, width)) < 0.45) * rng.random((height, width))  # (h, w)
    ink = ink.astype(np.float32)
    steps = rng.integers(-1, 2, size=(3, height))  # wandering seams, which may cross
    starts = np.array([10, 18, 27])[:, None]
    cuts = [np.clip(s + np.cumsum(d), 1, width - 1) for s, d in zip(starts, steps, strict=True)]
    blob = CutBlob(ink, cuts)
    dropped = 0
    for local in _candidates(cuts):
        if not between(cuts, local, ink.shape).any():
            continue
        expected, left = _by_labelling(ink, cuts, local)
        part = np.where(between(cuts, local, ink.shape), ink, np.float32(0))[
            :, left : left + expected.shape[1]
        ]
        got = blob.without_fragments(part, local, left)
        assert np.array_equal(got, expected), local
        dropped += not np.array_equal(got, part)
    assert dropped > 0  # some candidate had a fragment to drop


def test_a_sliver_a_cut_leaves_is_dropped_and_the_digit_kept() -> None:
    ink = np.zeros((12, 14), dtype=np.float32)  # (h, w)
    ink[1:11, 2:4] = 1.0  # the left digit: a tall stroke ...
    ink[4:6, 4:8] = 1.0  # ... with a bar running right, across the cut at column 6
    ink[1:11, 10:12] = 1.0  # the right digit, apart from the bar's end
    blob = CutBlob(ink, [np.full(12, 6, dtype=np.intp)])
    columns = np.arange(14)
    left_part = np.where(columns < 6, ink, np.float32(0))  # (h, w) the candidate (0, 1)
    assert np.array_equal(blob.without_fragments(left_part, (0, 1), 0), left_part)
    right_part = np.where(columns >= 6, ink, np.float32(0))  # the candidate (1, 2)
    kept = blob.without_fragments(right_part, (1, 2), 0)
    assert not kept[4:6, 6:8].any()  # the bar's end: 4 of 24 px, along the cut
    assert np.array_equal(kept[:, 10:12], ink[:, 10:12])  # the right digit, whole
