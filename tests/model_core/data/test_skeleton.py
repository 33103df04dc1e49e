"""The centre line of a digit: one pixel wide, still connected, and drawable as segments."""

from __future__ import annotations

import numpy as np

from model_core.data.skeleton import centre_line, thin


def _pieces(mask: np.ndarray) -> int:
    """8-connected pieces of a small mask, by flood fill."""
    seen = np.zeros_like(mask)
    count = 0
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        count += 1
        stack = [start]
        while stack:
            r, c = stack.pop()
            if not (0 <= r < mask.shape[0] and 0 <= c < mask.shape[1]):
                continue
            if seen[r, c] or not mask[r, c]:
                continue
            seen[r, c] = True
            stack += [(r + dr, c + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
    return count


def test_a_thick_bar_thins_to_a_one_pixel_line_along_its_middle() -> None:
    bar = np.zeros((20, 30), bool)
    bar[8:13, 3:27] = True  # 5 px thick, 24 long
    line = thin(bar)
    assert line.sum() >= 15 and np.all(line.sum(axis=0) <= 1)  # one pixel per column
    assert set(np.nonzero(line)[0]) <= {9, 10, 11}
    assert _pieces(line) == 1


def test_a_thick_ring_stays_one_closed_loop() -> None:
    ys, xs = np.mgrid[0:28, 0:28] - 13.5
    ring = (np.hypot(ys, xs) > 6) & (np.hypot(ys, xs) < 10)  # (28, 28) a zero
    line = thin(ring)
    assert _pieces(line) == 1 and line.sum() < ring.sum() / 3
    assert not line[13, 13] and line[13].sum() == 2  # the hole is kept: two crossings


def test_centre_line_segments_join_neighbours_of_the_thinned_strokes(digit_7: np.ndarray) -> None:
    segments = centre_line(digit_7, smoothing=0)
    line = thin(digit_7 > 100)
    ends = {point for segment in segments for point in segment}
    assert ends == {(float(r), float(c)) for r, c in zip(*np.nonzero(line), strict=True)}
    assert all(max(abs(a - c), abs(b - d)) <= 1 for (a, b), (c, d) in segments)
    smooth = centre_line(digit_7)
    assert len(smooth) == len(segments)  # smoothing moves points, it adds none
