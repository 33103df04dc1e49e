"""The digit's box in a mask of its ink: specks, other things in the picture apart from it
and a box drawn round it left out."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from .box import Box, ends, ink_box, leading, runs, scale_box
from .components import in_pieces, label_pieces, near_pieces, on_runs, reaches
from .dots import join_window
from .edges import content_box
from .errors import EmptyImageError

UNDERLINE_FLAT = 0.2  # a line under the digit is at most this share as tall as it is wide,
UNDERLINE_WIDTH = 0.6  # and at least this share of the digit's width
APART = 0.08  # something else in the picture lies this share of the digit's height from it,
WIDER = 1.25  # a heading above it is this many times as wide,
MOSTLY = 0.5  # and the digit without it is at least this share of all the ink's height
HEADING_PIECES = 3  # a heading, a toolbar or a row of buttons holds this many things or more
FAR = 0.5  # a band this many heights of the ink beside it apart is no part of the digit,
# whatever its shape (a phone's status bar or a window's toolbar above, a home indicator below)
PRINTED = 0.95  # a printed line has this share of its ink on straight lines across its box
STRAIGHT = 0.9  # those lines: rows across this share of its width, columns down its height
STROKES = 0.5  # and its ink, lines not a block, fills at most this share of its box
SPECK = 0.05  # a piece under this share of the largest one's area, apart from the rest, is dust
THIN = 0.01  # specks are looked for where a band APART wide at one side holds this share of ink
FRAME_SIDE = 0.5  # a frame drawn round the digit, things outside it, spans this share of their box
FRAME_SOLID = 0.9  # and its sides are inked along this share of their length (a plot's axes),
FRAME_LINE = 0.1  # in lines at most this share of its shorter side thick


def digit_box(mask: np.ndarray, framed: bool = False) -> Box:
    """The box of the ink in (H, W) `mask`, ignoring isolated specks, a line under it, things
    at the picture's edges apart from it (with `framed`: the mask's sides are the picture's)
    and a heading above it; but not the rows of a dot-matrix digit's dots (dots.py)."""
    solid = without_noise(mask)  # lone pixels and pairs are noise
    if not solid.any():
        raise EmptyImageError()
    box = ink_box(solid)
    if framed and _thin_end(box.crop(solid)):  # and so are specks of dust apart from the rest
        solid = _without_specks(solid)
        box = ink_box(solid)
    around = scale_box(box, 1, mask.shape, margin=2)  # stroke ends the filter shaved
    box = ink_box(around.crop(mask)).shifted(around.left, around.top)
    if framed:
        box = _inside_pieces(box.crop(mask), _picture(box, mask.shape)).shifted(box.left, box.top)
    picture = _picture(box, mask.shape) if framed else None
    whole = box
    box = _below_heading(box.crop(mask), picture).shifted(box.left, box.top)
    box = _above_underline(box.crop(mask)).shifted(box.left, box.top)
    box = _above_printed_line(box.crop(mask)).shifted(box.left, box.top)
    if box != whole and join_window(whole.crop(mask)):
        return whole  # a dot-matrix digit: its rows of dots are bands apart, no heading or line
    return box


def _without_specks(solid: np.ndarray) -> np.ndarray:
    """(H, W) bool `solid` without its specks: pieces under SPECK of the largest one's area
    lying APART of the rest's height from it (dust on a scan, toner, a fax's noise)."""
    labels, pieces = label_pieces(solid)
    largest = max(piece.area for piece in pieces)
    big = [piece.label for piece in pieces if piece.area >= SPECK * largest]
    if len(big) == len(pieces):
        return solid
    rest = in_pieces(labels, big)  # (H, W)
    near = near_pieces(labels, rest, math.ceil(APART * ink_box(rest).height))
    return in_pieces(labels, sorted(near | set(big)))


def _thin_end(ink: np.ndarray) -> bool:
    """Whether (h, w) bool `ink`, cut to its box, holds under THIN of itself in the band APART
    of its height or width at one of its sides, as a speck apart from the rest leaves it."""
    height, width = ink.shape
    rows, columns = math.ceil(APART * height), math.ceil(APART * width)
    least = THIN * np.count_nonzero(ink)
    ends = (ink[:rows], ink[height - rows :], ink[:, :columns], ink[:, width - columns :])
    return any(np.count_nonzero(end) < least for end in ends)


def _picture(box: Box, shape: tuple[int, ...]) -> Box:
    """The (H, W) picture's extent in the coordinates of `box`, cut from it."""
    return Box(-box.left, -box.top, shape[1] - box.left, shape[0] - box.top)


def _digit_like(rest: Box, gap: float, height: int, picture: Box | None) -> bool:
    """Whether `rest`, once something `gap` pixels from it is left out of ink `height` tall,
    is the digit: at least APART of its height from that thing, MOSTLY of the ink's height
    (not a speck beside a faint page's noise) and, where the picture is known, clear of its
    edges (a digit in full view, not one of several things the frame cuts)."""
    inside = picture is None or not reaches(rest, picture)
    return inside and gap >= APART * rest.height and rest.height >= MOSTLY * height


