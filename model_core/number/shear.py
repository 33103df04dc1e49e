"""Tilted ink levelled by a vertical shear.

A number photographed at a tilt has its baseline running across the picture. Moving each
column up or down in proportion to its distance from the middle lays the baseline level and
keeps every column, so whatever is found on the sheared ink keeps its columns, and a tilted
number so sheared is an italic one, as training's slanted numbers are. The shear chosen is
the one that packs the ink into the fewest rows.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

LEVEL_SLOPES = np.arange(-12, 13) * 0.03  # rows per column: tilts up to about 20 degrees
SHORTER = 0.85  # ink is levelled only if the shear packs it into this share of its rows


def packing_slope(inked: np.ndarray) -> tuple[float, int]:
    """(h, w) bool ink -> the slope of LEVEL_SLOPES (rows per column) whose shear packs it
    into the fewest rows, the least slope among equals, and those rows; (0.0, 0) if no ink."""
    height, width = inked.shape
    columns = np.flatnonzero(inked.any(axis=0))  # (C,) the columns holding ink
    if not len(columns):
        return 0.0, 0
    top = inked[:, columns].argmax(axis=0)  # (C,) each column's first inked row
    bottom = height - 1 - inked[::-1, columns].argmax(axis=0)  # (C,) and its last
    shift = LEVEL_SLOPES[:, None] * (columns - (width - 1) / 2)  # (S, C) rows moved by
    # the highest and lowest ink after each shear lie at some column's top and bottom
    spans = np.round((bottom - shift).max(axis=1)) - np.round((top - shift).min(axis=1)) + 1
    best = int(np.lexsort((np.abs(LEVEL_SLOPES), spans))[0])  # fewest rows, then least slope
    return float(LEVEL_SLOPES[best]), int(spans[best])


def levelling_slope(inked: np.ndarray, height: int) -> float:
    """(h, w) bool ink spanning `height` rows -> the packing slope where its shear packs the
    ink into SHORTER of them, else 0.0 (the ink is left as it stands)."""
    slope, rows = packing_slope(inked)
    return 0.0 if rows > SHORTER * height else slope


def lift(slope: float, width: int) -> int:
    """Rows added above (and below) an image `width` columns wide so that its shear by
    `slope` loses no ink."""
    return math.ceil(abs(slope) * width / 2) + 1


def shear(image: np.ndarray, slope: float) -> np.ndarray:
    """(h, w) float image -> (h + 2 lift, w) the image sheared by `slope`: output (x, y) reads
    input (x, y + slope (x - middle) - lift), middle the central column."""
    height, width = image.shape
    pad = lift(slope, width)
    coefficients = (1, 0, 0, slope, 1, -slope * (width - 1) / 2 - pad)
    moved = Image.fromarray(image.astype(np.float32)).transform(  # mode F
        (width, height + 2 * pad), Image.Transform.AFFINE, coefficients,
        resample=Image.Resampling.BILINEAR,
    )  # fmt: skip
    return np.asarray(moved)  # (h + 2 lift, w)
