"""Creases: faint lines from the picture's edges, kept under the ink cut-off.

A sheet folded or crumpled, photographed under a lamp, or a pen's digit on a hand, shows
creases: thin lines, darker than the paper but far fainter than the pen, running in from the
picture's edges, often through or beside the digit. Above the cut-off, one joined the digit's
box (a 2 with a crease beside it framed as a wide 2 with a bar) and crossed its image.

Where the strong ink (STRONG of the contrast up: the pen's strokes) lies in full view, clear
of the picture's edges, the ink apart from it (beyond NEAR of its height) that reaches the
edges and is faint (its 90th percentile under STRONG) is a crease: the cut-off is raised above
its level (by ABOVE), as above a page's rules (rules.py), for the box and the cut alike. A
cheap test comes first: no ink on the picture's outer rows and columns, no crease.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .box import Box, ink_box, scale_box
from .components import reaches
from .digit_box import without_noise
from .levels import InkLevels

STRONG = 0.5  # of the contrast: a pen's strokes stand this far off the paper, a crease less
NEAR = 0.1  # of the strokes' height: ink this close to them may be their faint edges
SHARE = 0.02  # the faint ink apart from the strokes is at least this share of all the ink
ABOVE = 1.25  # the cut-off is raised to this many times the creases' level above the paper
RING = 2  # px: the picture's outer rows and columns, where a crease comes in


def above_creases(ink: np.ndarray, levels: InkLevels) -> InkLevels | None:
    """`levels` with the cut-off raised above the creases of (h, w) light-on-dark `ink`, or
    None where it shows none."""
    mask = ink > levels.low  # (h, w)
    if not (mask[:RING].any() or mask[-RING:].any() or mask[:, :RING].any()
            or mask[:, -RING:].any()):  # fmt: skip
        return None
    height, width = mask.shape
    strong = without_noise(ink > levels.paper + STRONG * levels.contrast)  # (h, w)
    if not strong.any():
        return None
    strokes = ink_box(strong)
    if reaches(strokes, Box(0, 0, width, height), RING - 1):
        return None  # the strokes reach the edges themselves: a tight crop, a pen at the side
    apart = mask.copy()
    near = math.ceil(NEAR * strokes.height)
    scale_box(strokes, 1, mask.shape, margin=near).crop(apart)[...] = False
    edges = apart.copy()
    edges[RING:-RING, RING:-RING] = False  # (h, w) only the outer rows and columns
    if np.count_nonzero(edges) < 2 or np.count_nonzero(apart) < SHARE * np.count_nonzero(mask):
        return None
    level = float(np.percentile(ink[apart], 90))
    if level >= levels.paper + STRONG * levels.contrast:
        return None  # no faint line: something as dark as the pen
    floor = levels.paper + ABOVE * (level - levels.paper)
    return replace(levels, rules=max(floor, levels.rules or 0.0))
