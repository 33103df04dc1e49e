"""Normalise a grayscale picture of one digit the way MNIST was made.

`normalize_digit` is the list of stages, in order; each lives in a module of its own. The
digit is looked for on a copy reduced to at most ANALYSIS_SIDE pixels a side, then cut out of
the input at a finer scale (cut.py) and fitted into MNIST's 28x28 frame (frame.py). Decoding
comes before (decode.py, grayscale.py, through pipeline.py); deskewing, when a model asks for
it, comes after, at the model's input (model_input.py). A clean drawing (flat paper all round,
clean.py) needs only the levels, the box, the cut and the fit, and takes them the short way.
"""

from __future__ import annotations

import math
from typing import TypedDict

import numpy as np

from .blocks import average2x2, reduce_image
from .box import Box, ink_box, scale_box
from .clean import CleanPaper, clean_paper, drawing
from .corners import unfill_corners
from .creases import above_creases
from .cut import Analysis, cut_digit
from .digit_box import digit_box, inside_outline
from .edges import picture_box
from .errors import EmptyImageError, InvalidImageError
from .frame import fit_and_centre, is_normalised, keep_normalised
from .impulses import without_impulses
from .levels import InkLevels, measure, ramp, refuse_one_step
from .panel import dark_panels
from .polarity import is_dark_on_light
from .ring import ring_round
from .rules import above_rules
from .shading import remove_paper
from .streaks import find_streaks, paint_over
from .wedges import without_desk

ANALYSIS_SIDE = 160  # the digit is looked for on a copy at most this many pixels wide and high
FILLS_PANEL = 0.95  # a digit in a dark panel spans less of its height (a plot's, 20/28 of it)


class DigitInfo(TypedDict):
    """What normalize_digit found, JSON-friendly."""

    inverted: bool  # the input had dark ink on a light background
    bbox: Box  # the digit's box in the input's pixels


def normalize_digit(gray: np.ndarray) -> tuple[np.ndarray, DigitInfo]:
    """(H, W) grayscale in [0, 1], any polarity -> ((28, 28) float32 light-on-dark, info)."""
    return _normalized(gray, panels=True)


def _normalized(gray: np.ndarray, panels: bool) -> tuple[np.ndarray, DigitInfo]:
    """normalize_digit; `panels`: a dark panel on light paper is read instead (panel.py)."""
    gray, span = _checked(gray)  # (H, W) float32 in [0, 1], its lowest and highest values
    refuse_one_step(*span)  # a [0, 1] array saved as 8 bits: nothing shows, and why
    # Impulse noise on a small picture, whose strokes are a few pixels wide: a 3x3 median.
    if (smoothed := without_impulses(gray)) is not gray:
        gray, span = smoothed, (float(smoothed.min()), float(smoothed.max()))
    # Corners an editor filled when it turned the picture: painted the picture's own paper.
    if (unfilled := unfill_corners(gray)) is not None:
        gray, span = unfilled, (float(unfilled.min()), float(unfilled.max()))
    factor = math.ceil(max(gray.shape) / ANALYSIS_SIDE)  # input pixels per reduced pixel
    # Clean drawing: flat paper all round at one end of the range (a canvas, a raw digit)
    # holds no band, sheet, shading or rules, nor noise: the short way, no reduced copy.
    if (paper := clean_paper(gray, span)) is not None:
        return _clean_digit(gray, paper, factor, panels)
    coarse = reduce_image(gray, factor)  # (h, w) the copy the digit is looked for on
    # Edge bands: a scanner's border, a frame or the table beside the page is cut off (on a
    # picture as small as a raw digit, no deeper band than a frame line: its ground is dark).
    content = picture_box(coarse)
    region = scale_box(content, factor, gray.shape)  # the same box in the input's pixels
    coarse, gray = content.crop(coarse), region.crop(gray)  # views: all when nothing is cut
    # Sheet on a desk: the darker desk all round a photographed sheet is painted out; or,
    # where the sheet fills the frame, the desk's wedges past its slanting edges.
    coarse = without_desk(coarse)
    # Polarity: light strokes on dark paper from here on, as in MNIST.
    inverted = is_dark_on_light(coarse)
    ink = 1 - coarse if inverted else coarse  # (h, w)
    # Shading: the paper under uneven light or a shadow is subtracted, leaving it near 0.
    background, ink = remove_paper(ink, gray.shape, factor, relight=inverted)
    # Ink levels: the paper's level and noise, the strongest stroke; no stroke, no digit.
    levels = measure(ink)
    if not levels.shows_ink():
        raise EmptyImageError()
    # Streaks: a straight line across the whole picture (a scanner's, a table's) painted over.
    if streaks := find_streaks(ink, levels.low):
        ink, gray = paint_over(ink, streaks), paint_over(gray, streaks, factor)
        levels = measure(ink)
    if is_normalised(gray.shape, ink > levels.low):  # already like MNIST: kept as it is
        image, box = keep_normalised(ink, levels.noise)
    else:
        # Ruled paper, on any page: rules would stretch the box; only ink above them counts.
        levels, rules = above_rules(ink, levels) or (levels, (False, False))
        # Creases: faint lines from the edges (a fold, a hand's skin) stay under the cut-off.
        if rules == (False, False) and (raised := above_creases(ink, levels)) is not None:
            levels = raised
        # Crop box: the box of the ink on the reduced copy, specks and things apart ignored.
        mask = ink > levels.low  # (h, w) with the levels the rules left
        box = digit_box(mask, framed=True)
        # A dark panel on light paper (a plot of the digit): the digit inside it is read.
        if panels and inverted and (insides := dark_panels(ink, mask, box)):
            read = _in_panel(gray, scale_box(insides[0], factor, gray.shape), region)
            if read is not None:
                return read
        # A circle drawn round the digit: cut with it, and taken off at the finer scale.
        ring = ring_round(box.crop(mask)) is not None
        if not ring:
            box = inside_outline(ink, mask, box)  # inside a box drawn round it
        # Cut: the strokes inside the box (one reduced pixel wider) at a finer scale, ramped.
        search = scale_box(box, factor, gray.shape, margin=1)
        analysis = Analysis(factor, inverted, background, levels, rules, ring)
        strokes, box = cut_digit(gray, ink, search, analysis)
        # Fit and centre: the strokes fill a 20x20 box, their centre of mass centred in 28x28.
        image = fit_and_centre(strokes, dots=True)
    return image, DigitInfo(inverted=inverted, bbox=box.shifted(region.left, region.top))


