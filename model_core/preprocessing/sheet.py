"""Find a sheet of paper photographed on a darker desk, and paint the desk out.

With the desk showing all round the sheet, the image edge is dark and the sheet is the light
content, so the sheet would be read as a huge light stroke. A sheet differs from any light
stroke in ways a digit drawn light on dark cannot all share: it covers a share of the
picture (a sticky note's at least), it is one solid rectangle (turned or not) whose only
holes are the strokes on it, and it is not a thin bar unless strokes are written on it (a
slip of paper). An ellipse fills pi / 4 of its tightest rectangle, so even a bold "0" with its
hole filled is no sheet; nor is a bold "8", nor a thick "1".
"""

from __future__ import annotations

import numpy as np

from .morphology import square_filter
from .stats import border, median

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
ANGLES = np.deg2rad(np.arange(-45.0, 45.0, 1.0))  # turns tried for the tightest rectangle
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
    sheet = _filled(square_filter(solid, 5, np.maximum, 0.0) > 0)  # (h, w) holes filled
    area = int(np.count_nonzero(sheet))
    holes = int(np.count_nonzero(sheet & ~light))  # the strokes on it, and specks
    if area < MIN_SHARE * sheet.size or holes > MAX_HOLES * area:
        return None
    edge = border(sheet)  # (k,)
    if np.count_nonzero(edge) > MAX_EDGE * edge.size:
        return None  # lit paper beside a shadow, not a sheet on a desk
    written = holes >= MIN_STROKES * area  # a slip with writing on it may be narrow
    if not _rectangular(sheet, area, SLIP_ASPECT if written else MIN_ASPECT):
        return None
    inside = square_filter(sheet, 2 * RIM + 1, np.minimum, 0.0) > 0  # (h, w)
    paper = inside & light  # (h, w)
    return (inside, paper) if paper.any() else None


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


def _rectangular(sheet: np.ndarray, area: int, aspect: float) -> bool:
    """The set pixels fill most of their tightest rectangle, turned by one of ANGLES, whose
    short side is at least `aspect` times its long one."""
    outline = sheet & (square_filter(sheet, 3, np.minimum, 0.0) == 0)  # (h, w) its extremes
    rows, columns = np.nonzero(outline)  # (n,) each
    cos, sin = np.cos(ANGLES)[:, None], np.sin(ANGLES)[:, None]  # (a, 1) each
    along = columns * cos + rows * sin  # (a, n)
    across = rows * cos - columns * sin  # (a, n)
    lengths = np.ptp(along, axis=1) + 1, np.ptp(across, axis=1) + 1  # (a,) each
    best = int(np.argmin(lengths[0] * lengths[1]))
    short, long = sorted((lengths[0][best], lengths[1][best]))
    return area >= MIN_FILL * short * long and short >= aspect * long
