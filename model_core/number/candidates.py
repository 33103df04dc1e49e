"""Every stretch of a line that may be one digit: its blobs, their parts and their unions.

A blob (groups.py) may be one digit, several touching digits (cut apart along the cuts of
cuts.py), or a piece of a digit drawn in several strokes (joined with the blobs beside it).
The candidates are laid on one chain of positions: each blob's left edge, its cuts, its right
edge (the next blob's left edge). A candidate spans two positions, and a reading of the line
is a path of candidates from the first position to the last.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from model_core.preprocessing.box import Box, ink_box
from model_core.preprocessing.components import Piece, in_pieces, label_pieces
from model_core.preprocessing.errors import EmptyImageError, SeveralLinesError, TooManyDigitsError
from model_core.preprocessing.frame import MNIST_SIZE, fit_and_centre

from .cuts import MAX_WIDTH, WIDE, between, candidate_cuts, candidate_spans
from .fragments import CutBlob
from .groups import digit_groups, group_box, line_height, stacked_lines
from .lines import without_lines
from .outside import edge_pieces, faint_pieces, heading_pieces
from .page import InkPage, ink_page, level_page
from .strips import fits_strip

MAX_JOINED = 3  # blobs one digit may be drawn in
MIN_HEIGHT = 0.4  # of the line's height: a part cut off a blob any shorter is no digit
CANDIDATES_PER_DIGIT = 40  # more candidates than this per digit allowed: not a number, noise
MAX_WIDTH_PER_DIGIT = 2.0  # line heights of blobs a digit may take: numbers' take at most 1.4


@dataclass(frozen=True)
class Candidate:
    """A stretch of the line that may be one digit."""

    span: tuple[int, int]  # the positions it lies between
    box: Box  # its ink's box in page pixels
    image: np.ndarray  # (28, 28) normalised as /predict's digits are; all 0 when no ink


@dataclass(frozen=True)
class Blobs:
    """A line's ink page cut into blobs: the pieces of ink that make one digit or more."""

    page: InkPage
    labels: np.ndarray  # (h, w) int32: each page pixel's piece, 0 off the ink
    groups: list[list[Piece]]  # each blob's pieces, blobs left to right
    line: int  # the line's digit height in page pixels
    boxes: list[Box]  # each blob's box in page pixels
    inks: list[np.ndarray]  # each blob's strokes inside its box, nothing else: (h, w) each


@dataclass(frozen=True)
class Line:
    """A line's ink page and every candidate digit of it."""

    blobs: Blobs
    candidates: list[Candidate]
    last: int  # the line's last position
    wholes: list[int]  # the candidates that are each blob whole, left to right
    starts: list[int]  # each blob's first position, then the line's last
    odds: np.ndarray  # (B,) each blob's log-odds of being one digit whole; -inf: not asked

    @property
    def page(self) -> InkPage:
        return self.blobs.page


