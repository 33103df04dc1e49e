"""A dark panel on light paper, the digit drawn light inside it: read the panel, not the page.

A plot of an MNIST digit (matplotlib's `imshow`, saved with its white figure round the black
image, its axes, ticks and title), a dark-mode canvas in a light screenshot, a slate held up
against a wall: the dark panel is the picture, and the page round it only a frame. Taken as
it stands, the panel is the darkest, largest thing on light paper, so it passed for one huge
stroke with the digit as holes in it.

A panel is told from a stroke by its shape. Its sides are the first and last rows and
columns of the largest piece of ink that hold SIDES of its longest: the axes' ticks and
labels joined to it lie outside them, and MOST of the piece inside. Between them it covers
PANEL_SHARE of the picture, is ink over FILLED of that box and along SOLID of each side, and
holds light strokes. A digit's box is seldom solid along all four sides, and then it is a
bar (a bold 1) with nothing light inside; a box drawn round a digit is not filled.
"""

from __future__ import annotations

import numpy as np

from .box import Box, ends
from .components import Piece, label_pieces

PANEL_SHARE = 0.05  # a panel (or a row of them) covers at least this share of the picture ...
FILLED = 0.5  # ... is ink over at least this share of its box ...
SOLID = 0.9  # ... and along this share of each of its four sides, ...
MOST = 0.9  # ... which hold this share of the piece (ticks and labels joined to it outside)
SIDES = 0.75  # its sides are the first and last lines that hold this share of the longest
STROKES = 0.02  # inside its sides, the digit's strokes hold at least this share, ...
LIGHTER = 0.5  # ... at most this share of the panel's own level as ink
LONG_ROWS = 0.5  # a page holding panels has two rows of ink along this share of its width: of
# 900 plotted numbers held out, none under 0.64; 8% of lines of digits over it, none over 0.58
ALIKE = 0.5  # other pieces at least this share of the largest's size may be panels too, ...
ALIKE_HEIGHT = 0.8  # ... as tall as the largest within this ratio, on its rows (subplots)
SQUARE = 0.4  # a digit's panel is at least this wide for its height, and this high for its
# width (a 1 drawn bold fills its box, a bar)


def dark_panels(ink: np.ndarray, mask: np.ndarray, found: Box | None = None) -> list[Box]:
    """The insides of the dark panels of (H, W) bool `mask`, where (H, W) `ink` (dark on light
    paper, as light on dark) is ink, in `mask`'s pixels, largest first: its largest piece, and
    the others ALIKE in size beside it (a row of subplots), each within its sides; none when
    the largest is no panel. `found`: the box the caller found the ink in (a digit's box),
    which a panel fills to at least FILLED and no narrower than SQUARE; without it (a number's
    page, whose panel may be a long strip), the quick test is two rows of ink along LONG_ROWS
    of it."""
    height, width = mask.shape
    if found is not None:
        area = found.area
        if np.count_nonzero(mask) < FILLED * area:  # all the ink, counted fastest
            return []  # the common case: a digit's strokes fill less of their box
        narrow = min(found.width, found.height) < SQUARE * max(found.width, found.height)
        if narrow or np.count_nonzero(found.crop(mask)) < FILLED * area:
            return []  # a 1 drawn bold fills its box
    else:
        rows = np.add.reduce(mask.view(np.uint8), axis=1, dtype=np.uint16)  # (H,) pages are
        # at most 1,280 wide; a uint16 sum is the fast one
        if height < 2 or np.partition(rows, -2)[-2] < LONG_ROWS * width:
            return []  # a line of digits: no two rows of ink as long as a panel's (or a row's)
    labels, pieces = label_pieces(mask)
    pieces.sort(key=lambda piece: piece.area, reverse=True)
    insides: list[Box] = []
    for piece in pieces:
        if piece.area < ALIKE * pieces[0].area:
            break
        if (inside := _inside(piece, labels, ink, mask)) is None:
            if not insides:
                return []  # the largest piece is no panel
            continue
        if not insides or _beside(inside, insides[0]):
            insides.append(inside)
    panels = sum((inside.width + 2) * (inside.height + 2) for inside in insides)  # sides too
    if panels < PANEL_SHARE * height * width:
        return []
    return insides


def _beside(panel: Box, first: Box) -> bool:
    """`panel` is the next in a row of subplots beginning with `first`: as tall within
    ALIKE_HEIGHT, and on the same rows over half its height (a colour bar is far taller)."""
    if not ALIKE_HEIGHT * first.height <= panel.height <= first.height / ALIKE_HEIGHT:
        return False
    shared = min(panel.bottom, first.bottom) - max(panel.top, first.top)
    return shared >= panel.height / 2


def _inside(piece: Piece, labels: np.ndarray, ink: np.ndarray, mask: np.ndarray) -> Box | None:
    """The inside of `piece` of (H, W) `labels` where it is a dark panel, or None."""
    own = piece.box.crop(labels) == piece.label  # (h, w)
    core = _core(own)
    if np.count_nonzero(core.crop(own)) < MOST * piece.area:
        return None  # a thick stroke's straight part, not a panel with its ticks
    box = core.shifted(piece.box.left, piece.box.top)
    panel = box.crop(mask)  # (h', w')
    sides = (panel[:2], panel[-2:], panel.T[:2], panel.T[-2:])  # each side's edge lines
    if np.count_nonzero(panel) < FILLED * box.area or not all(
        np.count_nonzero(lines, axis=1).max() >= SOLID * lines.shape[1] for lines in sides
    ):
        return None  # a side is solid on its edge line or, where that is blurred, the next
    inside = Box(box.left + 1, box.top + 1, box.right - 1, box.bottom - 1)
    if inside.width < 1 or inside.height < 1:
        return None
    within = inside.crop(ink)  # (h, w) the panel's level, the strokes lighter (lower here)
    light = np.count_nonzero(within < LIGHTER * float(np.median(within)))  # a bar has none
    return inside if light >= STROKES * inside.area else None


def _core(piece: np.ndarray) -> Box:
    """The box of (h, w) bool `piece` from its first to its last row, and column, holding
    SIDES of its longest (a tick may lengthen a column): a panel's sides, without the ticks
    and labels joined to them."""
    rows = np.count_nonzero(piece, axis=1)  # (h,)
    columns = np.count_nonzero(piece, axis=0)  # (w,)
    top, bottom = ends(rows >= SIDES * rows.max())
    left, right = ends(columns >= SIDES * columns.max())
    return Box(left, top, right, bottom)
