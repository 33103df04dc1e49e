"""Things at the picture's edges that are no part of the number: a pen lying along the side
of a photo, a fingertip on its bottom edge.

A piece of ink that touches the picture's edge is left out when it lies apart from the pieces
inside the picture (APART of their line's height, as a digit's box leaves such things out,
preprocessing/digit_box.py) and is no digit of their line: taller than TALLER line heights,
or centred above or below the line's rows. A digit of the number cut by the frame is as tall
as the others and on their line, so it stays; and where only specks lie inside the picture,
the digits themselves reach its edges (a tight crop), so nothing is left out.
"""

from __future__ import annotations

import math

import numpy as np

from model_core.preprocessing.box import Box, enclosing
from model_core.preprocessing.components import Piece, in_pieces, near_pieces, reaches
from model_core.preprocessing.digit_box import APART, MOSTLY

from .groups import line_height

TALLER = 1.5  # line heights: taller than any digit of the line


def off_the_edges(mask: np.ndarray, labels: np.ndarray, pieces: list[Piece]) -> np.ndarray | None:
    """(h, w) bool ink of a line of digits, its (h, w) piece labels and its pieces -> the mask
    less the pieces at its edges that are no part of the number; None when there are none."""
    picture = Box(0, 0, mask.shape[1], mask.shape[0])
    edge = [p for p in pieces if reaches(p.box, picture)]
    inner = [p for p in pieces if not reaches(p.box, picture)]
    if not edge or not inner:
        return None
    line = line_height(inner)
    if line < MOSTLY * line_height(pieces):
        return None  # specks inside: the digits reach the edges
    rows = enclosing(p.box for p in inner if p.box.height >= MOSTLY * line)  # the line's rows
    near = near_pieces(labels, in_pieces(labels, [p.label for p in inner]), math.ceil(APART * line))
    off = [
        p.label
        for p in edge
        if p.label not in near
        and (
            p.box.height > TALLER * line
            or not rows.top <= (p.box.top + p.box.bottom) / 2 < rows.bottom
        )
    ]
    return mask & ~in_pieces(labels, off) if off else None
