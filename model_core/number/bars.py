"""Printed bars, no digits: a barcode or a row of stripes sent as a number.

Each bar of a barcode is a solid rectangle, and all of them stand on one row and reach the
same height, to the pixel. Handwritten 1s are neither so solid nor so even: a pen's round
ends, its tremor and its slant leave a stroke's box partly empty, and no two strokes end on
the same rows. A line of MIN_BARS blobs or more, each one piece filling SOLID of its box, whose
tops and bottoms lie within EVEN page pixels of each other, is taken for printed bars: the
digits read in it are flagged (DigitReading's `unseen`), as a reader would not call it a number.
"""

from __future__ import annotations

from .candidates import Blobs

MIN_BARS = 3  # blobs: fewer are not a barcode
SOLID = 0.97  # a bar's piece fills at least this share of its box
EVEN = 1  # page pixels: the bars' tops, and their bottoms, lie this close to each other


def printed_bars(blobs: Blobs) -> bool:
    """Whether the line's blobs are printed bars (see the module's docstring)."""
    boxes = blobs.boxes
    if len(boxes) < MIN_BARS:
        return False
    for group, box in zip(blobs.groups, boxes, strict=True):
        if len(group) > 1 or group[0].area < SOLID * box.height * box.width:
            return False
    tops, bottoms = [box.top for box in boxes], [box.bottom for box in boxes]
    return max(tops) - min(tops) <= EVEN and max(bottoms) - min(bottoms) <= EVEN
