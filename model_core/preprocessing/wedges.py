"""Paint out the desk seen past a sheet's straight edge in a corner of a photo at an angle.

A sheet photographed at an angle fills the frame but for a wedge of desk along a side: the
sheet's edge runs across the picture at a slant, so the desk between it and the picture's
edge tapers from a corner to nothing (or to a narrower band at the far corner). An edge band
(edges.py) is as deep all along its side, and a sheet on a desk (sheet.py) shows the desk
all round, so neither finds it; left in, it is a long dark stroke at the picture's edge that
joins the digit's box or reads as a 1 in a number. A wedge is told from a stroke at the edge
by its shape: along a side from one of its corners for at least LENGTH of the side, its
depth a straight line of the position along it (RESIDUAL) that changes by at least TAPER
pixels or runs out to nothing (ENDS), no deeper than MAX_DEPTH of the picture across, with
paper beyond it all along. A tight crop's bar lying along the edge is as deep all along.
"""

from __future__ import annotations

import numpy as np

from .sheet import MIN_SIDE
from .stats import median

MIN_CONTRAST = 0.2  # the desk is at least this much darker than the paper (as edges.py's bands)
LENGTH = 0.3  # a wedge runs along at least this share of its side, from one of its corners
TAPER = 3  # its depth changes by at least this many pixels along it (a band's does not), ...
ENDS = 1  # ... or by at least this many, to at most this many at its thin end (a thin wedge)
RESIDUAL = 1.0  # px: its depth lies this close to a straight line (rms), a sheet's edge
MAX_DEPTH = 0.25  # it reaches at most this share of the picture across
BEYOND = 2  # pixels past its edge are paper, at most MIN_CONTRAST / 2 darker than the median
SAMPLE = 8  # the paper's level is the median of every SAMPLE-th pixel each way


def paper_past_wedges(gray: np.ndarray) -> np.ndarray | None:
    """(h, w) on [0, 1] -> a copy with the desk in its wedges painted as the paper beyond
    them, or None where no side has a wedge."""
    if min(gray.shape) < MIN_SIDE:
        return None  # a digit alone, never a photo of a sheet
    paper = median(gray[::SAMPLE, ::SAMPLE].ravel())  # most of the picture is the sheet
    desk = paper - MIN_CONTRAST  # the desk is darker than this
    edges = (gray[0], gray[:, -1], gray[-1], gray[:, 0])  # each side's edge line
    if all(np.count_nonzero(line < desk) < LENGTH * line.size for line in edges):
        return None  # the common case: no side's edge line is desk along LENGTH of it
    painted = gray.copy()
    found = False
    for turn in range(4):  # each side in turn as the top of a turned view
        view = np.rot90(painted, turn)  # (h', w') a view: painting it paints `painted`
        depth = _wedge(view, desk, paper)  # (w',)
        if depth is None:
            continue
        found = True
        beyond = view[np.minimum(depth + BEYOND, view.shape[0] - 1), np.arange(view.shape[1])]
        rows = np.arange(view.shape[0])[:, None]  # (h', 1)
        view[:] = np.where(rows < depth, beyond, view)  # (h', w') the paper past the edge
    return painted if found else None


def _wedge(gray: np.ndarray, desk: float, paper: float) -> np.ndarray | None:
    """The depth (w,) of the wedge of desk (under `desk`) along the top of (h, w) `gray`, or
    None."""
    height, width = gray.shape
    if np.count_nonzero(gray[0] < desk) < LENGTH * width:
        return None  # the edge line is paper along most of this side
    head = gray[: int(MAX_DEPTH * height) + 1] < desk  # (k, w) as deep as a wedge may go
    if head.all(axis=0).any():
        return None  # deeper somewhere: no wedge
    depth = np.argmin(head, axis=0)  # (w,) the desk's run from the edge
    inked = np.flatnonzero(depth)
    if len(inked) != inked[-1] - inked[0] + 1 or (inked[0] != 0 and inked[-1] != width - 1):
        return None  # in pieces (strokes reaching the edge), or from no corner
    along = inked - inked.mean()  # (n,) a straight line's least squares, in closed form
    runs = depth[inked] - depth[inked].mean()  # (n,)
    slope = float(along @ runs) / float(along @ along)
    misfit = float(np.sqrt(np.mean((runs - slope * along) ** 2)))
    ends = depth[inked].mean() + slope * along[[0, -1]]  # (2,) the line at its two ends
    thin, deep = float(ends.min()), float(ends.max())
    if misfit > RESIDUAL or (deep - thin < TAPER and (thin > ENDS or deep - thin < ENDS)):
        return None  # not straight, or neither tapering far nor to nothing (a stroke's edge)
    past = gray[np.minimum(depth[inked] + BEYOND, height - 1), inked]  # (n,)
    if np.count_nonzero(past >= paper - MIN_CONTRAST / 2) < 0.9 * len(inked):
        return None  # no paper beyond it: a dark thing, not the desk past a sheet
    return depth
