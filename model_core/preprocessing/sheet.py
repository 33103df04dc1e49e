"""Find a sheet of paper photographed on a darker desk, and paint the desk out.

With the desk showing all round the sheet, the image edge is dark and the sheet is the light
content, so the sheet would be read as a huge light stroke. A sheet differs from any light
stroke in ways a digit drawn light on dark cannot all share: it covers a share of the
picture (a sticky note's at least), it is one solid rectangle (turned or not) whose only
holes are the strokes on it, and it is not a thin bar unless strokes are written on it (a
slip of paper). An ellipse fills pi / 4 of its tightest rectangle, so even a bold "0" with its
hole filled is no sheet; nor is a bold "8", nor a thick "1".

Photographed at an angle, a sheet is a quadrilateral instead; running off the photo on one
side or two (a corner of it), a rectangle the frame cuts (sheet_shape.py). Such a shape is
taken for a sheet only where it has strokes on it, lies on a desk with a photo's grain and has
a sharp edge (and a quadrilateral clear of the picture's edges): a bold light 8 on a plot's
flat dark panel is a parallelogram, and the lit middle of a page fading into its shaded
corners a quadrilateral. Paper lit beside a straight shadow is also a rectangle the frame
cuts: a sheet running off two sides leaves the other two clear, and its writing clear of its
edge, where the writing on lit paper runs on into the shadow.
"""

from __future__ import annotations

import numpy as np

from .morphology import square_filter
from .sheet_shape import (
    MIN_FILL,
    cut_by_the_frame,
    enclosed,
    outline,
    quadrilateral,
    rim,
    tightest,
)
from .stats import border, median, paper_and_noise

MIN_SIDE = 32  # smaller pictures are a digit alone, never a photo of a sheet
MIN_CONTRAST = 0.2  # the sheet is at least this much lighter than the desk
MIN_SHARE = 0.04  # the sheet covers at least this share of the picture: a sticky note
CLEAN_SHARE = 0.2  # light strokes on a clean canvas covering less are no sheet (clean.py)
MAX_HOLES = 0.2  # strokes and specks on it cover at most this share of the sheet
MIN_ASPECT = 0.4  # its tightest rectangle's short side over its long one: a light bar's is less
SLIP_ASPECT = 0.2  # ... or this, for a sheet with strokes on it (a slip with a number)
MIN_STROKES = 0.01  # share of a sheet's area its strokes cover at least, for that
MAX_EDGE = 0.25  # the desk shows all round: the sheet reaches at most this share of the edge
ANGLED_EDGE = 0.1  # ... and a sheet seen at an angle (a quadrilateral) at most this share
ONE_SIDE = 0.5  # ... and one running off the photo at least this share of one side of it,
OTHER_SIDES = 0.35  # ... and at most this share of each other side, ...
CLEAR = 0.1  # ... or of two, running off two (a corner of it)
DESK_GRAIN = 0.002  # either lies on a desk with at least this noise (half an 8-bit level), ...
EDGE_BLUR = 2.5  # ... its edge sharp: pixels between desk and paper per outline pixel at most
EDGE_IN, EDGE_OUT = 2, 6  # px in from a sheet's edge: the band its writing keeps clear of, ...
WRITTEN_EDGE = 0.002  # ... but for this share of it
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
    closed = square_filter(solid, 5, np.maximum, 0.0) > 0  # (h, w) the light, grain left out
    sheet = _filled(closed)  # (h, w) holes filled
    area = int(np.count_nonzero(sheet))
    holes = int(np.count_nonzero(sheet & ~light))  # the strokes on it, and specks
    if area < MIN_SHARE * sheet.size or holes > MAX_HOLES * area:
        return None
    written = holes >= MIN_STROKES * area  # a slip with writing on it may be narrow
    if not _shaped_as_a_sheet(gray, sheet, closed, area, written, (desk, lightest)):
        return None
    inside = square_filter(sheet, 2 * RIM + 1, np.minimum, 0.0) > 0  # (h, w)
    paper = inside & light  # (h, w)
    return (inside, paper) if paper.any() else None


