"""Find dark bands along the image edge that are not paper, so the digit search can skip them.

A scanner's black border, a frame line round the picture, the table beside a photographed
page: each is a band of lines parallel to one side, every line even and darker than the paper
that follows it. Left in, they would pass for ink in everything that reads the image edge (the
polarity, the paper level, the digit's box). A band must span its side from end to end and be
followed by even lines of lighter paper that span it too, so the stroke of a digit cropped
tight is never taken for one: the rest of a digit always crosses the lines beside its stroke.
"""

from __future__ import annotations

import numpy as np

from .box import Box, leading
from .stats import median

TOLERANCE = 0.08  # a line is even when nearly all its pixels lie this close to its median
EVEN_SHARE = 0.97  # ... this share of them
MIN_CONTRAST = 0.2  # the paper is at least this much lighter than the band
PAPER_LINES = 2  # this many even lines of paper follow a band
BLURRED_LINES = 2  # the edge between them may be blurred over this many lines
MAX_DEPTH = 0.25  # a band covers at most this share of the image across it
MAX_PASSES = 8  # nested bands cut from the outside in: a frame, then the table beyond it
SMALL_SIDE = 56  # px: a picture no longer than this a side (2x MNIST's) shows no page ...
SMALL_DEPTH = 0.125  # ... so a band deeper than this share of its side is its background


def content_box(gray: np.ndarray) -> Box:
    """The box of (H, W) grayscale `gray` on [0, 1] that leaves out its edge bands.

    Each pass cuts the bands all four sides show; a band along one side hides the one along
    the next (the strips of a frame cross at its corners), so passes go on until none is left.
    The lines of each side are judged between the bands of the two sides across them.
    """
    top, bottom, left, right = 0, gray.shape[0], 0, gray.shape[1]
    for _ in range(MAX_PASSES):
        region = gray[top:bottom, left:right]  # (h, w)
        sides = (region, region[::-1], region.T, region.T[::-1])  # lines of each side, edge first
        edges = [median(lines[0]) for lines in sides]  # the level of each edge line
        if float(region.max()) < min(edges) + MIN_CONTRAST - TOLERANCE:
            break  # the common case: nothing is lighter than the edges (white paper) ...
        if not any(_may_have_band(lines, edge) for lines, edge in zip(sides, edges, strict=True)):
            break  # ... or a quick look at each side finds no paper beyond a band
        even = [_even_prefix(lines) for lines in sides]  # band or paper: nothing else there
        ends = ((even[2], even[3]),) * 2 + ((even[0], even[1]),) * 2  # of the sides across
        cut = [
            band_depth(lines[:, start : lines.shape[1] - end])
            for lines, (start, end) in zip(sides, ends, strict=True)
        ]
        rest = (bottom - cut[1] - top - cut[0], right - cut[3] - left - cut[2])  # (h, w) left
        if not any(cut) or min(rest) < PAPER_LINES:
            break
        top, bottom, left, right = top + cut[0], bottom - cut[1], left + cut[2], right - cut[3]
    return Box(left, top, right, bottom)


def picture_box(gray: np.ndarray) -> Box:
    """content_box of a whole picture. One as small as a raw digit (SMALL_SIDE) has no table
    beside a page, only a frame line: where a band there is deeper (SMALL_DEPTH of its side),
    the dark is the picture's ground round a light thing (a garment), and nothing is cut."""
    box = content_box(gray)
    height, width = gray.shape
    cuts = (box.top / height, 1 - box.bottom / height, box.left / width, 1 - box.right / width)
    if max(height, width) <= SMALL_SIDE and max(cuts) > SMALL_DEPTH:
        return Box(0, 0, width, height)
    return box


def band_depth(lines: np.ndarray) -> int:
    """How many of the first rows of (n, m) `lines` (row 0 at the image edge) form a band."""
    n, m = lines.shape
    limit = int(MAX_DEPTH * n)  # the deepest band
    if limit < 1 or m < 1:
        return 0
    head = lines[: _searched(n)]  # (k, m) band, blur, paper
    lit = np.count_nonzero(head >= median(lines[0]) + MIN_CONTRAST - TOLERANCE, axis=1)  # (k,)
    first = int(np.argmax(lit >= EVEN_SHARE * m))  # the first line that may be paper ...
    if first == 0 or first > limit + 1:  # ... if any, after a band no deeper than the limit
        return 0
    levels, even = _line_levels(head)  # (k,) each
    band = slice(0, max(first - 1, 1))  # the line before the paper may be a blurred one
    if not even[band].all():
        return 0
    lightest_band = float(levels[band].max())
    for start in range(first, first + 1 + BLURRED_LINES):  # as may the first lighter ones
        paper = levels[start : start + PAPER_LINES]
        if (
            len(paper) == PAPER_LINES
            and even[start : start + PAPER_LINES].all()
            and np.ptp(paper) <= TOLERANCE
            and float(paper.min()) - lightest_band >= MIN_CONTRAST
        ):
            return start
    return 0


def _may_have_band(lines: np.ndarray, edge: float) -> bool:
    """A cheap first look: most of some line near the edge is clearly lighter than the edge."""
    n, m = lines.shape
    head = lines[: _searched(n)]  # (k, m)
    threshold = edge + MIN_CONTRAST - TOLERANCE
    return bool(np.count_nonzero(head >= threshold, axis=1).max() >= 0.75 * m)


def _searched(n: int) -> int:
    """How many of `n` lines from the edge can hold a band, its blurred edge and the paper."""
    return int(MAX_DEPTH * n) + 2 + BLURRED_LINES + PAPER_LINES


def _even_prefix(lines: np.ndarray) -> int:
    """How many of the first rows of (n, m) `lines` are even: a band, or blank paper."""
    _, even = _line_levels(lines[: int(MAX_DEPTH * lines.shape[0]) + 1])  # (k,)
    return leading(even)


def _line_levels(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Upper median of each row of (k, m) `lines`, and whether the row is even about it."""
    middle = lines.shape[1] // 2
    levels = np.partition(lines, middle, axis=1)[:, middle]  # (k,)
    near = np.abs(lines - levels[:, None]) <= TOLERANCE  # (k, m)
    return levels, np.count_nonzero(near, axis=1) >= EVEN_SHARE * lines.shape[1]