def _in_panel(gray: np.ndarray, inside: Box, region: Box) -> tuple[np.ndarray, DigitInfo] | None:
    """The digit of the part `inside` of (H, W) `gray`, a dark panel's inside; `gray` is the
    part `region` of the input, where the digit's box is given. None where what was read
    runs from the panel's top to its bottom: the picture is then read the usual way."""
    image, info = _normalized(inside.crop(gray), panels=False)
    if info["bbox"].height >= FILLS_PANEL * inside.height:
        return None  # a light gap between dark bars (a barcode), not a digit drawn inside
    box = info["bbox"].shifted(inside.left + region.left, inside.top + region.top)
    return image, DigitInfo(inverted=info["inverted"], bbox=box)


def _clean_digit(
    gray: np.ndarray, paper: CleanPaper, factor: int, panels: bool
) -> tuple[np.ndarray, DigitInfo]:
    """A clean drawing through the stages it needs: levels, box, cut, fit and centre."""
    ink, step, region = drawing(gray, paper, factor)  # (h, w) the drawn part, paper at 0
    levels = InkLevels(paper=0.0, sigma=0.0, peak=float(average2x2(ink).max()))
    if not levels.shows_ink():
        raise EmptyImageError()
    mask = ink > levels.low  # (h, w)
    if is_normalised(gray.shape, mask):  # already like MNIST: kept as it is
        image, box = keep_normalised(paper.ink(gray), levels.noise)
        return image, DigitInfo(inverted=paper.inverted, bbox=box)
    box = digit_box(mask)
    if panels and paper.inverted and (insides := dark_panels(ink, mask, box)):
        shape = (region.height, region.width)  # a dark panel: the digit inside it is read
        read = _in_panel(region.crop(gray), scale_box(insides[0], step, shape), region)
        if read is not None:
            return read
    if (ring := ring_round(box.crop(mask))) is not None:  # a circle drawn round the digit
        box.crop(ink)[ring] = 0  # comes off (the ink and its mask are this function's own)
        box.crop(mask)[ring] = False
        inside = ink_box(ring).shifted(box.left, box.top)  # specks outside it stay out
        box = digit_box(inside.crop(mask)).shifted(inside.left, inside.top)
    inner = inside_outline(ink, mask, box)
    image = fit_and_centre(ramp(inner.crop(ink), levels), dots=True)
    box = scale_box(inner, step, (region.height, region.width)).shifted(region.left, region.top)
    return image, DigitInfo(inverted=paper.inverted, bbox=box)


def _checked(gray: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """(H, W) float32 in [0, 1], out-of-range values clipped and NaN read as 0; and its lowest
    and highest values."""
    array = np.asarray(gray, dtype=np.float32)
    if array.ndim != 2 or array.size == 0:
        raise InvalidImageError(f"expected a non-empty 2-D grayscale array, got {array.shape}")
    lowest, highest = float(array.min()), float(array.max())
    if lowest >= 0.0 and highest <= 1.0:  # False when NaN is present
        return array, (lowest, highest)
    array = np.clip(np.nan_to_num(array, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)
    return array, (float(array.min()), float(array.max()))
