"""A ring drawn round the digit (a circled answer), found so that it can be taken off.

A box drawn round a digit is cut off as the image's frame (digit_box.inside_outline); a
circle, or any loop round the digit, is not straight, so it is found as a piece of ink: the
piece with the largest box, a pen's loop with the rest of the ink (specks aside) inside it,
no less than a tenth of its own, and little of its own ink across the middle of its box
(touching digits round a piece of one of them are no loop). Finding the pieces costs more
than the rest of a clean drawing's normalisation, so a test on a few rows comes first:
across a ring's middle, its sides are the first and last runs of ink (one of them, where the
loop was left open), and the digit lies between them. An ordinary digit seldom shows a run
between two that hug its box ("0" and "8" show only those two), so it seldom pays for the
pieces.
"""

from __future__ import annotations

import numpy as np

from .box import Box, enclosing
from .components import label_pieces

SAMPLED_ROWS = (0.3, 0.4, 0.5, 0.6, 0.7)  # where across the ink's height the test looks
CROSSED_ROWS = 3  # of the sampled rows, at least this many must cross a ring with ink inside
SIDE = 0.2  # a ring's side lies within this share of the ink's width of its edge
INNER_HEIGHT = 0.25  # the ink inside is at least this share of the ring's height: a speck
# inside a 0 is no digit in a ring
RING_FILL = 0.3  # a loop of a pen covers at most this share of its box (a circle 300 px
# across in an 8 px pen, 0.08)
MARGIN = 1  # pixels between the ink inside and the ring's box
SPECK = 0.02  # a piece under this share of the ink is noise, wherever it lies
AS_BITS = bytes([0] + [1] * 255)  # a bool array's bytes as 0 and 1 (True may be stored as 255)
MIDDLE = 0.2  # a loop round something keeps out of its box's middle, all but this share of
MIDDLE_INK = 0.15  # its height and width on each side: at most this share of its ink lies
# there (hand-drawn circles and boxes, 0.06 at most); touching digits round a piece of one
# of them, 0.33
HELD_AREA = 0.1  # the ink inside, against the ring's: a thin 1 in a loop of the same pen is
# about 0.2; a rule's remnant inside a 2 is far less


def ring_round(ink: np.ndarray) -> np.ndarray | None:
    """(h, w) bool ink, cut to its box (digit_box) -> (h, w) bool, the piece drawn round all
    the rest, or None. Specks (under SPECK of the ink) may lie anywhere."""
    if min(ink.shape) < 8 or not _crossed(ink):
        return None
    labels, pieces = label_pieces(ink)
    ring = max(pieces, key=lambda piece: piece.box.area)
    if ring.area > RING_FILL * ring.box.area:
        return None  # not a pen's loop: a solid region (paper taken for ink)
    total = sum(piece.area for piece in pieces)
    held = [p for p in pieces if p is not ring and p.area >= SPECK * total]
    if sum(p.area for p in held) < HELD_AREA * ring.area:
        return None  # a ring round nothing, or round a stray line, is the digit: a 0, a 2
    inside = [p.box for p in held]
    room = Box(ring.box.left + MARGIN, ring.box.top + MARGIN,
               ring.box.right - MARGIN, ring.box.bottom - MARGIN)  # fmt: skip
    around = enclosing(inside)
    if room.shared(around) != around.area or around.height < INNER_HEIGHT * ring.box.height:
        return None  # ink outside the ring, or too little inside it
    own = labels == ring.label  # (h, w)
    if _in_middle(ring.box.crop(own)) > MIDDLE_INK * ring.area:
        return None  # strokes across its middle: touching digits round a piece, not a loop
    return own


def _in_middle(own: np.ndarray) -> int:
    """The pixels of (h, w) bool `own`, cut to its box, inside the middle of the box: all but
    MIDDLE of its height and width on each side."""
    height, width = own.shape
    rows, columns = int(MIDDLE * height), int(MIDDLE * width)
    return int(np.count_nonzero(own[rows : height - rows, columns : width - columns]))


def _crossed(ink: np.ndarray) -> bool:
    """Whether enough of the sampled rows of (h, w) bool `ink` (cut to its box) cross a ring
    round something: a run near one edge of the box or both (the ring's sides; one where the
    loop was left open), and a run that is neither (what it holds). Each row is read as bytes,
    0 or 1 a pixel: five rows cost less so than in whole-array passes."""
    height, width = ink.shape
    crossed = 0
    for share in SAMPLED_ROWS:
        inked = ink[int(share * height)].tobytes().translate(AS_BITS)  # 0 or 1 a pixel
        row = b"\0" + inked + b"\0"  # paper either side
        runs = row.count(b"\0\1")
        first, end = row.find(1) - 1, row.rfind(1)  # its first inked column, one past its last
        sides = (first < SIDE * width) + (end > (1 - SIDE) * width)
        crossed += sides >= 1 and runs > sides
    return crossed >= CROSSED_ROWS
