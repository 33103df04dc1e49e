"""Paint out the desk seen past a sheet's straight edge in a photo at an angle.

A sheet photographed at an angle, or turned under the camera, fills the frame but for wedges
of desk: the sheet's edge runs across the picture at a slant, so the desk between it and the
picture's side tapers from a corner to nothing (or to a narrower band at the far corner). An
edge band (edges.py) is as deep all along its side, and a sheet on a desk (sheet.py) shows
the desk all round, so neither finds it; left in, it is a long dark stroke at the picture's
edge that joins the digit's box or reads as a 1 in a number. A wedge is told from a stroke
at the edge by its shape: along the whole side, or from a corner for at least CORNER of it
and ending at its tip (a stroke across a corner goes on past it), its depth a straight line
of the position along it (RESIDUAL) that changes by at least TAPER pixels or runs out to
nothing (ENDS), no deeper than MAX_DEPTH of the picture across, with paper beyond it all
along. A tight crop's bar lying along the edge is as deep all along.
"""

from __future__ import annotations

import numpy as np

from .sheet import MIN_SIDE, uncover_sheet
from .stats import median

MIN_CONTRAST = 0.2  # the desk is at least this much darker than the paper (as edges.py's bands)
CORNER = 0.1  # a wedge runs along its whole side, or along this share of it from a corner
TIP = 4  # ... where the desk ends at its tip: these pixels past it hold none (a stroke goes on)
TAPER = 3  # its depth changes by at least this many pixels along it (a band's does not), ...
ENDS = 1  # ... or by at least this many, to at most this many at its thin end (a thin wedge)
RESIDUAL = 1.0  # px: its depth lies this close to a straight line (rms), a sheet's edge
MAX_DEPTH = 0.25  # it reaches at most this share of the picture across
BEYOND = 2  # pixels past its edge are paper, at most MIN_CONTRAST / 2 darker than the median
SAMPLE = 8  # the paper's level is the median of every SAMPLE-th pixel each way


def without_desk(gray: np.ndarray) -> np.ndarray:
    """(h, w) on [0, 1] -> the picture with the desk painted out: all round a sheet on it
    (sheet.py) or, where the sheet fills the frame, in the wedges past its slanting edges;
    `gray` itself where no desk shows."""
    sheet = uncover_sheet(gray)
    if sheet is None:
        sheet = paper_past_wedges(gray)
    return gray if sheet is None else sheet


def paper_past_wedges(gray: np.ndarray) -> np.ndarray | None:
    """(h, w) on [0, 1] -> a copy with the desk in its wedges painted as the paper beyond
    them, or None where no side has a wedge."""
    if min(gray.shape) < MIN_SIDE:
        return None  # a digit alone, never a photo of a sheet
    paper = median(gray[::SAMPLE, ::SAMPLE].ravel())  # most of the picture is the sheet
    desk = paper - MIN_CONTRAST  # the desk is darker than this
    edges = (gray[0], gray[:, -1], gray[-1], gray[:, 0])  # each side's edge line
    if all(np.count_nonzero(line < desk) < CORNER * line.size for line in edges):
        return None  # the common case: no side's edge line is desk along CORNER of it
    painted = gray.copy()
    found = False
    for turn in range(4):  # each side in turn as the top of a turned view
        view = np.rot90(painted, turn)  # (h', w') a view: painting it paints `painted`
        depth = _wedge(view, desk, paper)  # (w',)
        if depth is None:
            continue
        found = True
        rows = np.arange(view.shape[0])[:, None]  # (h', 1)
        view[:] = np.where(rows < depth, _past(view, depth), view)  # (h', w') the paper past it
    return painted if found else None


def _wedge(gray: np.ndarray, desk: float, paper: float) -> np.ndarray | None:
    """The depth (w,) of the wedges of desk (under `desk`) along the top of (h, w) `gray`: one
    along the whole side, or one from each corner at most; or None."""
    height, width = gray.shape
    if np.count_nonzero(gray[0] < desk) < CORNER * width:
        return None  # the edge line is desk along under CORNER of this side
    head = gray[: int(MAX_DEPTH * height) + 1] < desk  # (k, w) as deep as a wedge may go
    too_deep = np.all(head, axis=0)  # (w,) the next side's wedge, or no desk
    depth = np.argmin(head, axis=0)  # (w,) the desk's run from the edge
    if depth.all():  # along the whole side
        return depth if not too_deep.any() and _desk(gray, depth, paper) else None
    found = np.zeros_like(depth)  # (w,)
    for turned in (False, True):  # from the left corner, then from the right
        runs, tops = (depth[::-1], head[:, ::-1]) if turned else (depth, head)
        length = int(np.argmin(runs > 0))  # of the run from this corner
        tip = tops[: int(runs[:length].max(initial=0)), length + 1 : length + 1 + TIP]
        deep = too_deep[::-1][:length] if turned else too_deep[:length]
        if length < CORNER * width or deep.any() or np.count_nonzero(tip) > 1:
            continue  # too short or deep, or dark past its tip: a stroke across a corner
        side = slice(width - length, width) if turned else slice(0, length)
        if _desk(gray[:, side], depth[side], paper):
            found[side] = depth[side]
    return found if found.any() else None


def _desk(gray: np.ndarray, depth: np.ndarray, paper: float) -> bool:
    """Whether the dark run (w,) `depth` from the top of (h, w) `gray` is the desk past a
    sheet's edge: a straight line, tapering, with paper beyond it."""
    along = np.arange(len(depth)) - (len(depth) - 1) / 2  # (w,) centred positions
    runs = depth - depth.mean()  # (w,)
    slope = float(along @ runs) / max(float(along @ along), 1.0)
    misfit = float(np.sqrt(np.mean((runs - slope * along) ** 2)))
    ends = depth.mean() + slope * along[[0, -1]]  # (2,) the line at its two ends
    thin, deep = float(ends.min()), float(ends.max())
    if misfit > RESIDUAL or (deep - thin < TAPER and (thin > ENDS or deep - thin < ENDS)):
        return False  # not straight, or neither tapering far nor to nothing (a stroke's edge)
    past = _past(gray, depth)  # (w,)
    return bool(np.count_nonzero(past >= paper - MIN_CONTRAST / 2) >= 0.9 * len(depth))


def _past(gray: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """(w,) the pixel of each column of (h, w) `gray` BEYOND rows past its dark run `depth`
    (w,) from the top, or the bottom row where that is deeper."""
    return gray[np.minimum(depth + BEYOND, gray.shape[0] - 1), np.arange(len(depth))]
