"""Find a sheet of paper photographed on a darker desk, and paint the desk out.

With the desk showing all round the sheet, the image edge is dark and the sheet is the light
content, so the sheet would be read as a huge light stroke. A sheet differs from any light
stroke in ways a digit drawn light on dark cannot all share: it covers much of the picture,
it is one solid rectangle (turned or not) whose only holes are the strokes on it, and it is
not a thin bar. An ellipse fills pi / 4 of its tightest rectangle, so even a bold "0" with its
hole filled is no sheet; nor is a bold "8", nor a thick "1".
"""

from __future__ import annotations

import numpy as np

from .morphology import square_filter
from .stats import border, median

MIN_SIDE = 32  # smaller pictures are a digit alone, never a photo of a sheet
MIN_CONTRAST = 0.2  # the sheet is at least this much lighter than the desk
MIN_SHARE = 0.2  # the sheet covers at least this share of the picture
MAX_HOLES = 0.2  # strokes and specks on it cover at most this share of the sheet
MIN_FILL = 0.95  # the sheet fills at least this share of its tightest turned rectangle
MIN_ASPECT = 0.4  # that rectangle's short side over its long side
MAX_EDGE = 0.25  # the desk shows all round: the sheet reaches at most this share of the edge
ANGLES = np.deg2rad(np.arange(-45.0, 45.0, 1.0))  # turns tried for the tightest rectangle
RIM = 2  # pixels of the sheet's blurred edge painted with the desk


def uncover_sheet(gray: np.ndarray) -> np.ndarray | None:
    """(h, w) on [0, 1] -> the picture with everything off the sheet painted the sheet's own
    level, or None when nothing lighter than the image edge is a sheet on a desk."""
    desk, lightest = median(border(gray)), float(gray.max())
    if not may_show_sheet(gray, desk, lightest):
        return None  # the common case: strokes cover far less of the picture
    light = gray > (desk + lightest) / 2  # (h, w) the sheet, or light strokes
    solid = square_filter(light, 5, np.minimum, 1.0)  # (h, w) grain of the desk left out
    sheet = _filled(square_filter(solid, 5, np.maximum, 0.0) > 0)  # (h, w) holes filled
    area = int(np.count_nonzero(sheet))
    if area < MIN_SHARE * sheet.size or np.count_nonzero(sheet & ~light) > MAX_HOLES * area:
        return None
    edge = border(sheet)  # (k,)
    if np.count_nonzero(edge) > MAX_EDGE * edge.size:
        return None  # lit paper beside a shadow, not a sheet on a desk
    if not _rectangular(sheet, area):
        return None
    inside = square_filter(sheet, 2 * RIM + 1, np.minimum, 0.0) > 0  # (h, w)
    paper = gray[inside & light]  # (m,)
    if not paper.size:
        return None
    return np.where(inside, gray, np.float32(median(paper)))  # (h, w)


def may_show_sheet(gray: np.ndarray, desk: float, lightest: float) -> bool:
    """Whether a sheet may lie on a desk of level `desk` in (h, w) `gray` whose lightest pixel
    is `lightest`: the picture is large enough, and pixels lighter than the desk by half the
    contrast cover enough of it. The cheap test that says uncover_sheet is not needed."""
    if min(gray.shape) < MIN_SIDE or lightest - desk < MIN_CONTRAST:
        return False
    light = np.count_nonzero(gray > (desk + lightest) / 2)  # the sheet, or light strokes
    return bool(light >= MIN_SHARE * (1 - MAX_HOLES) * gray.size)


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


def _rectangular(sheet: np.ndarray, area: int) -> bool:
    """The set pixels fill most of their tightest rectangle, turned by one of ANGLES."""
    outline = sheet & (square_filter(sheet, 3, np.minimum, 0.0) == 0)  # (h, w) its extremes
    rows, columns = np.nonzero(outline)  # (n,) each
    cos, sin = np.cos(ANGLES)[:, None], np.sin(ANGLES)[:, None]  # (a, 1) each
    along = columns * cos + rows * sin  # (a, n)
    across = rows * cos - columns * sin  # (a, n)
    lengths = np.ptp(along, axis=1) + 1, np.ptp(across, axis=1) + 1  # (a,) each
    best = int(np.argmin(lengths[0] * lengths[1]))
    short, long = sorted((lengths[0][best], lengths[1][best]))
    return area >= MIN_FILL * short * long and short >= MIN_ASPECT * long
