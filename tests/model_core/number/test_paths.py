"""Tests for paths.py: the best path through a line's candidates, and the best through each."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from model_core.number.paths import best_path, best_through


def _tilings(last: int, spans: list[tuple[int, int]]) -> list[list[int]]:
    """Every run of spans from position 0 to `last`, each starting where the last ended."""
    found = []
    for count in range(1, last + 1):
        for chosen in itertools.permutations(range(len(spans)), count):
            ends = [0, *(spans[k][1] for k in chosen)]
            if all(spans[k][0] == ends[n] for n, k in enumerate(chosen)) and ends[-1] == last:
                found.append(list(chosen))
    return found


def test_best_path_takes_the_highest_total_and_needs_a_tiling() -> None:
    spans = [(0, 2), (0, 1), (1, 2)]
    assert best_path(2, spans, [-3.0, -1.0, -1.0]) == [1, 2]
    assert best_path(2, spans, [-1.0, -1.0, -1.0]) == [0]
    assert best_path(2, spans[1:2], [0.0]) is None  # nothing reaches position 2


@pytest.mark.parametrize("seed", range(5))
def test_best_through_each_span_is_the_best_of_every_tiling_through_it(seed: int) -> None:
    rng = np.random.default_rng(seed)
    spans = [(i, j) for i in range(5) for j in range(i + 1, min(i + 3, 5) + 1)]
    scores = rng.normal(size=len(spans))  # (N,)
    scores[rng.random(len(spans)) < 0.2] = -math.inf  # spans no path may take

    through = best_through(5, spans, scores)

    tilings = [t for t in _tilings(5, spans) if all(scores[k] > -math.inf for k in t)]
    for k in range(len(spans)):
        totals = [sum(scores[n] for n in t) for t in tilings if k in t]
        assert through[k] == pytest.approx(max(totals, default=-math.inf), abs=1e-12)
    best = best_path(5, spans, list(scores))
    assert best is not None and all(through[k] == pytest.approx(through.max()) for k in best)
