"""Find a sheet of paper photographed on a darker desk, and paint the desk out.

With the desk showing all round the sheet, the image edge is dark and the sheet is the light
content, so the sheet would be read as a huge light stroke. A sheet differs from any light
stroke in ways a digit drawn light on dark cannot all share: it covers a share of the
picture (a sticky note's at least), it is one solid rectangle (turned or not) whose only
holes are the strokes on it, and it is not a thin bar unless strokes are written on it (a
slip of paper). An ellipse fills pi / 4 of its tightest rectangle, so even a bold "0" with its
hole filled is no sheet; nor is a bold "8", nor a thick "1".

Photographed at an angle, a sheet is a quadrilateral instead. One is taken for a sheet only
where it is clear of the picture's edges, has strokes on it, lies on a desk with a photo's
grain and has a sharp edge: a bold light 8 on a plot's flat dark panel is a parallelogram, and
the lit middle of a page fading into its shaded corners a quadrilateral.
"""

from __future__ import annotations

import numpy as np

from .box import Box
from .components import label_pieces, reaches
from .morphology import square_filter
from .stats import border, median, paper_and_noise

MIN_SIDE = 32  # smaller pictures are a digit alone, never a photo of a sheet
MIN_CONTRAST = 0.2  # the sheet is at least this much lighter than the desk
MIN_SHARE = 0.04  # the sheet covers at least this share of the picture: a sticky note
CLEAN_SHARE = 0.2  # light strokes on a clean canvas covering less are no sheet (clean.py)
MAX_HOLES = 0.2  # strokes and specks on it cover at most this share of the sheet
MIN_FILL = 0.95  # the sheet fills at least this share of its tightest turned rectangle
MIN_ASPECT = 0.4  # that rectangle's short side over its long side: a thick light bar is none
SLIP_ASPECT = 0.2  # ... or this, for a sheet with strokes on it (a slip with a number)
MIN_STROKES = 0.01  # share of a sheet's area its strokes cover at least, for that
MAX_EDGE = 0.25  # the desk shows all round: the sheet reaches at most this share of the edge
ANGLED_EDGE = 0.1  # ... and a sheet seen at an angle (a quadrilateral) at most this share
ANGLES = np.deg2rad(np.arange(-45.0, 45.0, 1.0))  # turns tried for the tightest rectangle
DIRECTIONS = 64  # directions the hull of a sheet at an angle is found in (a quadrilateral)
DESK_GRAIN = 0.002  # ... which lies on a desk with at least this noise (half an 8-bit level)
EDGE_BLUR = 2.5  # ... its edge sharp: pixels between desk and paper per outline pixel at most
RIM = 2  # pixels of the sheet's blurred edge painted with the desk
DARKEST = 0.05  # the desk's light is taken as at least this, so that dividing by it is safe
LIGHT_FITS = 3  # least-squares fits of the desk's light, each on the pixels the last fitted best
LIGHT_KEEP = 0.7  # ... those at most this far up its residuals: the sheet may reach the edge
EVEN_LIGHT = 0.3  # a light varying less than this share of its mean paints the desk flat
UNEVEN_PAPER = 0.04  # a sheet's paper this much lighter at one end than the other is unevenly lit


def uncover_sheet(gray: np.ndarray) -> np.ndarray | None:
    """(h, w) on [0, 1] -> the picture with everything off the sheet painted as the sheet's
    paper would look there, or None when nothing lighter than the image edge is a sheet on a
    desk.

    Under a lamp to one side, the sheet's dim end can be darker than the desk's lit one, and
    paper painted one flat level would meet the sheet's lit and dim edges in steps that read
    as strokes: where the sheet is not found as the picture stands, or its paper is unevenly
    lit, the light is taken off (desk_light) to find it, and its paper painted as lit."""
    desk, lightest = median(border(gray)), float(gray.max())
    if lightest - desk < MIN_CONTRAST:
        return None  # the common case: paper all round, nothing far lighter than the edge
    found, light = _sheet(gray, desk, lightest), None
    if found is None or _unevenly_lit(gray, found[1]):
        lamp = desk_light(gray)  # (h, w) relative to its mean
        lit = gray / lamp  # (h, w) as under even light
        if (levelled := _sheet(lit, median(border(lit)), float(lit.max()))) is not None:
            found, light = levelled, lamp
    if found is None:
        return None
    inside, paper = found
    if light is None or float(light.max() - light.min()) < EVEN_LIGHT:
        return np.where(inside, gray, np.float32(median(gray[paper])))  # (h, w) one flat level
    level = np.float32(median(gray[paper] / light[paper]))  # the paper under even light
    return np.where(inside, gray, level * light)  # (h, w) the paper as lit off the sheet


