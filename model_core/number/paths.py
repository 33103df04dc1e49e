"""The reading of a line: the path of candidate digits that tiles it with the highest score.

Each candidate spans positions i to j of the line (a blob's cuts, candidates.py) and has a
score; a path is a run of candidates, each starting where the last ended, from position 0 to
the line's last. Both searches are dynamic programmes over the positions.
"""

from __future__ import annotations

import math

import numpy as np

Span = tuple[int, int]


def best_path(last: int, spans: list[Span], scores: list[float]) -> list[int] | None:
    """Indices of the spans that tile positions 0 .. `last` with the highest total score;
    None when no spans of finite score tile them."""
    best: dict[int, tuple[float, list[int]]] = {0: (0.0, [])}
    for end in sorted({j for _, j in spans}):
        options = [
            (best[i][0] + score, [*best[i][1], index])
            for index, ((i, j), score) in enumerate(zip(spans, scores, strict=True))
            if j == end and i in best and score > -math.inf
        ]
        if options:
            best[end] = max(options, key=lambda option: option[0])
    return best[last][1] if last in best else None


def best_through(last: int, spans: list[Span], scores: np.ndarray) -> np.ndarray:
    """(N,) for each of N spans, the highest total score of a path through it that tiles
    positions 0 .. `last`; -inf where none does. `scores` (N,), -inf for a span no path
    may take."""
    usable = [(k, i, j) for k, (i, j) in enumerate(spans) if scores[k] > -math.inf]
    before = {0: 0.0}  # the best total of a path from 0 to each position
    for k, i, j in sorted(usable, key=lambda item: item[2]):
        if i in before:
            before[j] = max(before.get(j, -math.inf), before[i] + float(scores[k]))
    after = {last: 0.0}  # ... and from each position to the last
    for k, i, j in sorted(usable, key=lambda item: -item[1]):
        if j in after:
            after[i] = max(after.get(i, -math.inf), float(scores[k]) + after[j])
    through = np.full(len(spans), -math.inf)  # (N,)
    for k, i, j in usable:
        if i in before and j in after:
            through[k] = before[i] + float(scores[k]) + after[j]
    return through