def _inside_pieces(ink: np.ndarray, picture: Box) -> Box:
    """The box of (h, w) bool `ink` (cut to its box) without the pieces that touch the
    picture's edges (in `ink`'s coordinates) and lie apart from those inside it: a pen lying
    along the side, a fingertip, the next digit of a number cut by the frame."""
    whole = Box(0, 0, ink.shape[1], ink.shape[0])
    if not reaches(whole, picture):
        return whole
    labels, pieces = label_pieces(ink)
    inner = [piece.label for piece in pieces if not reaches(piece.box, picture)]
    if not inner or len(inner) == len(pieces):
        return whole
    digit = in_pieces(labels, inner)  # (h, w)
    rest = ink_box(digit)
    if rest.height < MOSTLY * ink.shape[0]:  # a speck beside a faint page's noise
        return whole
    near = near_pieces(labels, digit, math.ceil(APART * rest.height))
    return ink_box(in_pieces(labels, sorted(near)))


def _below_heading(ink: np.ndarray, picture: Box | None) -> Box:
    """The box of (h, w) bool `ink` (cut to its box) without what lies above the digit,
    apart from it, and either flat and much wider (WIDER) or a row of things (words,
    buttons), or FAR from it: a printed heading, a phone's status bar, a drawing app's title
    and toolbar, a web page's tabs and heading. Each gap between rows is looked at from the
    top, the band between it and the last cut judged alone, so that a heading may hold
    several rows of things. A 5's cap and a 7's bar lie close and are one thing."""
    rows = np.asarray(ink.any(axis=1))  # (h,)
    digit, cut = Box(0, 0, ink.shape[1], ink.shape[0]), 0
    for band, start in bands(rows):
        rest = ink_box(ink[start:]).shifted(0, start)
        if rest.height < MOSTLY * ink.shape[0]:
            break  # too little left to be the digit, here or further down
        line = ink_box(ink[cut:band])
        wider = line.width >= WIDER * rest.width or things(ink[cut:band]) >= HEADING_PIECES
        flat = line.height <= UNDERLINE_FLAT * line.width and wider
        if (flat or far(rows, band, start)) and _digit_like(rest, start - band, len(rows), picture):
            digit, cut = rest, start
    return digit


def things(band: np.ndarray) -> int:
    """How many things lie side by side in (h, w) bool `band`: its runs of inked columns."""
    columns = np.asarray(band.any(axis=0))  # (w,)
    return int(columns[0]) + int(np.count_nonzero(columns[1:] & ~columns[:-1]))


def bands(flags: np.ndarray) -> Iterator[tuple[int, int]]:
    """For a 1-D bool profile with its ends set, each gap in turn from its start: one past
    the last entry before it and the first after it (`first_band`'s pair, further on)."""
    band = 0
    while (split := first_band(flags[band:])) is not None:
        yield band + split[0], band + split[1]
        band += split[1]


def first_band(flags: np.ndarray) -> tuple[int, int] | None:
    """For a 1-D bool profile with its ends set: one past its first band of set entries and
    the start of the rest after the gap, or None when it has no gap."""
    empty = np.flatnonzero(~flags)
    if not len(empty):
        return None
    band = int(empty[0])
    return band, band + int(np.argmax(flags[band:]))


def far(flags: np.ndarray, band: int, start: int) -> bool:
    """For a 1-D bool profile split by `first_band` into a first band and a rest from
    `start`: the gap is FAR of the height of the band of the rest beside it."""
    beside = first_band(flags[start:])
    height = beside[0] if beside is not None else len(flags) - start
    return start - band >= FAR * height


def _above_underline(ink: np.ndarray) -> Box:
    """The box of (h, w) bool `ink` (cut to its box), without a line drawn under the digit:
    a flat band of rows at the bottom, apart from the rows above it, about as wide as they
    are, a row of things (a web page's buttons) or FAR from them (a phone's home indicator).
    A digit's own strokes seldom lie apart at the bottom (a 2's base is drawn on); a 5's cap
    and a 7's bar, flat and apart, are at the top."""
    rows = np.asarray(ink.any(axis=1))  # (h,)
    whole = Box(0, 0, ink.shape[1], len(rows))
    if rows.all() or (split := first_band(rows[::-1])) is None:
        return whole
    band, start = split  # the last band's rows and the gap's, counted from the bottom
    line, digit = ink_box(ink[len(rows) - band :]), ink_box(ink[: len(rows) - start])
    flat = line.height <= UNDERLINE_FLAT * line.width
    wide = line.width >= UNDERLINE_WIDTH * digit.width or far(rows[::-1], band, start)
    row = things(ink[len(rows) - band :]) >= HEADING_PIECES  # a row of buttons
    return digit if flat and (wide or row) else whole


