"""Digits made of separate dots (an LED board, a dot-matrix printer's receipt, a dotted pen)
joined into strokes.

The network learnt strokes: a digit of a 5x7 dot font reads as noise, and on a number's page
its dots are specks. Where the ink is a lattice of dots (many pieces of about one size, a few
dots' sizes apart), a running maximum over a square wide enough to bridge diagonal neighbours
joins the dots of each stroke, while glyphs a column of dots apart stay apart; a running
minimum over half that square then takes back part of the growth. A cheap Euler number
(pieces less holes) rules out most pictures before their pieces are labelled.
"""

from __future__ import annotations

import math

import numpy as np

from .box import ink_box
from .components import label_pieces, row_runs
from .morphology import square_filter

CORE = 0.5  # ramped strokes over this are a dot's core, apart from its blur (on a number's page)
DIGIT_CORE = 0.7  # ... on a single digit's cut, finer, where blur bridges close dots
DOTS_WIDTH = 1.6  # px of stroke width (stroke.py) in MNIST's 20x20 box: a digit's dots measure
# at most 1.54 (144 joined of 200 glyphs), as 8% of handwritten digits do (session 57)
MIN_DOTS = 5  # a 1 of a 5x7 font is 7 to 10 dots, fewer blurred into beads; a handwritten
# digit is 1 to 3 pieces
DOTS_PER_HEIGHT = 3  # and this many per height of the ink's width: a glyph of 5x7 dots holds
# about 12 in 6/7 of its height, a handwritten number about one piece a digit
LARGEST = 0.5  # no piece holds more of the ink than this: five dots of a row blurred into one
SAME_SIZE = 3.0  # pieces up to this many times the median piece's area are dots (or beads)
DOT_SHARE = 0.5  # ... and hold this share of the ink at least
ROUND = 2.0  # dots are as tall as wide: runs across rows and down columns alike, to this factor
PITCH_QUANTILE = 25  # of the steps between runs' centres: the pitch (skipped dots and loops
# make longer steps)
MAX_PITCH = 3.0  # times the dots' size: dots further apart make no strokes
REACH = 0.6  # a square growing dots by this many pitches joins them to their neighbours
# (a pitch apart, or sqrt(2) on a diagonal), not to the next glyph's (a column of dots away)
GLYPH_WIDTH = 1.3  # times its height: no joined glyph is wider (5x7 dots, slanted: 0.9)
GLYPH_SHARE = 0.2  # of the largest joined piece's ink: smaller pieces are not judged

# Euler number (8-connected) = (one corner set - three set - 2 x two facing across a diagonal)
# / 4 over the 2x2 windows; bits 1 and 2 are a window's left column, 4 and 8 its right.
_EULER_WEIGHTS = np.zeros(16, dtype=np.int64)
_EULER_WEIGHTS[[1, 2, 4, 8]] = 1
_EULER_WEIGHTS[[7, 11, 13, 14]] = -1
_EULER_WEIGHTS[[6, 9]] = -2


def euler_number(mask: np.ndarray) -> int:
    """Pieces (8-connected) less holes of (H, W) bool, from counts of 2x2 patterns (Gray,
    1971): a handwritten digit gives 1 to -1, a digit of separate dots its number of dots."""
    height, width = mask.shape
    m = np.zeros((height + 2, width + 2), dtype=np.uint8)  # framed by a pixel of paper
    m[1:-1, 1:-1] = mask
    pairs = m[:-1] + (m[1:] << 1)  # (H + 1, W + 2) each pixel and the one below it, 0 to 3
    patterns = pairs[:, :-1] + (pairs[:, 1:] << 2)  # (H + 1, W + 1) each 2x2 window, 0 to 15
    return int(np.bincount(patterns.ravel(), minlength=16) @ _EULER_WEIGHTS) // 4