def _sheet(gray: np.ndarray, desk: float, lightest: float) -> tuple[np.ndarray, np.ndarray] | None:
    """(h, w) whose edge's median is `desk` and lightest pixel `lightest` -> the sheet (its
    blurred rim left out) and its paper (the sheet's light pixels), both (h, w) bool, or None
    where nothing lighter than the edge is a sheet."""
    if not may_show_sheet(gray, desk, lightest):
        return None  # strokes, not a sheet: they cover far less of the picture
    light = gray > (desk + lightest) / 2  # (h, w) the sheet, or light strokes
    solid = square_filter(light, 5, np.minimum, 1.0)  # (h, w) grain of the desk left out
    closed = square_filter(solid, 5, np.maximum, 0.0) > 0  # (h, w)
    sheet = _filled(closed)  # (h, w) holes filled
    area = int(np.count_nonzero(sheet))
    holes = int(np.count_nonzero(sheet & ~light))  # the strokes on it, and specks
    if area < MIN_SHARE * sheet.size or holes > MAX_HOLES * area:
        return None
    edge = border(sheet)  # (k,)
    if np.count_nonzero(edge) > MAX_EDGE * edge.size:
        return None  # lit paper beside a shadow, not a sheet on a desk
    written = holes >= MIN_STROKES * area  # a slip with writing on it may be narrow
    rows, columns, short, long = _tightest(sheet)
    if short < (SLIP_ASPECT if written else MIN_ASPECT) * long:
        return None  # a bar, not a sheet
    if area < MIN_FILL * short * long and not (
        np.count_nonzero(edge) <= ANGLED_EDGE * edge.size  # clear of the picture's edges
        and written
        and _on_a_desk(gray, sheet, desk, lightest)
        and _quadrilateral(rows, columns, _enclosed(closed))
    ):
        return None  # no rectangle, nor a quadrilateral on a desk (a sheet seen at an angle)
    inside = square_filter(sheet, 2 * RIM + 1, np.minimum, 0.0) > 0  # (h, w)
    paper = inside & light  # (h, w)
    return (inside, paper) if paper.any() else None


def _on_a_desk(gray: np.ndarray, sheet: np.ndarray, desk: float, lightest: float) -> bool:
    """Whether (h, w) bool `sheet` of (h, w) `gray` lies on a desk in a photo: the desk has a
    photo's grain (a flat dark panel, a plot's, has none), and the sheet's edge is sharp:
    pixels between the desk's level and the paper's lie along its outline, at most EDGE_BLUR
    per outline pixel, leaving out its inside (the strokes on it); a vignette or the lit
    middle of a page fades over many."""
    if paper_and_noise(border(gray))[1] < DESK_GRAIN:
        return False
    low, high = desk + 0.25 * (lightest - desk), desk + 0.75 * (lightest - desk)
    outline = sheet & (square_filter(sheet, 3, np.minimum, 0.0) == 0)  # (h, w)
    inner = square_filter(sheet & ~outline, 9, np.minimum, 0.0) > 0  # (h, w)
    between = np.count_nonzero((gray > low) & (gray < high) & ~inner)
    return bool(between <= EDGE_BLUR * np.count_nonzero(outline))


