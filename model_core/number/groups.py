"""Which pieces of ink make one digit: specks and marks dropped, strokes merged.

A digit drawn in several strokes (a 5's cap, a 4 or a 7 in two pieces) has a small piece
mostly above or below a larger one, sharing its columns. Two digits side by side share few
columns, and are both about the line's height. A dot or a speck is far smaller than a digit.
A flat stroke wider than any digit (an underline apart from the digits) is no part of one
(lines.py takes longer lines and boxes off before), nor is a small mark beside the digits: a
comma, a full stop or a dash, a degree sign or an apostrophe between groups of digits. Digits
in bands of rows one above the other are lines of their own (stacked_lines), and a number is
one line.
"""

from __future__ import annotations

from model_core.preprocessing.box import Box, enclosing
from model_core.preprocessing.components import Piece

from .cuts import MAX_WIDTH

SPECK_AREA = 0.05  # a piece under this share of the largest piece's area ...
SPECK_HEIGHT = 0.35  # ... and under this share of the line's height is a speck or a dot,
DOT_SIZE = 0.25  # as is one under this share of the line's height both ways
SHARED_COLUMNS = 0.5  # pieces sharing this share of the narrower one's columns ...
PART_HEIGHT = 0.8  # ... when the shorter is under this share of the taller, are one digit,
PART_GAP = 0.25  # unless more than this share of the line's height of paper lies between
# them: a digit of the line below
MARK_HEIGHT = 0.5  # a piece alone under this share of the line's height and ...
MARK_AREA = 0.15  # ... this share of the largest piece's area, low or flat, is a comma, a full
# stop or a dash (a 5's body apart from its cap is larger); high and not FLAT, of any area, a
# degree sign or an apostrophe
FLAT = 2.0  # a piece this many times as wide as it is tall is flat: a dash, a 5's cap
DESCENT = 0.1  # a low mark reaching this share of the line's height below the digits beside
COMMA_AREA = 0.35  # it, under this share of the largest piece's area, is a comma (a typed one
# is bolder than MARK_AREA; a 5's body drawn apart stands on the line)
BAND_HEIGHT = 0.5  # a band of rows this share of the line's height or taller, apart from the
# others, is a line of digits of its own; a lower one is a mark


def digit_groups(pieces: list[Piece]) -> list[list[Piece]]:
    """The pieces (left to right) grouped into digits, left to right; specks left out."""
    if not pieces:
        return []
    line = line_height(pieces)
    largest = max(piece.area for piece in pieces)
    kept = [p for p in pieces if not _speck(p, largest, line) and not _flat_line(p, line)]
    groups: list[list[Piece]] = []
    for piece in sorted(kept, key=lambda p: -p.area):  # larger pieces anchor the groups
        home = next((g for g in groups if _same_digit(group_box(g), piece.box, line)), None)
        if home is None:
            groups.append([piece])
        else:
            home.append(piece)
    groups.sort(key=lambda g: group_box(g).left)
    boxes = [group_box(g) for g in groups]
    tall = [k for k, box in enumerate(boxes) if box.height >= MARK_HEIGHT * line]
    return [g for k, g in enumerate(groups) if not _mark(k, groups, boxes, tall, line, largest)]


def _mark(k: int, groups: list[list[Piece]], boxes: list[Box], tall: list[int], line: int,
          largest: int) -> bool:  # fmt: skip
    """Group k is a mark beside the digits, no digit: one piece under MARK_HEIGHT line
    heights, wholly above the middle of the digits beside it, not flat and in none of their
    columns (a degree sign, an apostrophe between groups of digits, a quote), or under
    MARK_AREA of the `largest` piece's pixels and wholly below that middle (a comma, a full
    stop) or flat and no wider than a digit (a dash), or under COMMA_AREA, below that middle
    and reaching DESCENT line heights below the digits (a bolder comma). `boxes` are the
    groups' boxes, `tall` the digits' indices. A piece up there that is flat or over a
    digit's columns is a 5's cap or a 7's bar drawn apart, so only the dash's test may drop
    it."""
    box = boxes[k]
    if len(groups[k]) > 1 or box.height >= MARK_HEIGHT * line or not tall:
        return False
    beside = [boxes[t] for t in sorted(tall, key=lambda t: abs(t - k))[:2]]  # nearest digits
    middle = sum((b.top + b.bottom) / 2 for b in beside) / len(beside)
    flat = box.width >= FLAT * box.height
    apart = all(_columns_shared(box, b) <= 0 for b in beside)  # no cap over a digit's body
    if box.bottom <= middle and not flat and apart:
        return True  # a degree sign, an apostrophe
    area = groups[k][0].area
    below = box.bottom >= max(b.bottom for b in beside) + DESCENT * line
    if box.top >= middle and below and area < COMMA_AREA * largest:
        return True  # a comma reaching below the line
    if area >= MARK_AREA * largest:
        return False
    if box.height < DOT_SIZE * line and flat:
        return True  # a dash
    return box.top >= middle


def line_height(pieces: list[Piece]) -> int:
    """The height of the line's digits: the median height of its larger pieces."""
    largest = max(piece.area for piece in pieces)
    heights = sorted(p.box.height for p in pieces if p.area >= 0.25 * largest)
    return heights[len(heights) // 2]


def stacked_lines(boxes: list[Box], line: int) -> int:
    """How many lines of digits the blobs' `boxes` make one above the other: bands of rows
    that no blob spans across, at least BAND_HEIGHT of the line's height tall, that share
    columns with another band. 1 for a line however wavy or slanted: its neighbours' rows
    overlap."""
    bands: list[Box] = []
    for box in sorted(boxes, key=lambda b: b.top):
        if bands and box.top < bands[-1].bottom:
            bands[-1] = enclosing((bands[-1], box))
        else:
            bands.append(box)
    tall = [band for band in bands if band.height >= BAND_HEIGHT * line]
    stacked = [b for b in tall if any(b is not o and _columns_shared(b, o) > 0 for o in tall)]
    return max(1, len(stacked))


def group_box(group: list[Piece]) -> Box:
    return enclosing(p.box for p in group)


def _speck(piece: Piece, largest: int, line: int) -> bool:
    if max(piece.box.height, piece.box.width) < DOT_SIZE * line:
        return True
    return piece.area < SPECK_AREA * largest and piece.box.height < SPECK_HEIGHT * line


def _flat_line(piece: Piece, line: int) -> bool:
    """A stroke wider than any digit and as flat as a speck: an underline, a dash, a rule."""
    return piece.box.width > MAX_WIDTH * line and piece.box.height < SPECK_HEIGHT * line


def _columns_shared(first: Box, second: Box) -> int:
    return min(first.right, second.right) - max(first.left, second.left)


def _same_digit(anchor: Box, part: Box, line: int) -> bool:
    """`part` (no larger) belongs to the digit whose box is `anchor`."""
    shared = _columns_shared(anchor, part)
    narrower = min(anchor.width, part.width)
    shorter, taller = sorted((anchor.height, part.height))
    apart = max(anchor.top, part.top) - min(anchor.bottom, part.bottom)  # rows between them
    return (
        shared >= SHARED_COLUMNS * narrower
        and shorter < PART_HEIGHT * taller
        and apart < PART_GAP * line
    )