def _shaped_as_a_sheet(
    gray: np.ndarray,
    sheet: np.ndarray,
    closed: np.ndarray,
    area: int,
    written: bool,
    levels: tuple[float, float],
) -> bool:
    """Whether (h, w) bool `sheet` of `area` pixels (`closed` before its holes were filled) is
    a rectangle, turned or not, with the desk all round; or, with strokes on it (`written`)
    and on a photo's desk (`levels`: the desk's and the lightest), a quadrilateral clear of
    the picture's edges (seen at an angle) or a rectangle the frame cuts on one side or two
    (running off the photo; off two, its strokes clear of its edge)."""
    edge = border(sheet)  # (k,)
    touching = np.count_nonzero(edge) / edge.size  # the share of the picture's edge it reaches
    rows, columns = outline(sheet)
    short, long = tightest(rows, columns)
    broad = short >= (SLIP_ASPECT if written else MIN_ASPECT) * long  # not a bar
    if touching <= MAX_EDGE and broad and area >= MIN_FILL * short * long:
        return True
    if not (written and _on_a_desk(gray, sheet, *levels)):
        return False  # lit paper beside a shadow, a bold light digit, a page's lit middle
    if touching <= ANGLED_EDGE and broad and quadrilateral(rows, columns, enclosed(closed)):
        return True
    sides = _sides_cut(sheet)
    if not sides or not cut_by_the_frame(rows, columns, area, sheet.shape, MIN_ASPECT):
        return False
    # Off two sides, paper lit beside a straight shadow would be one: its writing runs on.
    return sides == 1 or not _written_to_the_edge(sheet, gray > sum(levels) / 2)


def _written_to_the_edge(sheet: np.ndarray, light: np.ndarray) -> bool:
    """Whether strokes on (h, w) bool `sheet` (where (h, w) bool `light` is not) run to its
    edge inside the picture: they cover more than WRITTEN_EDGE of a band EDGE_IN to EDGE_OUT
    pixels in from that edge (the blur of a sheet's own edge left out). Writing stays on its
    sheet; on paper lit beside a shadow, it runs on into the shadow."""
    # Eroded with the picture's outside taken as sheet: where the frame cuts it, no edge.
    outer = square_filter(sheet, 2 * EDGE_IN + 1, np.minimum, 1.0) > 0  # (h, w)
    inner = square_filter(sheet, 2 * EDGE_OUT + 1, np.minimum, 1.0) > 0  # (h, w)
    band = outer & ~inner  # (h, w)
    written = int(np.count_nonzero(band & ~light))
    return written > WRITTEN_EDGE * max(int(np.count_nonzero(band)), 1)


def _sides_cut(sheet: np.ndarray) -> int:
    """How many sides of the picture (h, w) bool `sheet` runs off as a sheet would: 1 where it
    covers ONE_SIDE or more of one side and OTHER_SIDES or less of each other, 2 where it
    leaves two clear instead (CLEAR or less of each: a corner of it, or a band across), else 0."""
    sides = sorted(float(side.mean()) for side in (sheet[0], sheet[-1], sheet[:, 0], sheet[:, -1]))
    if sides[3] < ONE_SIDE:
        return 0
    return 1 if sides[2] <= OTHER_SIDES else 2 if sides[1] <= CLEAR else 0


def _on_a_desk(gray: np.ndarray, sheet: np.ndarray, desk: float, lightest: float) -> bool:
    """Whether (h, w) bool `sheet` of (h, w) `gray` lies on a desk in a photo: the desk has a
    photo's grain (a flat dark panel, a plot's, has none), and the sheet's edge is sharp:
    pixels between the desk's level and the paper's lie along its outline, at most EDGE_BLUR
    per outline pixel, leaving out its inside (the strokes on it); a vignette or the lit
    middle of a page fades over many."""
    if paper_and_noise(border(gray))[1] < DESK_GRAIN:
        return False
    low, high = desk + 0.25 * (lightest - desk), desk + 0.75 * (lightest - desk)
    edge = rim(sheet)  # (h, w) its outline
    inner = square_filter(sheet & ~edge, 9, np.minimum, 0.0) > 0  # (h, w) 4 px in from it
    between = np.count_nonzero((gray > low) & (gray < high) & ~inner)
    return bool(between <= EDGE_BLUR * np.count_nonzero(edge))


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
