"""The ink of a line of digits: the upload's strokes, light on dark, the paper at 0.

The same stages as a single digit's normalisation (normalize.py), on a copy reduced so that a
line of digits keeps enough pixels per digit: a clean drawing takes the short way (clean.py);
anything else loses its edge bands, the desk round a sheet (or past the slanting edges of one
filling the frame: wedges.py), its shading, a scanner's streaks across the whole page
(streaks.py) and the rules of lined or graph paper (each off its own row, and the cut-off
above them), or else a fold's creases (creases.py: the cut-off above them) before the ink is
ramped; the dots of a dot-matrix font are joined into strokes (dots.py). A line photographed
at a tilt is sheared level once its pieces are known (`level_page`); the page maps its boxes
back to the upload's pixels either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from model_core.preprocessing.blocks import average2x2, reduce_image
from model_core.preprocessing.box import Box, enclosing, ends, ink_box, scale_box
from model_core.preprocessing.clean import clean_paper
from model_core.preprocessing.corners import unfill_corners
from model_core.preprocessing.creases import above_creases
from model_core.preprocessing.digit_box import MOSTLY, bands, far, without_noise
from model_core.preprocessing.dots import CORE, glyphs_apart, join_dots, join_window
from model_core.preprocessing.edges import content_box
from model_core.preprocessing.errors import EmptyImageError
from model_core.preprocessing.levels import InkLevels, measure, ramp, refuse_one_step
from model_core.preprocessing.morphology import square_filter
from model_core.preprocessing.panel import dark_panels
from model_core.preprocessing.polarity import is_dark_on_light
from model_core.preprocessing.rules import above_rules, rule_floor, without_rules
from model_core.preprocessing.shading import remove_paper
from model_core.preprocessing.streaks import find_streaks, paint_over
from model_core.preprocessing.wedges import without_desk

from .shear import levelling_slope, lift, shear

PAGE_ROWS = 96  # the line is read on a copy at most this many pixels high ...
PAGE_COLUMNS = 1280  # ... and this many wide
AROUND = 0.5  # the ink is read again with this share of its height as a margin above and below
ALONG = 1.5  # ... and this share to the left and right: a digit the reduced copy lost
# at either end of the line, and the gap before it


@dataclass(frozen=True)
class InkPage:
    """The strokes of an upload on a reduced copy, and how to map it back."""

    strokes: np.ndarray  # (h, w) float32 in [0, 1], light on dark, soft edges kept
    mask: np.ndarray  # (h, w) bool: ink, isolated specks removed
    factor: int  # input pixels per page pixel
    region: Box  # the part of the input the page covers (edge bands cut off)
    inverted: bool  # the upload had dark ink on light paper
    slope: float = 0.0  # the shear that levelled the page's line (shear.py), rows per column
    lift: int = 0  # ... and the rows it added above
    dotted: bool = False  # a dot-matrix font's glyphs, joined and apart (dots.py): a blob a digit
    desk: np.ndarray | None = None  # (h, w) the desk's painted level (wedges.py), NaN off it

    def to_input(self, box: Box) -> Box:
        """A box of page pixels -> the same box in the input's pixels."""
        region = (self.region.height, self.region.width)
        box = self._unsheared(box)
        return scale_box(box, self.factor, region).shifted(self.region.left, self.region.top)

    def _unsheared(self, box: Box) -> Box:
        """A box of the levelled page -> the box of its columns' rows before the shear."""
        if not self.slope:
            return box
        middle = (self.mask.shape[1] - 1) / 2
        moved = [self.slope * (x - middle) - self.lift for x in (box.left, box.right - 1)]
        top, bottom = math.floor(box.top + min(moved)), math.ceil(box.bottom + max(moved))
        return Box(box.left, max(top, 0), box.right, max(bottom, 0))


def level_page(page: InkPage) -> InkPage:
    """The page sheared so that a line of digits photographed at a tilt lies level (shear.py),
    where that packs its ink into shear.SHORTER of the rows it spans; else the page itself."""
    if not (slope := levelling_slope(page.mask, ink_box(page.mask).height)):
        return page
    strokes = shear(page.strokes, slope)  # (h + 2 lift, w)
    mask = shear(page.mask.astype(np.float32), slope) > 0  # (h + 2 lift, w) every ink pixel
    return replace(page, strokes=strokes, mask=mask, slope=slope, lift=lift(slope, mask.shape[1]))