def _unevenly_lit(gray: np.ndarray, paper: np.ndarray) -> bool:
    """Whether the sheet's paper is lighter at one end than the other, across or down: the
    mean of its first and last thirds apart by UNEVEN_PAPER or more."""
    for image, mask in ((gray, paper), (gray.T, paper.T)):
        rows = np.flatnonzero(mask.any(axis=1))  # (k,) the rows the paper spans
        third = (rows[-1] - rows[0] + 1) // 3
        ends = [slice(rows[0], rows[0] + third), slice(rows[-1] + 1 - third, rows[-1] + 1)]
        counts = [int(np.count_nonzero(mask[end])) for end in ends]
        if min(counts) == 0:
            continue
        sums = [float(np.sum(image[end], where=mask[end])) for end in ends]
        if abs(sums[0] / counts[0] - sums[1] / counts[1]) >= UNEVEN_PAPER:
            return True
    return False


def desk_light(gray: np.ndarray) -> np.ndarray:
    """(h, w) the light on `gray` relative to its mean, read off its outermost pixels (the desk
    all round a sheet): a quadratic in the pixel's position fitted to them by least squares,
    refitted LIGHT_FITS times on those at most LIGHT_KEEP of the way up its residuals, which
    leaves out the sheet where it reaches the edge."""
    height, width = gray.shape
    rows, columns = _ring(height, width)  # (n,) each, the outermost pixels
    levels = gray[rows, columns].astype(np.float64)  # (n,)
    design = _quadratic(rows / height - 0.5, columns / width - 0.5)  # (n, 6)
    keep = np.ones(len(levels), dtype=bool)  # (n,)
    rank = int(LIGHT_KEEP * (len(levels) - 1))
    for _ in range(LIGHT_FITS):
        chosen = design[keep]  # (m, 6)
        c = np.linalg.solve(chosen.T @ chosen + 1e-9 * np.eye(6), chosen.T @ levels[keep])
        residual = levels - design @ c  # (n,)
        keep = residual <= np.partition(residual, rank)[rank]
    v = (np.arange(height, dtype=np.float32) / height - 0.5)[:, None]  # (h, 1)
    u = (np.arange(width, dtype=np.float32) / width - 0.5)[None, :]  # (1, w)
    level = (c[0] + c[2] * v + c[5] * v * v) + (c[1] + c[4] * v) * u + c[3] * u * u  # (h, w)
    level = np.maximum(level, np.float32(DARKEST))
    return (level / level.mean()).astype(np.float32)


