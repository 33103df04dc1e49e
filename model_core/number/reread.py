"""Blobs of touching digits read whole by the sequence reader (sequence.py).

The best path of candidates (reader.py) reads each blob whole, or cut where the verifier is
not sure it is one digit; a blob of touching digits WIDE line heights wide or more is left
whole for the reader (candidates.py). The sequence reader reads the blobs again, as strips:
even a blob the verifier is sure of may be two touching digits (unless the caller has
`settled` it: the digit network is certain of it), and the path may cut a wide digit in two
or take a speck for a 1. Where the reader reads two digits or more, or fewer digits than the
path (one, or none in a short blob), and finds them far more likely than the path's digits
there, they replace the path's. The reader's frames read a digit at its left edge, so each
one's box is the ink from its frames to the next digit's; its image, that ink fitted into
MNIST's frame, is what the non-digit rule looks at. A lone digit so found is read by the
digit network, which reads lone digits better. A blob that a shape network finds holds no
digit at all (shapes.py) keeps whatever it reads, flagged. Where a blob's digits are in the
end several (or none), the reader's probability of them is the chance they are right, which
the number's confidence takes instead of their own confidences: the digit network is sure of
each digit of "106" read from a blob of "1106", the reader far less of the sequence (run C,
session 42). Several digits it finds that unlikely (UNLIKELY) are flagged too (run D).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import NamedTuple

import numpy as np

from model_core.preprocessing.box import Box, ink_box
from model_core.preprocessing.frame import fit_and_centre

from .candidates import Line
from .sequence import SequenceDigit, StripReading
from .shapes import ShapeLook, no_digit_shapes
from .strips import FRAME, PAPER, fits_strip, level, strip_image, strip_scale

SequenceReader = Callable[[list[np.ndarray], list[list[int]]], list[StripReading]]
MARGIN_LOG_LIKELIHOOD = 2.0  # the reader's digits replace the path's only if it finds them
# this much more likely (CTC) than the path's: it may read a lone digit's stroke as a 1
DROP_HEIGHT = 0.5  # the reader may find no digit only in a blob under this share of the
# line's digit height, a fragment or a speck: a whole digit it fails to see is still a digit.
# The line's height is the median of its larger pieces', so no line loses all its digits
EDGE_AFTER_SPIKE = FRAME / 2  # strip columns: the reader's frames read a digit at its left
# edge (median -0.06 of its width), so a digit runs from there to the next one's (run B)
UNLIKELY = 0.05  # a blob's several digits that the reader gives a lower probability than
# this are not taken for digits: a scribble read as "88" (run D)
Reading = tuple[int, list[float], Box, np.ndarray]  # digit, probabilities, page box, image


class Rereading(NamedTuple):
    """What reading the blobs again changed. `replaced`: at the index in the path of its first
    candidate inside each blob read otherwise, how many of the path's candidates lie inside
    it and the digits that replace them. `unseen`: the indices in the path of the digits
    inside blobs that hold no digit (shapes.py: a letter, a doodle), or whose digits are in
    the end several and under UNLIKELY to the reader: whatever replaces them, not digits.
    `together`: at the same index for each blob whose digits are in the end several or none,
    how many of the path's candidates lie inside it and the reader's log-likelihood of those
    digits (a lone digit's chance is its own confidence)."""

    replaced: dict[int, tuple[int, list[Reading]]]
    unseen: set[int]
    together: dict[int, tuple[int, float]]


def reread_blobs(
    line: Line,
    path: list[int],
    digits_read: list[int],
    sequence: SequenceReader,
    probabilities: Callable[[np.ndarray], np.ndarray],
    settled: Collection[int] = (),
    shapes: ShapeLook | None = None,
) -> Rereading:
    """The line's blobs read again; `digits_read` are the digits of the `path`, and
    `probabilities` is the digit network ((N, 28, 28) -> (N, 10)). A blob the path reads as
    one digit whose index in `path` is in `settled` is left as it is. The index in `path` of its
    first candidate inside each blob the reader reads otherwise, far more likely than the
    path's -> how many of the path's candidates lie inside it, and the digits that replace
    them (none where the reader finds no digit in a blob under DROP_HEIGHT), with the path's
    digits inside blobs the `shapes` network finds hold no digit (shapes.py) and the reader's
    log-likelihood of the digits of each blob that ends with several or none (`together`).
    Blobs that the path joins with a neighbour keep the path's reading."""
    blobs, spans = line.blobs, [line.candidates[i].span for i in path]
    chosen: list[tuple[int, list[int]]] = []  # blobs to read, each with the path inside it
    for blob, ink in enumerate(blobs.inks):
        first, last = line.starts[blob], line.starts[blob + 1]
        inside = [k for k, (a, b) in enumerate(spans) if first <= a and b <= last]
        if len(inside) == 1 and inside[0] in settled:
            continue
        covered = sum(b - a for a, b in (spans[k] for k in inside))
        if covered == last - first and fits_strip(ink, blobs.line):
            chosen.append((blob, inside))
    if not chosen:
        return Rereading({}, set(), {})
    levelled = [level(blobs.inks[blob], blobs.line) for blob, _ in chosen]
    strips = [strip_image(ink, line) for ink, line in levelled]
    scales = [strip_scale(ink.shape[0], line) for ink, line in levelled]  # strip columns a px
    read = [[digits_read[k] for k in inside] for _, inside in chosen]  # the path's digits
    tall = [blobs.inks[blob].shape[0] >= DROP_HEIGHT * blobs.line for blob, _ in chosen]
    looked = sequence(strips, read)
    unseen: set[int] = set()  # the path's digits inside shapes that hold no digit
    if shapes is not None:
        alone = len(blobs.inks) == 1
        for k in no_digit_shapes(strips, looked, read, tall, shapes, alone):
            unseen.update(chosen[k][1])
    found: dict[int, tuple[int, list[Reading]]] = {}
    together: dict[int, tuple[int, float]] = {}
    for (blob, inside), theirs, strip, whole, scale in zip(
        chosen, read, looked, tall, scales, strict=True
    ):
        digits = strip.digits
        ours = [d.digit for d in digits]
        lone = len(ours) == len(theirs) == 1  # a lone digit: the path's stands
        missed = not ours and whole  # a whole digit's height: still a digit
        if ours == theirs or lone or missed:
            if len(theirs) > 1:
                together[inside[0]] = (len(inside), strip.log_likelihood(theirs))
            continue
        likely = strip.log_likelihoods([ours, theirs])  # one CTC pass for both
        if likely[0] - likely[1] < MARGIN_LOG_LIKELIHOOD:
            if len(theirs) > 1:
                together[inside[0]] = (len(inside), float(likely[1]))
            continue
        readings = [_reading(line, blob, digits, k, scale) for k in range(len(digits))]
        found[inside[0]] = (len(inside), readings)
        if len(ours) != 1:
            together[inside[0]] = (len(inside), float(likely[0]))
    for k, (count, log_likelihood) in together.items():
        several = k not in found or len(found[k][1]) > 1  # else none: a dropped blob
        if several and log_likelihood < math.log(UNLIKELY):
            unseen.update(range(k, k + count))
    return Rereading(_lone_digits_read(found, probabilities), unseen, together)


def read_as(probs: np.ndarray, box: Box, image: np.ndarray) -> Reading:
    """The reading of a digit the digit network gave (10,) `probs`: its most likely class."""
    return int(probs.argmax()), [float(v) for v in probs], box, image


def _lone_digits_read(
    found: dict[int, tuple[int, list[Reading]]], probabilities: Callable[[np.ndarray], np.ndarray]
) -> dict[int, tuple[int, list[Reading]]]:
    """The replacements, each that is one digit read by the digit network, in one batch."""
    lone = {k: digits[0] for k, (_, digits) in found.items() if len(digits) == 1}
    if not lone:
        return found
    probs = probabilities(np.stack([image for *_, image in lone.values()]))  # (L, 10)
    for (k, (_, _, box, image)), p in zip(lone.items(), probs, strict=True):
        found[k] = (found[k][0], [read_as(p, box, image)])
    return found


def _reading(line: Line, blob: int, digits: list[SequenceDigit], k: int, scale: float) -> Reading:
    """Digit k of a blob's sequence reading, with its box and image; its strip has `scale`
    columns for each of the blob's (levelling keeps them)."""
    ink, box = line.blobs.inks[blob], line.blobs.boxes[blob]
    edges = [0.0] + [sum(digit.columns) / 2 + EDGE_AFTER_SPIKE for digit in digits[1:]]
    left = 0 if k == 0 else max(0, round((edges[k] - PAPER) / scale))
    right = ink.shape[1]
    if k + 1 < len(digits):
        right = min(ink.shape[1], round((edges[k + 1] - PAPER) / scale))
    part = ink[:, left : max(right, left + 1)]  # (h, w')
    if (part > 0).any():
        inner = ink_box(part > 0)
        image = fit_and_centre(inner.crop(part))  # (28, 28)
        found = inner.shifted(box.left + left, box.top)
    else:
        image = np.zeros((28, 28), np.float32)
        found = Box(box.left + left, box.top, box.left + max(right, left + 1), box.bottom)
    probs = digits[k].probabilities
    return digits[k].digit, [float(v) for v in probs], found, image