def _above_printed_line(ink: np.ndarray) -> Box:
    """The box of (h, w) bool `ink` (cut to its box) without a printed line under the digit
    that rises into its rows: a form's comb, a base line with a tick at each side of the
    digit's cell. Its piece holds a run across UNDERLINE_WIDTH of the last row, lies on
    straight lines (PRINTED), thin ones (STROKES: not a block in a photo, whose rows all run
    across it), and leaves the digit MOSTLY of the ink's height."""
    whole = Box(0, 0, ink.shape[1], ink.shape[0])
    if np.count_nonzero(ink[-1]) < UNDERLINE_WIDTH * ink.shape[1]:
        return whole  # most digits: no long run along the bottom row
    labels, pieces = label_pieces(ink)  # (h, w)
    if len(pieces) < 2:
        return whole
    along = np.bincount(labels[-1])  # (P + 1,) each label's pixels in the bottom row
    along[0] = 0
    under = int(along.argmax())
    line = next(piece for piece in pieces if piece.label == under)  # the one along the bottom
    if line.area > STROKES * line.box.height * line.box.width:
        return whole
    own = line.box.crop(labels) == line.label  # (h', w')
    across = on_runs(own, math.ceil(STRAIGHT * line.box.width))  # (h', w')
    down = on_runs(own.T, math.ceil(STRAIGHT * line.box.height)).T  # (h', w')
    rest = ink & (labels != line.label)  # (h, w)
    if np.count_nonzero(across | down) < PRINTED * line.area or not rest.any():
        return whole
    digit = ink_box(rest)
    return digit if digit.height >= MOSTLY * ink.shape[0] else whole


def inside_outline(ink: np.ndarray, mask: np.ndarray, box: Box) -> Box:
    """The digit's box inside a box drawn round it, else `box` itself: a form's field, which,
    cut to all the ink, is the image's frame that edges.py cuts off; or a frame with things
    outside it (a plot's axes with their title and tick labels: `frame_inside`)."""
    field = content_box(1 - box.crop(ink)).shifted(box.left, box.top)
    if (framed := frame_inside(field.crop(mask))) is not None:
        field = framed.shifted(field.left, field.top)
    if field == box:
        return box
    try:
        digit = digit_box(field.crop(mask))
    except EmptyImageError:
        return box  # nothing inside: the outline is the digit (a "0" drawn square)
    return digit.shifted(field.left, field.top)


def frame_inside(ink: np.ndarray) -> Box | None:
    """The inside of a rectangle drawn in (h, w) bool `ink` (cut to its box) round the rest,
    with things outside it, or None. Its top and bottom are the outermost rows inked along
    FRAME_SIDE of the box, at least FRAME_SIDE of it apart; its sides, the ends of the top
    row's longest run; each of the four inked along FRAME_SOLID of its length, in lines at
    most FRAME_LINE of it thick. The inside starts past them and is paper over STROKES of it
    at least. Most digits have no two long rows so far apart, and pay for one sum of the
    rows."""
    height, width = ink.shape
    inked = ink.sum(axis=1, dtype=np.int32)  # (h,) each row's ink
    across = np.flatnonzero(inked >= FRAME_SIDE * width).tolist()  # long rows
    if len(across) < 2 or across[-1] + 1 - across[0] < FRAME_SIDE * height:
        return None
    top, bottom = across[0], across[-1] + 1
    left, right = ends(ink[top])
    if right - left > inked[top]:  # gaps in it: its longest run, not a tick's label beside it
        left, right = max(runs(ink[top]), key=lambda run: run[1] - run[0])
    least = FRAME_SOLID * (right - left)  # a side's ink along the top and the bottom
    if right - left < FRAME_SIDE * width or min(int(inked[top]), int(inked[bottom - 1])) < least:
        return None
    frame = ink[top:bottom, left:right]  # (h', w')
    rows = frame.sum(axis=1, dtype=np.int32) >= FRAME_SOLID * frame.shape[1]  # (h',) solid
    columns = frame.sum(axis=0, dtype=np.int32) >= FRAME_SOLID * frame.shape[0]  # (w',)
    if not (rows[0] and rows[-1] and columns[0] and columns[-1]):
        return None  # a side broken
    lines = (leading(columns), leading(rows), leading(columns[::-1]), leading(rows[::-1]))
    if max(lines) > FRAME_LINE * min(frame.shape):
        return None  # lines as thick as a bold digit's loop: the loop of a 0, 6, 8 or 9
    inside = Box(left + lines[0], top + lines[1], right - lines[2], bottom - lines[3])
    if inside.width < 1 or inside.height < 1:
        return None
    # an outline, not a block (a dark panel, whose light digit holes it, is panel.py's)
    return inside if np.count_nonzero(inside.crop(ink)) <= STROKES * inside.area else None


def without_noise(mask: np.ndarray) -> np.ndarray:
    """(H, W) bool `mask` without its lone pixels and pairs (under two set neighbours)."""
    return mask & (neighbours(mask) >= 2)


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