def line_candidates(
    gray: np.ndarray,
    max_digits: int,
    split: bool = True,
    odds: Callable[[np.ndarray], np.ndarray] | None = None,
    sure_odds: float = math.inf,
    read_wide: bool = False,
) -> Line:
    """(H, W) grayscale in [0, 1], any polarity -> its candidate digits; raises
    EmptyImageError when there is no ink, and TooManyDigitsError past line_blobs' count of
    blobs or CANDIDATES_PER_DIGIT x `max_digits` candidates.
    With `split` False, or on a dot-matrix font's page, each blob is taken whole: no cuts,
    no unions. `odds` maps the blobs' whole images (B, 28, 28) to (B,) log-odds that each is
    one digit: those at `sure_odds` or more are not cut. With `read_wide`, neither is a blob
    of touching digits (WIDE line heights wide or more) that the sequence reader will read
    whole (reread.py): the reader reads such blobs at least as well as their cuts would, and
    cutting them took about a third of a touching number's time (run Z in
    docs/experiments.md)."""
    found = line_blobs(gray, max_digits)
    page, labels, groups, line = found.page, found.labels, found.groups, found.line
    split = split and not page.dotted  # a dot-matrix font prints each digit in its own cell
    blobs = [
        (box, ink, _candidate((0, 1), (0, 1), None, ink, box, line))
        for box, ink in zip(found.boxes, found.inks, strict=True)
    ]
    whole_odds = np.full(len(blobs), -np.inf)  # (B,)
    if split and odds is not None:
        whole_odds = odds(np.stack([blob.image for _, _, blob in blobs]))
    whole = whole_odds >= sure_odds  # (B,) blobs not to cut
    candidates: list[Candidate] = []
    starts = [0]  # each blob's first position
    wholes = []
    for (box, ink, blob), kept in zip(blobs, whole, strict=True):
        left_whole = kept or (read_wide and ink.shape[1] >= WIDE * line and fits_strip(ink, line))
        cuts = candidate_cuts(ink, line) if split and not left_whole else []  # each (h,)
        spans = candidate_spans(cuts, box.width, line)  # the whole blob first
        if len(candidates) + len(spans) > CANDIDATES_PER_DIGIT * max_digits:  # before the
            # candidates are made: a long scribble's would take seconds
            raise TooManyDigitsError(
                "the image holds more strokes than a number of at most"
                f" {max_digits} digits could: is it a line of handwritten digits?"
            )
        wholes.append(len(candidates))
        cut = CutBlob(ink, cuts) if len(spans) > 1 else None  # labelled once for its parts
        for first, last in spans:
            span = (starts[-1] + first, starts[-1] + last)
            if (first, last) == (0, len(cuts) + 1):
                candidates.append(replace(blob, span=span))
            else:
                candidates.append(_candidate(span, (first, last), cut, ink, box, line))
        starts.append(starts[-1] + len(cuts) + 1)
    if split:
        candidates.extend(_joined(page, labels, groups, starts, line))
    return Line(found, candidates, starts[-1], wholes, starts, whole_odds)


def line_blobs(gray: np.ndarray, max_digits: int) -> Blobs:
    """(H, W) grayscale in [0, 1], any polarity -> its blobs; raises EmptyImageError when
    there is no ink, TooManyDigitsError past MAX_JOINED x `max_digits` blobs (a digit may be
    drawn in several: a 5's cap apart; the number read is held to `max_digits` itself) or
    blobs spanning more than MAX_WIDTH_PER_DIGIT x `max_digits` line heights all told, and
    SeveralLinesError when the blobs make lines one above the other."""
    page = ink_page(gray)
    labels, pieces = label_pieces(page.mask)  # (h, w) int32, pieces left to right
    if pieces and (kept := without_lines(page.mask, labels, pieces)) is not None:
        page = replace(page, mask=kept)  # a box round the number, an underline: off
        labels, pieces = label_pieces(kept)
    if pieces and (off := edge_pieces(page.mask, labels, pieces)):
        page = replace(page, mask=page.mask & ~in_pieces(labels, off))  # a pen, a fingertip
        labels, pieces = label_pieces(page.mask)
    if pieces and (off := heading_pieces(page.mask, pieces)):
        page = replace(page, mask=page.mask & ~in_pieces(labels, off))  # a toolbar, a heading
        labels, pieces = label_pieces(page.mask)
    # Last: a dark box, pen or heading round digits in faint pencil is off by now.
    if pieces and (off := faint_pieces(page.mask, page.strokes, labels, pieces)):
        page = replace(page, mask=page.mask & ~in_pieces(labels, off))  # show-through, erasures
        labels, pieces = label_pieces(page.mask)
    if pieces and (levelled := level_page(page)) is not page:  # a photo taken at a tilt
        page = levelled
        labels, pieces = label_pieces(page.mask)
    groups = digit_groups(pieces)
    if not groups:
        raise EmptyImageError()
    if len(groups) > MAX_JOINED * max_digits:  # more than max_digits digits could be drawn in
        raise TooManyDigitsError(
            f"the image holds {len(groups)} separate marks, more than a number of at most"
            f" {max_digits} digits could: is it a line of handwritten digits?"
        )
    boxes = [group_box(group) for group in groups]
    line = line_height(pieces)
    if (lines := stacked_lines(boxes, line)) > 1:
        raise SeveralLinesError(
            f"the image holds {lines} lines of digits, one above the other; a number is one"
            " line: send each line on its own"
        )
    # Refused before the sequence reader reads it: a strip a hundred line heights long takes
    # seconds, and no number of max_digits digits is that wide.
    if _columns(boxes, page.mask.shape[1]) > MAX_WIDTH_PER_DIGIT * max_digits * line:
        raise TooManyDigitsError(
            f"the image's marks are wider than a number of at most {max_digits} digits could"
            " be: is it a line of handwritten digits?"
        )
    inks = [
        _ink(page, labels, [p.label for p in group], box)
        for group, box in zip(groups, boxes, strict=True)
    ]
    return Blobs(page, labels, groups, line, boxes, inks)


