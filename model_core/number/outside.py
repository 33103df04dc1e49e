"""Things in the picture that are no part of the number: strokes showing through from the
page's back or left by an eraser, a pen lying along the side of a photo, a fingertip on its
bottom edge, a drawing app's toolbar or a printed heading.

A piece of ink whose strongest stroke is under FAINT of the page's (the ramp's 1) was not
written with the number's pen: a digit on the sheet's other side, seen through the paper,
or an attempt rubbed out. Where the ghost touches a digit, the two are one piece and stay;
and where the darker pieces are no line of digits (a black speck beside a number in faint
pencil: the line they make is under MOSTLY of all the pieces'), nothing comes off. The test
comes after the others, so that a dark box, pen or heading round faint digits is off first.

A piece of ink that touches the picture's edge (or ends EDGE short of it, as a frame's side
cut by the page's crop does) is left out when it is no digit of the line the pieces inside
the picture make: drawn BOLDER than their strokes (a solid thing), or, lying apart from them
(APART of their line's height, as a digit's box leaves such things out,
preprocessing/digit_box.py), taller than TALLER line heights or centred above or below the
line's rows. A digit of the number cut by the frame is drawn with the same pen, as tall as
the others and on their line, so it stays; and where only specks lie inside the picture, the
digits themselves reach its edges (a tight crop), so nothing is left out.

A band of rows above or below the number (several, one gap after another, each judged from
the last cut) is left out when it is a row of small things: at most half as tall as the
number (MOSTLY), flat, of HEADING_PIECES pieces or more (or, of any shape, FAR from it: a
phone's status bar and home indicator), and further from it than groups.py lets a digit's
pieces lie apart (PART_GAP), so that no 5's cap or 7's bar is in it; a comma lies on the
digits' rows. Two lines of digits of one size are still two lines (candidates.py refuses
them).
"""

from __future__ import annotations

import math

import numpy as np

from model_core.preprocessing.box import Box, enclosing, ink_box
from model_core.preprocessing.components import Piece, in_pieces, near_pieces, reaches
from model_core.preprocessing.digit_box import (
    APART,
    HEADING_PIECES,
    MOSTLY,
    UNDERLINE_FLAT,
    bands,
    far,
)
from model_core.preprocessing.stroke import stroke_width

from .groups import PART_GAP, line_height

FAINT = 0.2  # of the page's ramp: a piece never darker than this is a ghost (about 0.3 of
# the darkest strokes' contrast, as the ramp runs from 0.2 to 0.7 of it: levels.py)
EDGE = 1  # page pixels: a frame's side cut by the page's crop may end this far short of its edge
TALLER = 1.5  # line heights: taller than any digit of the line
BOLDER = 2.0  # stroke widths: no digit's pen is this much bolder than its neighbours'


def faint_pieces(
    mask: np.ndarray, strokes: np.ndarray, labels: np.ndarray, pieces: list[Piece]
) -> list[int]:
    """(h, w) bool ink of a line of digits, its (h, w) ramped strokes and piece labels, and
    its pieces -> the labels of the pieces whose strongest stroke is under FAINT (or none)
    beside darker ones that make a line."""
    strongest = np.zeros(len(pieces) + 1, dtype=np.float32)  # (P + 1,) by label
    np.maximum.at(strongest, labels[mask], strokes[mask])
    faint = [piece for piece in pieces if strongest[piece.label] < FAINT]
    dark = [piece for piece in pieces if strongest[piece.label] >= FAINT]
    if not faint or not dark or line_height(dark) < MOSTLY * line_height(pieces):
        return []
    return [piece.label for piece in faint]


def edge_pieces(mask: np.ndarray, labels: np.ndarray, pieces: list[Piece]) -> list[int]:
    """(h, w) bool ink of a line of digits, its (h, w) piece labels and its pieces -> the
    labels of the pieces at its edges that are no part of the number (or none)."""
    picture = Box(0, 0, mask.shape[1], mask.shape[0])
    edge = [p for p in pieces if reaches(p.box, picture, EDGE)]
    inner = [p for p in pieces if not reaches(p.box, picture, EDGE)]
    if not edge or not inner:
        return []
    line = line_height(inner)
    if line < MOSTLY * line_height(pieces):
        return []  # specks inside: the digits reach the edges
    rows = enclosing(p.box for p in inner if p.box.height >= MOSTLY * line)  # the line's rows
    digits = in_pieces(labels, [p.label for p in inner])  # (h, w)
    near = near_pieces(labels, digits, math.ceil(APART * line))
    pen = stroke_width(digits)

    def no_digit(piece: Piece) -> bool:
        if stroke_width(piece.box.crop(labels) == piece.label) > BOLDER * pen:
            return True  # a solid thing, close to the digits or not
        centre = (piece.box.top + piece.box.bottom) / 2
        off_line = piece.box.height > TALLER * line or not rows.top <= centre < rows.bottom
        return off_line and piece.label not in near

    return [piece.label for piece in edge if no_digit(piece)]


def heading_pieces(mask: np.ndarray, pieces: list[Piece]) -> list[int]:
    """(h, w) bool ink of a line of digits and its pieces -> the labels of the pieces of a
    heading or a toolbar above the number, and of a toolbar below it (or none). Each gap
    between rows is looked at from that end in turn, the band since the last cut judged
    alone, as long as it is small, and the last such one taken, so that a heading may hold
    several rows of things (a window's title and its toolbar, a web page's tabs, address and
    heading)."""
    box = ink_box(mask)
    rows = np.asarray(box.crop(mask).any(axis=1))  # (h,)
    off = []
    for below in (False, True):
        profile = rows[::-1] if below else rows
        heading: list[int] = []  # the pieces before the last cut
        for band, start in bands(profile):  # counted from that end
            if below:
                rest = ink_box(mask[box.top : box.bottom - start]).shifted(0, box.top)
                strip = [p for p in pieces if p.box.top >= box.bottom - band]
            else:
                rest = ink_box(mask[box.top + start : box.bottom]).shifted(0, box.top + start)
                strip = [p for p in pieces if p.box.bottom <= box.top + band]
            fresh = [p for p in strip if p.label not in heading]  # since the last cut
            bar = enclosing(p.box for p in fresh)
            if bar.height > MOSTLY * rest.height:
                break  # as tall as the number: no heading, nor any further on
            flat = bar.height <= UNDERLINE_FLAT * bar.width
            apart = start - band >= PART_GAP * rest.height  # as far as groups.py parts a digit
            row = flat and len(fresh) >= HEADING_PIECES
            if apart and (row or far(profile, band, start)):
                heading = [p.label for p in strip]
        off += heading
    return off
