"""Paper under a shadow: a paper level that may step, read off the image by a grey opening.

A shadow cast across the page (a hand, a phone) darkens part of the paper with an edge too
sharp for the smooth surface of background.py. In light-on-dark polarity the shadowed paper is
a raised plateau. A grey opening (a running minimum, then a running maximum, over a square
window) removes every bright feature narrower than the window, such as strokes, and keeps
wider plateaus and their edges where they are: what is left is the paper level, shadow
included. The image is first extended by repeating its edge pixels, so that a shadow meeting
the edge at a slant keeps its thin corner. The map is used only where the edge shows a second
level of paper that it explains, or where the fit, bending with a shadow along the edge, leaves
its step inside: plateaus apart that a quarter's opening of what the fit leaves keeps, looked
for where that window is at least twice as wide as the strongest strokes. It is never used
when it rises to the ink's own level (strokes as thick as the window, in a tight crop).
Windows of a quarter, a sixth and an eighth of the image's short side are tried in turn, and
a narrower one's map is kept only where it leaves the edge clearly more even than the wider
one's: a narrow band of shadow (a finger's, a pen's) is narrower than a quarter. A narrower
window is tried only where it is at least twice as wide as the strongest strokes, which it
would otherwise keep in the map. A shadow dims the ink with the paper, so dark ink in it is
scaled back to the lit ink's contrast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .background import Background, fit_background
from .blocks import reduce_image
from .morphology import square_filter
from .stats import border, tenths
from .stroke import stroke_width

WINDOW_SHARES = (4, 6, 8)  # the windows tried: the short side over each
EXPLAINS = 0.5  # a map must leave the edge at most this share as uneven as the fit does
NARROWER = 0.8  # a narrower window's map, at most this share as uneven as the wider one's
STRONG = 0.75  # the strokes measured: ink at this share of the strongest or more
STROKES_WIDE = 2  # a narrower window is at least this many times the strokes' width
MIN_SIDE = 32  # smaller images are not searched for shadows
SHADE_TAILS = 0.1  # a tenth of the edge this far off the paper level may be a shadow
MIN_LIGHT = 0.1  # paper in a shadow darker than this is taken as this light
PLATEAU = 0.01  # the plateaus' levels: this share of what an opening keeps past them
PLATEAU_WINDOW = 8  # px of the copy they are looked for on, a quarter's window wide
MAX_RISE = 0.9  # a shadow lifts the paper by less than this share of the ink's contrast


@dataclass(frozen=True)
class PaperMap:
    """Paper level at every pixel of an (h, w) image that is `size` reduced by `factor`."""

    levels: np.ndarray  # (h, w) float32
    gains: np.ndarray  # (h, w) float32: what brings the ink's contrast to the lit paper's
    size: tuple[int, int]  # (H, W) of the full-resolution image
    factor: int  # full-resolution pixels per pixel of `levels`

    def remove(self, image: np.ndarray, top: int, left: int, factor: int) -> np.ndarray:
        """(h, w) `image` minus the paper level under it: `image` is a grid of `factor` full
        pixels per pixel whose first pixel is full pixel (top, left)."""
        if (top, left, factor) == (0, 0, self.factor) and image.shape == self.levels.shape:
            return (image - self.levels) * self.gains
        rows = self._nearest(top, image.shape[0], factor, 0)[:, None]  # (h, 1)
        columns = self._nearest(left, image.shape[1], factor, 1)[None, :]  # (1, w)
        return (image - self.levels[rows, columns]) * self.gains[rows, columns]

    def _nearest(self, start: int, count: int, factor: int, axis: int) -> np.ndarray:
        centres = start + (np.arange(count) + 0.5) * factor  # full-resolution coordinates
        return np.minimum(centres // self.factor, self.levels.shape[axis] - 1).astype(np.intp)


def paper_map(
    ink: np.ndarray,
    size: tuple[int, int],
    factor: int,
    relight: bool,
    share: int = WINDOW_SHARES[0],
) -> PaperMap:
    """The paper level of (h, w) light-on-dark `ink` by a grey opening over a window of the
    short side over `share`, as a PaperMap.

    `relight`: the picture was dark ink on light paper (`ink` is its negative), which a shadow
    dims with its ink, so the ink's contrast in the shadow is scaled up to the lit paper's.
    """
    window = max(3, min(ink.shape) // share)
    padded = np.pad(ink, window, mode="edge")  # (h + 2 window, w + 2 window)
    opened = _opened(padded, window)
    levels = opened[window:-window, window:-window]  # (h, w)
    gains = np.ones_like(levels)
    if relight:  # paper reflecting 1 - level: the lit paper over this paper's light
        gains = (1 - float(levels.min())) / np.maximum(1 - levels, MIN_LIGHT)  # (h, w)
    return PaperMap(levels, gains, size, factor)


def remove_paper(
    ink: np.ndarray, size: tuple[int, int], factor: int, relight: bool
) -> tuple[Background | PaperMap, np.ndarray]:
    """The paper under (h, w) light-on-dark `ink`, which is `size` reduced by `factor`, and
    the ink with it removed: background.py's smooth fit, or a PaperMap where the image edge
    shows a shadow or a dark surface that the fit leaves out, or the fit leaves plateaus apart
    inside (`relight`: see paper_map); each narrower window's map replaces the last where it
    leaves the edge clearly more even."""
    paper = fit_background(ink, size, factor)
    free = paper.remove(ink, 0, 0, factor)  # (h, w)
    if min(ink.shape) < MIN_SIDE:
        return paper, free
    tails = _tails(border(free))  # how uneven the edge is
    strokes = stroke_width((free >= STRONG * float(free.max())).astype(np.float32))
    # Or the inside, where the fit bends with a shadow along the edge: its plateaus, looked
    # for where a quarter's window is too wide to keep the strokes as plateaus too.
    if not _keeps_strokes(ink.shape, WINDOW_SHARES[0], strokes):
        tails = max(tails, _plateaus(free))
    if tails <= SHADE_TAILS:
        return paper, free
    best: tuple[Background | PaperMap, np.ndarray] = (paper, free)
    bar = EXPLAINS * tails  # how uneven the edge may stay under the next map
    peak = float(ink.max())
    for share in WINDOW_SHARES:
        if share != WINDOW_SHARES[0] and _keeps_strokes(ink.shape, share, strokes):
            break  # the bold strokes would stand in the map as paper
        shaded = paper_map(ink, size, factor, relight, share)
        shaded_free = shaded.remove(ink, 0, 0, factor)  # (h, w)
        left = _tails(border(shaded_free))
        if left >= bar:
            continue  # the edge not evener than under the fit or a wider window: strokes
        low, high = np.quantile(shaded.levels, (0.01, 0.99))
        if high - low < MAX_RISE * (peak - low):  # else thick strokes, not a shadow
            best, bar = (shaded, shaded_free), NARROWER * left
    return best


def _tails(values: np.ndarray) -> float:
    """How far the outer tenths of (K,) `values` reach from their median, the larger side."""
    low, middle, high = tenths(values)
    return max(high - middle, middle - low)


def _plateaus(free: np.ndarray) -> float:
    """How far apart the highest and the lowest plateaus of (h, w) `free` lie, of those wider
    than a quarter's window (what a grey opening keeps: no stroke, no noise): a shadow's step
    inside the picture, where the fit bends with it along the edge so that the edge is even.
    Measured on a copy averaged down to PLATEAU_WINDOW pixels a window, as cheap as its size."""
    quarter = min(free.shape) // WINDOW_SHARES[0]  # px of `free`
    reduced = reduce_image(free, max(1, quarter // PLATEAU_WINDOW))  # (h', w')
    window = max(3, min(reduced.shape) // WINDOW_SHARES[0])  # px of the reduced copy
    levels = _opened(reduced, window).ravel()  # (h' w',)
    last = levels.size - 1
    ranks = (round(PLATEAU * last), round((1 - PLATEAU) * last))  # nearest ranks, one partition
    low, high = np.partition(levels, ranks)[list(ranks)]
    return float(high - low)


def _keeps_strokes(shape: tuple[int, ...], share: int, strokes: float) -> bool:
    """Whether a window of the short side of `shape` over `share` is under STROKES_WIDE times
    the strokes' width, so that its opening would keep their middles as plateaus of paper."""
    return min(shape) // share < STROKES_WIDE * strokes


def _opened(image: np.ndarray, window: int) -> np.ndarray:
    """(h, w) `image`'s grey opening over a `window` x `window` square: its running minimum,
    then the running maximum of that (pixels beyond the image ignored)."""
    eroded = square_filter(image, window, np.minimum, np.inf)
    return square_filter(eroded, window, np.maximum, -np.inf)