def join_window(mask: np.ndarray) -> int:
    """The side of the square whose growth joins the dots of (H, W) bool `mask` into strokes
    (join_dots), or 0 where its ink is no lattice of dots: at least MIN_DOTS pieces (less
    holes) and DOTS_PER_HEIGHT for each height of the ink's width, none holding more than
    LARGEST of the ink, those of about one size (SAME_SIZE) holding DOT_SHARE of it, as
    tall as wide (ROUND), a pitch at most MAX_PITCH times the dots' size apart, and some two
    side by side on a row or a column to measure it by.

    Along a row or a column, neighbouring dots' runs are a pitch apart centre to centre, and
    no two runs are closer, so the pitch is a low quantile of those steps; dots blurred into
    beads leave longer ones. The dot's size is the runs' median length, across rows and down
    columns."""
    if not mask.any():
        return 0
    box = ink_box(mask)
    if euler_number(mask) < max(MIN_DOTS, DOTS_PER_HEIGHT * box.width / box.height):
        return 0
    _, pieces = label_pieces(mask)
    areas = np.array([piece.area for piece in pieces])  # (P,)
    if areas.max() > LARGEST * areas.sum():
        return 0  # one stroke and specks, or text beside it (a plot's tick labels)
    if areas[areas <= SAME_SIZE * np.median(areas)].sum() < DOT_SHARE * areas.sum():
        return 0  # pieces of many sizes: a thin digit's strokes and specks round it
    lengths, steps = [], []  # the runs' median length across rows, then down columns
    for lines in (mask, mask.T):
        rows, starts, ends = row_runs(lines)  # (R,) each
        lengths.append(float(np.median(ends - starts)))
        same = rows[1:] == rows[:-1]  # (R - 1,) a run and the next on its row
        steps.append((starts + ends)[1:][same] / 2 - (starts + ends)[:-1][same] / 2)
    beside = np.concatenate(steps)  # (S,)
    if not beside.size or max(lengths) > ROUND * min(lengths):
        return 0  # no two dots side by side (a diagonal of dots); bars (a barcode), not dots
    pitch = float(np.percentile(beside, PITCH_QUANTILE))
    if pitch > MAX_PITCH * max(lengths):
        return 0
    return math.ceil(REACH * pitch) + 1


def join_dots(ink: np.ndarray, window: int) -> np.ndarray:
    """(H, W) light-on-dark `ink` grown by a `window` square, then shrunk by one half as wide:
    the dots of a stroke joined, and the strokes left bolder than the dots, about a pitch
    wide, as the network reads them best (docs/experiments.md, session 57)."""
    grown = square_filter(ink, window, np.maximum, 0.0)  # (H, W)
    return square_filter(grown, max(1, window // 2), np.minimum, np.inf)  # (H, W)


def glyphs_apart(mask: np.ndarray) -> bool:
    """Whether the joined pieces of (H, W) bool `mask` are glyphs, each one digit: none of
    GLYPH_SHARE of the largest's ink or more wider than GLYPH_WIDTH times its height.
    Handwriting broken into pieces (a thin pen, a shadow's edge across it) may pass
    join_window's tests, and glyphs a column of dots apart may join: such blobs hold several
    digits."""
    _, pieces = label_pieces(mask)
    largest = max((piece.area for piece in pieces), default=0)
    return all(
        piece.box.width <= GLYPH_WIDTH * piece.box.height
        for piece in pieces
        if piece.area >= GLYPH_SHARE * largest
    )


def digit_window(crop: np.ndarray, fitted: np.ndarray, width: float) -> int:
    """join_window for a single digit's (H, W) ramped `crop`, judged first on its (h, w) fit
    into MNIST's box, `fitted`, whose strokes are `width` px wide (stroke.py): strokes as
    wide as DOTS_WIDTH, or a cheap Euler number there, rule out nearly every digit."""
    if width >= DOTS_WIDTH or euler_number(fitted > DIGIT_CORE * float(fitted.max())) < MIN_DOTS:
        return 0
    return join_window(crop > DIGIT_CORE)