def ink_page(gray: np.ndarray) -> InkPage:
    """(H, W) grayscale in [0, 1], any polarity -> its InkPage; EmptyImageError when blank.

    A number may fill a small part of the picture (a meter in a photo, a few digits on a
    big canvas): the ink found on the reduced copy is read again from the input cropped round
    it, reduced only as much as the crop needs: twice, four times as much... where a noisy
    photo's strokes do not stand out of the noise at the finer scale."""
    refuse_one_step(float(gray.min()), float(gray.max()))  # a [0, 1] array saved as 8 bits
    if (unfilled := unfill_corners(gray)) is not None:  # turned in an editor: corners filled
        gray = unfilled
    height, width = gray.shape
    within = Box(0, 0, width, height)
    page = _page(gray, within)
    if page.inverted and (panels := dark_panels(page.strokes, page.mask)):
        insides = [page.to_input(panel) for panel in panels]  # dark panels on light paper
        within = enclosing(insides)  # (panel.py): what is inside them is read
        if len(insides) > 1:  # a row of subplots: the paper between them painted as a panel
            gray = _between_painted(gray, insides, within)
        page = _page(gray, within)
    found = page.to_input(_apart_from_bands(page.mask))
    rows = max(page.factor, round(AROUND * found.height))
    columns = max(page.factor, round(ALONG * found.height))
    around = Box(
        max(found.left - columns, within.left),
        max(found.top - rows, within.top),
        min(found.right + columns, within.right),
        min(found.bottom + rows, within.bottom),
    )
    factor = _factor(around)
    gray = _desk_painted(gray, page, around)  # as the page painted it, if it did
    while factor < page.factor:  # a noisy photo's strokes may be lost at the finest scale
        try:
            return _page(gray, around, factor)
        except EmptyImageError:
            factor *= 2
    return page


def _desk_painted(gray: np.ndarray, page: InkPage, around: Box) -> np.ndarray:
    """A copy of the (H, W) input `gray` whose part `around` has the desk painted as `page`
    painted it (`page.desk`), or `gray` itself where it painted none: a crop round the ink
    near the sheet's edge shows too little desk to find the sheet again."""
    desk = page.desk  # (h', w') the desk's level, NaN off it
    if desk is None:
        return gray
    height, width = desk.shape
    rows = (np.arange(around.top, around.bottom) - page.region.top) // page.factor  # (h,)
    columns = (np.arange(around.left, around.right) - page.region.left) // page.factor  # (w,)
    rows, columns = np.clip(rows, 0, height - 1), np.clip(columns, 0, width - 1)
    levels = desk[np.ix_(rows, columns)]  # (h, w) the desk's level at each input pixel, or NaN
    painted = gray.copy()  # (H, W)
    part = around.crop(painted)  # (h, w) a view
    part[...] = np.where(np.isnan(levels), part, levels)
    return painted


def _desk_levels(uncovered: np.ndarray, desk: np.ndarray) -> np.ndarray:
    """(h, w) the level (h, w) `uncovered` painted the desk, bool (h, w) `desk`, and NaN off
    it; grown by a pixel into the sheet, whose blurred edge that pixel holds at a finer scale."""
    levels = np.where(desk, uncovered, np.float32(0))  # (h, w)
    grown = square_filter(levels, 3, np.maximum, 0.0)  # (h, w) a painted neighbour's level
    return np.where(desk, uncovered, np.where(grown > 0, grown, np.float32(np.nan)))


def _apart_from_bands(mask: np.ndarray) -> Box:
    """The box of the ink in (h, w) bool `mask` without bands of rows above or below the rest
    that are small beside it (MOSTLY of its height) and FAR from it (digit_box.py), each
    judged from the last cut: a window's title and toolbar, a web page's heading, a status
    bar. The page is read again round what is left, so that they do not keep it as coarse
    as the whole picture."""
    inked = np.asarray(mask.any(axis=1))  # (H,)
    top, bottom = ends(inked)
    rows = inked[top:bottom]  # (h,)
    for below in (False, True):
        profile = rows[::-1] if below else rows
        cut = 0
        for band, start in bands(profile):
            if band - cut > MOSTLY * (len(profile) - start):
                break  # as tall as what is left: no band to leave out, nor any further on
            if far(profile, band, start):
                cut = start
        rows = rows[: len(rows) - cut] if below else rows[cut:]
        top, bottom = (top, bottom - cut) if below else (top + cut, bottom)
    left, right = ends(np.asarray(mask[top:bottom].any(axis=0)))
    return Box(left, top, right, bottom)


