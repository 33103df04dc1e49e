"""Ruled and graph paper: the level of faint printed lines that cross the whole page.

Notebook rules and graph-paper grids are thin straight lines, evenly spaced, from one edge of
the page to the other, and fainter than the pen. Left in, they join the digit's box and stretch
it across the page. A line covers nearly all of its row (or column), so a low quantile of the
row reads the line and not the strokes that cross it, while a stroke of the digit covers most
of a row only along a bar. Thin raised rows, at least MIN_RULES of them evenly spaced, are
rules; so is any thin line across them (the margin of notebook paper). The cut-off for ink is
then set above their level, so they drop out of the digit's box; where the digit is cut out
(cut.py), and on a number's page (number/page.py), each rule's own level is also subtracted
from its row (without_rules), as the light on a photo varies a grid's level across the page
and one cut-off leaves it standing where it is brighter.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .box import runs
from .levels import InkLevels

RULE_QUANTILE = 0.25  # a rule covers at least 3/4 of its row: the digit crosses the rest
MIN_RULES = 3  # evenly spaced lines needed: one or two long strokes are a digit's bars
MAX_THICKNESS = 1 / 40  # of the image side: a rule is thinner, a digit's stroke thicker
SPACING_TOLERANCE = 0.25  # gaps are whole multiples of the spacing within this share of it
MIN_SHARE = 0.05  # a row this far above the paper (in stroke contrast) may be a rule
MAX_SHARE = 0.6  # rules are fainter than this share of the stroke contrast, or not rules
MARGIN = 1.25  # the ink cut-off sits this far above the rules' level (from the paper)
STROKE_QUANTILE = 0.99  # of a digit's ink: the strokes' level, told from a rule's


def above_rules(ink: np.ndarray, levels: InkLevels) -> tuple[InkLevels, tuple[bool, bool]] | None:
    """`levels` with the ink cut-off raised above the rules of (h, w) light-on-dark `ink`, and
    whether rules run across its rows and across its columns; None when it shows no rules."""
    across_rows, across_columns = page_rules(ink, levels)
    floors = [floor for floor in (across_rows, across_columns) if floor is not None]
    if not floors:
        return None
    return replace(levels, rules=max(floors)), (across_rows is not None, across_columns is not None)


def page_rules(ink: np.ndarray, levels: InkLevels) -> tuple[float | None, float | None]:
    """Cut-offs above the rules along the rows (notebook paper) and the columns (graph paper
    has both) of (h, w) light-on-dark `ink`, each None where no evenly spaced rules cross it."""
    profiles = _profile(ink), _profile(ink.T)  # (h,), (w,)
    rows, columns = (_rules(profile, levels, even=True) for profile in profiles)
    if (rows is None) != (columns is None):  # lined paper: a margin line may cross its rules
        rows, columns = (
            _rules(profile, levels, even=False) if level is None else level
            for profile, level in zip(profiles, (rows, columns), strict=True)
        )
    return _cutoff(rows, levels), _cutoff(columns, levels)


def rule_floor(ink: np.ndarray, axis: int, levels: InkLevels) -> float | None:
    """Cut-off above the rules along `axis` (0: rows, 1: columns) of (h, w) `ink`, a band
    of the page known to hold rules, spanning it across them; None when none stands out."""
    return _cutoff(_rules(_profile(ink if axis == 0 else ink.T), levels, even=False), levels)


def without_rules(ink: np.ndarray, bands: list[np.ndarray | None], paper: float) -> np.ndarray:
    """(h, w) light-on-dark `ink` with each row's rule (and each column's, on graph paper)
    taken off. `bands` are the page across `ink`'s rows, (h, W), and across its columns
    turned to rows, (w, H), or None where no rules cross that way: a digit covers too little
    of a page's row to count, so the row's low quantile is its rule's level. That level, less
    the `paper`, is subtracted from the row, except from pixels nearer the strokes' level
    (the ink's STROKE_QUANTILE) than the rule's, where a stroke covers the rule. Measured row
    by row, as the light on a photo makes a grid brighter on one side than the other."""
    out = np.array(ink, dtype=np.float32)  # (h, w) a copy: `ink` may be a view
    stroke = float(np.quantile(out, STROKE_QUANTILE))
    rows, columns = bands
    for excess in (
        None if rows is None else np.maximum(_profile(rows) - paper, 0.0)[:, None],  # (h, 1)
        None if columns is None else np.maximum(_profile(columns) - paper, 0.0)[None, :],
    ):
        if excess is not None:
            rule = out < (excess + stroke) / 2  # (h, w) nearer the rule's level
            out = np.where(rule, np.maximum(out - excess, 0.0), out)  # (h, w)
    return out.astype(np.float32)


def _cutoff(level: float | None, levels: InkLevels) -> float | None:
    return None if level is None else levels.paper + MARGIN * (level - levels.paper)


def _profile(ink: np.ndarray) -> np.ndarray:
    """(h,) low quantile of each row of (h, w)."""
    rank = int(RULE_QUANTILE * (ink.shape[1] - 1))
    return np.partition(ink, rank, axis=1)[:, rank]


def _rules(profile: np.ndarray, levels: InkLevels, even: bool) -> float | None:
    """Level of the thin raised runs of (h,) `profile`: None if they are not rules.

    `even`: also ask for at least MIN_RULES of them, evenly spaced, and few thick runs.
    """
    if len(profile) < 4 * MIN_RULES:
        return None
    raised = runs(profile > max(levels.noise, levels.paper + MIN_SHARE * levels.contrast))
    widest = max(2.0, len(profile) * MAX_THICKNESS)
    thin = [(start, stop) for start, stop in raised if stop - start <= widest]
    if not thin or (even and not _evenly_spaced(thin, len(raised))):
        return None
    level = float(np.quantile([profile[start:stop].max() for start, stop in thin], 0.75))
    return level if level - levels.paper < MAX_SHARE * levels.contrast else None


def _evenly_spaced(thin: list[tuple[int, int]], runs: int) -> bool:
    """At least MIN_RULES thin runs, at most two thick ones (a digit's bars), and every gap a
    whole multiple of the median gap (a rule may be missing or merged with a bar)."""
    if len(thin) < MIN_RULES or runs - len(thin) > 2:
        return False
    centres = np.array([(start + stop - 1) / 2 for start, stop in thin])  # (k,)
    gaps = np.diff(centres)  # (k - 1,)
    spacing = float(np.median(gaps))
    multiples = np.maximum(np.round(gaps / spacing), 1.0)  # (k - 1,)
    return bool(np.abs(gaps - multiples * spacing).max() <= SPACING_TOLERANCE * spacing)
