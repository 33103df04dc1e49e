"""Straight lines across the whole picture painted over: a scanner's or a fax's streaks.

A speck on a scanner's glass or a fax's head draws a thin line down the whole page, often as
dark as the pen; a table's or a form's ruled line may cross the whole picture too. Left in,
such a line stretched the digit's box or was read as a 1. A streak is a run of at most WIDEST
columns (or rows) of the reduced ink copy that is ink in every one of its pixels, from one
edge of the picture to the other, between columns that are not. It is painted over by
interpolating across it, row by row, from the paper or strokes on either side, which keeps
the strokes that cross it.

A streak is left alone at the picture's edges (edge bands, edges.py), where there are more
than MOST a way (the rules of lined or graph paper, rules.py; a striped table), and unless the
rest of the ink lies clear of both ends of the streak: a tight crop of a 1 or a 4 may hold a
stem that runs the whole height, but then the rest of the digit reaches an end too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .box import ends, runs
from .digit_box import without_noise

WIDEST = 3  # reduced px: a streak is at most this wide
MOST = 2  # more streaks a way are a page's rules, left to rules.py
CLEAR = 2  # reduced px: the rest of the ink stays this far from both ends of a streak
CORE = 0.5  # at full scale, a streak's columns stand this share of its rise off their sides


@dataclass(frozen=True)
class Streak:
    """Columns (or rows, `across`) start to stop of the reduced ink copy."""

    across: bool  # a line across the picture: rows, not columns
    start: int
    stop: int


def find_streaks(ink: np.ndarray, low: float) -> list[Streak]:
    """The streaks of (h, w) light-on-dark `ink` with the paper near 0 and the ink above
    `low`; none when there are more than MOST a way or the rest of the ink reaches their ends."""
    found = []
    for across, lines in ((False, ink), (True, ink.T)):
        inked = (lines[0] > low) & (lines[-1] > low)  # (w,) ink at both edges: a cheap test
        if not inked.any():
            continue
        inked[inked] = lines[:, inked].min(axis=0) > low  # ... and from one to the other
        narrow = [
            (start, stop)
            for start, stop in runs(inked)
            if stop - start <= WIDEST and start >= 2 and stop <= len(inked) - 2
        ]
        if 0 < len(narrow) <= MOST and _rest_clear(lines > low, narrow):
            found += [Streak(across, start, stop) for start, stop in narrow]
    return found


def paint_over(image: np.ndarray, streaks: list[Streak], factor: int = 1) -> np.ndarray:
    """A copy of (H, W) `image` (ink or a grayscale picture, either polarity) with the
    `streaks`, found on a copy reduced `factor` times, painted over. At full scale each is
    looked for within its reduced columns and one more either side (`_core`), and a pixel of
    blur either side of it is painted too."""
    painted = image.copy()
    for streak in streaks:
        lines = painted.T if streak.across else painted  # (H, W): a streak is columns
        start, stop = streak.start, streak.stop
        if factor > 1:
            start, stop = (start - 1) * factor, (stop + 1) * factor
            start, stop = _core(lines[:, start:stop], start)
        _interpolate(lines, start - 2, stop + 1)  # the streak and a pixel either side
    return painted


def _rest_clear(mask: np.ndarray, runs: list[tuple[int, int]]) -> bool:
    """Whether the ink of (h, w) bool `mask` off the columns `runs` (and one either side),
    lone pixels and pairs apart, lies clear of its first and last CLEAR rows."""
    rest = mask.copy()
    for start, stop in runs:
        rest[:, start - 1 : stop + 1] = False
    rows = np.asarray(without_noise(rest).any(axis=1))  # (h,)
    if not rows.any():
        return False  # nothing else: a lone stroke, such as a 1, is read as it is
    top, bottom = ends(rows)
    return top >= CLEAR and bottom <= len(rows) - CLEAR


def _core(strip: np.ndarray, offset: int) -> tuple[int, int]:
    """The columns of (H, k) `strip` (column `offset` of the picture first) along which the
    streak runs: its extreme over the rows (the brightest pixel of a dark line, the darkest
    of a light one) stands CORE of its rise above the nearer of the strip's first and last
    columns, its sides."""
    darkest, lightest = strip.max(axis=0), strip.min(axis=0)  # (k,) each
    # A dark line on light paper keeps every row's pixel dark: its brightest is low.
    dark = float(min(darkest[0], darkest[-1]) - darkest.min())
    light = float(lightest.max() - max(lightest[0], lightest[-1]))
    profile = -darkest if dark >= light else lightest  # (k,) the line stands up
    sides = max(profile[0], profile[-1])
    inside = np.flatnonzero(profile > sides + CORE * (profile.max() - sides))
    if not inside.size:
        return offset + 1, offset + len(profile) - 1
    return offset + int(inside[0]), offset + int(inside[-1]) + 1


def _interpolate(lines: np.ndarray, left: int, right: int) -> None:
    """Columns left + 1 to right - 1 of (H, W) `lines` painted, in place, as the straight
    blend of columns left and right, row by row (clipped to the picture)."""
    left, right = max(left, 0), min(right, lines.shape[1] - 1)
    if right - left < 2:
        return
    share = np.arange(1, right - left, dtype=np.float32) / (right - left)  # (k,)
    lines[:, left + 1 : right] = (
        lines[:, left : left + 1] * (1 - share) + lines[:, right : right + 1] * share
    )  # (H, k)