def _ring(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the outermost pixels of an (h, w) picture."""
    across, down = np.arange(width), np.arange(1, height - 1)
    rows = np.concatenate([np.zeros(width, int), np.full(width, height - 1), down, down])
    columns = np.concatenate(
        [across, across, np.zeros(len(down), int), np.full(len(down), width - 1)]
    )
    return rows, columns


def _quadratic(v: np.ndarray, u: np.ndarray) -> np.ndarray:
    """(..., 6) the terms 1, u, v, uu, uv, vv of centred positions (v down, u across)."""
    return np.stack([np.ones_like(u), u, v, u * u, u * v, v * v], axis=-1)


def may_show_sheet(
    gray: np.ndarray, desk: float, lightest: float, share: float = MIN_SHARE
) -> bool:
    """Whether a sheet covering at least `share` of (h, w) `gray` may lie on a desk of level
    `desk`, its lightest pixel `lightest`: the picture is large enough, and pixels lighter
    than the desk by half the contrast cover enough of it. The cheap test that says
    uncover_sheet is not needed."""
    if min(gray.shape) < MIN_SIDE or lightest - desk < MIN_CONTRAST:
        return False
    light = np.count_nonzero(gray > (desk + lightest) / 2)  # the sheet, or light strokes
    return bool(light >= share * (1 - MAX_HOLES) * gray.size)


def _filled(mask: np.ndarray) -> np.ndarray:
    """(h, w) bool: each row and each column filled between its first and last set pixel."""
    return _spans(mask) & _spans(mask.T).T


def _spans(mask: np.ndarray) -> np.ndarray:
    """(h, w) bool: each row set from its first set pixel to its last."""
    width = mask.shape[1]
    first = np.argmax(mask, axis=1)  # (h,)
    last = width - 1 - np.argmax(mask[:, ::-1], axis=1)  # (h,)
    columns = np.arange(width)  # (w,)
    inside = (columns >= first[:, None]) & (columns <= last[:, None])  # (h, w)
    rows = np.any(mask, axis=1, keepdims=True)  # (h, 1)
    return inside & rows


def _tightest(sheet: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The rows and columns of (h, w) bool `sheet`'s outline pixels, (n,) each, and the short
    and long sides of its tightest rectangle, turned by one of ANGLES."""
    outline = sheet & (square_filter(sheet, 3, np.minimum, 0.0) == 0)  # (h, w) its extremes
    rows, columns = np.nonzero(outline)  # (n,) each
    cos, sin = np.cos(ANGLES)[:, None], np.sin(ANGLES)[:, None]  # (a, 1) each
    along = columns * cos + rows * sin  # (a, n)
    across = rows * cos - columns * sin  # (a, n)
    lengths = np.ptp(along, axis=1) + 1, np.ptp(across, axis=1) + 1  # (a,) each
    best = int(np.argmin(lengths[0] * lengths[1]))
    short, long = sorted((float(lengths[0][best]), float(lengths[1][best])))
    return rows, columns, short, long


def _enclosed(mask: np.ndarray) -> int:
    """How many pixels (h, w) bool `mask` covers with its holes filled: all but the paper
    that reaches the picture's edge. Unlike `_filled`, it leaves a bold digit's notches open
    (the waist of an 8, the mouth of a 4)."""
    _, pieces = label_pieces(~mask)
    picture = Box(0, 0, mask.shape[1], mask.shape[0])
    outside = [piece for piece in pieces if reaches(piece.box, picture)]
    return mask.size - sum(piece.area for piece in outside)


def _quadrilateral(rows: np.ndarray, columns: np.ndarray, area: int) -> bool:
    """Whether the region of `area` pixels whose outline pixels are at (n,) `rows` and
    `columns` is a quadrilateral: the largest one with its corners on the region's hull
    and the region cover MIN_FILL of each other (a filled ellipse is far larger than any
    quadrilateral in it, a page striped by its rules far smaller), and the largest triangle
    does not cover MIN_FILL of it (a bold 7, filled, is one).

    The hull is the outline's pixel corners furthest out in each of DIRECTIONS, in turn;
    each pair of its corners is a diagonal, with the furthest corner on either side."""
    corners = np.concatenate(
        [np.stack([columns + dx, rows + dy], axis=1) for dx in (-0.5, 0.5) for dy in (-0.5, 0.5)]
    )  # (4n, 2) x, y
    turns = np.linspace(0, 2 * np.pi, DIRECTIONS, endpoint=False)  # (d,)
    furthest = np.argmax(corners @ np.stack([np.cos(turns), np.sin(turns)]), axis=0)  # (d,)
    _, first = np.unique(furthest, return_index=True)
    hull = corners[furthest[np.sort(first)]]  # (m, 2) in turn, convex
    to = hull[None, :, :] - hull[:, None, :]  # (m, m, 2) from corner i to corner k
    cross = to[:, :, None, 0] * to[:, None, :, 1] - to[:, :, None, 1] * to[:, None, :, 0]
    # (m, m, m): twice the signed area of the triangle of corners i, k and j
    left = np.maximum(cross, 0).max(axis=2) / 2  # (m, m) the largest triangle on each side
    right = np.maximum(-cross, 0).max(axis=2) / 2  # (m, m) of the diagonal from i to k
    quad, triangle = float((left + right).max()), float(left.max())
    return MIN_FILL * quad <= area <= quad / MIN_FILL and triangle < MIN_FILL * area