def _columns(boxes: list[Box], width: int) -> int:
    """How many of a page's `width` columns the boxes span (a 5's cap over its body once)."""
    spanned = np.zeros(width, dtype=bool)  # (W,)
    for box in boxes:
        spanned[box.left : box.right] = True
    return int(np.count_nonzero(spanned))


def _ink(page: InkPage, labels: np.ndarray, own: list[int], box: Box) -> np.ndarray:
    """(h, w) the strokes of the pieces `own` inside `box`, nothing else."""
    mine = in_pieces(box.crop(labels), own)  # (h, w)
    return np.where(mine, box.crop(page.strokes), np.float32(0))


def _joined(
    page: InkPage, labels: np.ndarray, groups: list[list[Piece]], starts: list[int], line: int
) -> list[Candidate]:
    """Unions of 2 to MAX_JOINED neighbouring blobs no wider than a digit can be."""
    joined = []
    for first in range(len(groups)):
        for last in range(first + 1, min(first + MAX_JOINED, len(groups))):
            members = [p for g in groups[first : last + 1] for p in g]
            box = group_box(members)
            if box.width > MAX_WIDTH * line:
                break
            ink = _ink(page, labels, [p.label for p in members], box)  # (h, w)
            span = (starts[first], starts[last + 1])
            joined.append(_candidate(span, (0, 1), None, ink, box, line))
    return joined


def _candidate(
    span: tuple[int, int],
    local: tuple[int, int],
    cut: CutBlob | None,
    ink: np.ndarray,
    box: Box,
    line: int,
) -> Candidate:
    """The digit between the cuts `local` of a blob's (h, w) `ink` whose box is `box` (`cut`:
    the blob and its cuts, None for a blob taken whole); no ink (an all-0 image) when a
    cut-off part is too short to be a digit of a `line` px line."""
    empty = Candidate(span, box, np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32))
    left = 0  # the column of the blob where `part` begins
    if cut is None or local == (0, len(cut.cuts) + 1):
        part = ink  # (h, w) the whole blob
    else:
        inside = between(cut.cuts, local, ink.shape)  # (h, w)
        columns = np.flatnonzero(inside.any(axis=0))
        if not columns.size:
            return empty
        # The region's columns and one either side, where its edges along the cuts show:
        # the pieces and fragments are the same as over the whole blob, found in less.
        left, right = int(max(columns[0] - 1, 0)), int(min(columns[-1] + 2, ink.shape[1]))
        inside = inside[:, left:right]  # (h, w')
        part = np.where(inside, ink[:, left:right], np.float32(0))  # (h, w')
        part = cut.without_fragments(part, local, left)
    if not (part > 0).any():
        return empty
    inner = ink_box(part > 0)
    if part is not ink and inner.height < MIN_HEIGHT * line:
        return empty
    image = fit_and_centre(inner.crop(part))  # (28, 28)
    return Candidate(span, inner.shifted(box.left + left, box.top), image)
