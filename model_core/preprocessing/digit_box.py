"""The digit's box in a mask of its ink: specks ignored, a box drawn round it left out."""

from __future__ import annotations

import numpy as np

from .box import Box, ink_box, scale_box
from .edges import content_box
from .errors import EmptyImageError

UNDERLINE_FLAT = 0.2  # a line under the digit is at most this share as tall as it is wide,
UNDERLINE_WIDTH = 0.6  # and at least this share of the digit's width


def digit_box(mask: np.ndarray) -> Box:
    """The box of the ink in (H, W) `mask`, ignoring isolated specks and a line under it."""
    solid = mask & (neighbours(mask) >= 2)  # lone pixels and pairs are noise
    if not solid.any():
        raise EmptyImageError()
    around = scale_box(ink_box(solid), 1, mask.shape, margin=2)  # stroke ends the filter shaved
    box = ink_box(around.crop(mask)).shifted(around.left, around.top)
    return _above_underline(box.crop(mask)).shifted(box.left, box.top)


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
