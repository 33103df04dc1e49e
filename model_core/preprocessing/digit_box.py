"""The digit's box in a mask of its ink: specks, other things in the picture apart from it
and a box drawn round it left out."""

from __future__ import annotations

import numpy as np

from .box import Box, ink_box, scale_box
from .edges import content_box
from .errors import EmptyImageError

UNDERLINE_FLAT = 0.2  # a line under the digit is at most this share as tall as it is wide,
UNDERLINE_WIDTH = 0.6  # and at least this share of the digit's width
APART = 0.08  # something else in the picture lies this share of the digit's height from it,
WIDER = 1.25  # and a flat band above the digit is this many times as wide;
MOSTLY = 0.5  # the digit without it is at least this share of all the ink's height


def digit_box(mask: np.ndarray, framed: bool = False) -> Box:
    """The box of the ink in (H, W) `mask`, ignoring isolated specks, a line under it and
    bands of ink apart from it (`_apart_bands`); `framed`: the mask's sides are the picture's."""
    solid = mask & (neighbours(mask) >= 2)  # lone pixels and pairs are noise
    if not solid.any():
        raise EmptyImageError()
    around = scale_box(ink_box(solid), 1, mask.shape, margin=2)  # stroke ends the filter shaved
    box = ink_box(around.crop(mask)).shifted(around.left, around.top)
    height, width = mask.shape
    picture = Box(-box.left, -box.top, width - box.left, height - box.top) if framed else None
    box = _apart_bands(box.crop(mask), picture).shifted(box.left, box.top)
    return _above_underline(box.crop(mask)).shifted(box.left, box.top)


def _apart_bands(ink: np.ndarray, picture: Box | None) -> Box:
    """The box of (h, w) bool `ink` (cut to its box) without what lies apart from the digit
    (at least APART of its height away) and is not part of it: a band of columns at the
    picture's left or right edge, as a pen lying along the side; and a flat band of rows
    above it, much wider than the digit, as a drawing app's toolbar or a printed heading. A
    5's cap and a 7's bar lie close and no wider. What is left must be most of the ink's
    height, not a speck beside a faint page's noise, and, where the picture's edges are known
    (`picture`, in `ink`'s coordinates), clear of them all: a digit in full view, not one of
    several things the frame cuts."""
    box = Box(0, 0, ink.shape[1], ink.shape[0])

    def digit_like(rest: Box, gap: int) -> bool:
        inside = picture is None or (
            picture.left < rest.left and picture.top < rest.top
            and rest.right < picture.right and rest.bottom < picture.bottom
        )  # fmt: skip
        return inside and gap >= APART * rest.height and rest.height >= MOSTLY * ink.shape[0]

    edges = () if picture is None else (picture.left == 0, picture.right == ink.shape[1])
    for side, at_edge in enumerate(edges):  # the left edge, then the right
        columns = np.asarray(box.crop(ink).any(axis=0))  # (w,)
        if not at_edge or (split := _split(columns[::-1] if side else columns)) is None:
            continue
        band, start = split
        low, high = (box.left, box.right - start) if side else (box.left + start, box.right)
        rest = ink_box(ink[box.top : box.bottom, low:high]).shifted(low, box.top)
        if digit_like(rest, start - band):
            box = rest
    rows = np.asarray(box.crop(ink).any(axis=1))  # (h,)
    if (split := _split(rows)) is not None:
        band, start = split
        line = ink_box(box.crop(ink)[:band])
        rest = ink_box(box.crop(ink)[start:]).shifted(box.left, box.top + start)
        flat = line.height <= UNDERLINE_FLAT * line.width
        if flat and line.width >= WIDER * rest.width and digit_like(rest, start - band):
            box = rest
    return box


def _split(flags: np.ndarray) -> tuple[int, int] | None:
    """For a 1-D bool profile with its ends set: one past its first band of set entries and
    the start of the rest after the gap, or None when it has no gap."""
    empty = np.flatnonzero(~flags)
    if not len(empty):
        return None
    band = int(empty[0])
    return band, band + int(np.argmax(flags[band:]))


def _above_underline(ink: np.ndarray) -> Box:
    """The box of (h, w) bool `ink` (cut to its box), without a line drawn under the digit:
    a flat band of rows at the bottom, apart from the rows above it, about as wide as they
    are. A digit's own strokes seldom lie apart at the bottom (a 2's base is drawn on); a
    5's cap and a 7's bar, flat and apart, are at the top."""
    rows = np.asarray(ink.any(axis=1))  # (h,)
    whole = Box(0, 0, ink.shape[1], len(rows))
    if rows.all():
        return whole
    empty = np.flatnonzero(~rows)  # (E,) rows without ink, between inked ones
    band = int(empty[-1]) + 1  # the top row of the last band of inked rows
    gap = int(np.flatnonzero(rows[:band])[-1]) + 1  # one past the last inked row above it
    line, digit = ink_box(ink[band:]), ink_box(ink[:gap])
    flat = line.height <= UNDERLINE_FLAT * line.width
    wide = line.width >= UNDERLINE_WIDTH * digit.width
    return digit if flat and wide else whole


def inside_outline(ink: np.ndarray, mask: np.ndarray, box: Box) -> Box:
    """The digit's box inside a box drawn round it (a form's field), else `box` itself.

    Cut to all the ink, the image has the drawn box for a frame, which edges.py cuts off."""
    inner = content_box(1 - box.crop(ink))
    if (inner.height, inner.width) == (box.height, box.width):
        return box
    field = inner.shifted(box.left, box.top)
    try:
        digit = digit_box(field.crop(mask))
    except EmptyImageError:
        return box  # nothing inside: the outline is the digit (a "0" drawn square)
    return digit.shifted(field.left, field.top)


def neighbours(mask: np.ndarray) -> np.ndarray:
    """Count of set 8-neighbours of every pixel of (H, W) bool -> (H, W) uint8."""
    height, width = mask.shape
    padded = np.zeros((height + 2, width + 2), dtype=np.uint8)
    padded[1:-1, 1:-1] = mask  # (H + 2, W + 2) of 0 and 1
    rows = padded[:-2] + padded[1:-1]  # (H, W + 2) 3x1 sums, built separably
    rows += padded[2:]
    counts = rows[:, :-2] + rows[:, 1:-1]  # (H, W) 3x3 sums
    counts += rows[:, 2:]
    counts -= padded[1:-1, 1:-1]  # the pixel itself is not its own neighbour
    return counts