def _between_painted(gray: np.ndarray, insides: list[Box], within: Box) -> np.ndarray:
    """A copy of (H, W) `gray` whose part `within` is the level of the first of the panels
    `insides` wherever it lies outside them all."""
    painted = gray.copy()  # (H, W)
    outside = np.ones((within.height, within.width), dtype=bool)  # (h, w)
    for inside in insides:
        inside.shifted(-within.left, -within.top).crop(outside)[...] = False
    within.crop(painted)[outside] = np.median(insides[0].crop(gray))
    return painted


def _without_rules(ink: np.ndarray, levels: InkLevels) -> tuple[np.ndarray, InkLevels]:
    """(h, w) `ink` with the rules of lined or graph paper taken off, each at its own row's
    level (rules.without_rules), and `levels` with the ink cut-off above them; both as they
    are where there are none.

    A digit's page needs MIN_RULES evenly spaced rules (rules.py), as a digit's bars may
    cross its page too. A line of digits is far wider than a digit: any faint thin line
    across most of it is a rule, and a photo of a number may show only the rule it is written
    on and the one above."""
    if (ruled := above_rules(ink, levels)) is not None:
        raised, (rows, columns) = ruled
        bands = [ink if rows else None, ink.T if columns else None]  # the page spans itself
        return without_rules(ink, bands, levels.paper), raised
    floor = rule_floor(ink, 0, levels)
    if floor is None:
        return ink, levels
    return without_rules(ink, [ink, None], levels.paper), replace(levels, rules=floor)


def _factor(region: Box) -> int:
    """Input pixels per page pixel for a region of the input."""
    return max(1, math.ceil(region.height / PAGE_ROWS), math.ceil(region.width / PAGE_COLUMNS))


def _page(full: np.ndarray, within: Box, factor: int = 0) -> InkPage:
    """The InkPage of the part `within` of the (H, W) input `full`, reduced `factor` times
    (0: as little as the page's size allows)."""
    gray = within.crop(full)  # (h, w)
    height, width = gray.shape
    desk = None
    factor = factor or _factor(within)
    coarse = reduce_image(gray, factor)  # (h', w')
    if (paper := clean_paper(gray)) is not None:
        ink = paper.ink(coarse)  # (h', w') paper at exactly 0
        region, inverted = Box(0, 0, width, height), paper.inverted
        levels = InkLevels(paper=0.0, sigma=0.0, peak=float(average2x2(ink).max()))
    else:
        content = content_box(coarse)  # edge bands off
        region = scale_box(content, factor, (height, width))
        coarse = content.crop(coarse)
        uncovered = without_desk(coarse)  # round a sheet, or past the edges of one filling it
        if uncovered is not coarse:
            desk = _desk_levels(uncovered, uncovered != coarse)  # (h', w')
        coarse = uncovered
        inverted = is_dark_on_light(coarse)
        ink = 1 - coarse if inverted else coarse  # (h', w')
        _, ink = remove_paper(ink, (region.height, region.width), factor, relight=inverted)
        levels = measure(ink)
        if streaks := find_streaks(ink, levels.low):  # lines across the page: a scanner's
            ink = paint_over(ink, streaks)
            levels = measure(ink)
        ink, levels = _without_rules(ink, levels)  # (h', w')
        if levels.rules is None and (raised := above_creases(ink, levels)) is not None:
            levels = raised  # a fold's creases from the page's edges: under the cut-off
    if not levels.shows_ink():
        raise EmptyImageError()
    strokes = ramp(ink, levels)  # (h', w')
    raw = ink > levels.low  # (h', w')
    # A dot-matrix font: its dots joined, judged and kept by their cores, as the faint blur
    # round a photo's dots joins them into rings, and would join the digits once grown. Each
    # glyph is then read whole, unless the joined blobs are wider than glyphs.
    dotted = False
    if window := join_window(strokes > CORE):
        strokes = join_dots(strokes, window)  # (h', w')
        raw = strokes > CORE
        dotted = glyphs_apart(raw)
    mask = without_noise(raw)  # lone pixels and pairs are noise
    if not mask.any():
        raise EmptyImageError()
    box = region.shifted(within.left, within.top)
    return InkPage(strokes, mask, factor, box, inverted, dotted=dotted, desk=desk)
