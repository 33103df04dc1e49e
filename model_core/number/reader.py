"""Read a line of handwritten digits, left to right: find them, cut them apart, read each.

The stages: the ink page (page.py), its connected pieces (preprocessing/components.py), the
pieces grouped into blobs (groups.py), the candidate digits of every blob (candidates.py,
cuts.py), each fitted into MNIST's frame as /predict's digits are (frame.py). The verifier
(verifier.py) and the digit network score every candidate, the most likely path through them
is the reading. docs/numbers.md tells the whole story.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from model_core.preprocessing.box import Box, enclosing
from model_core.preprocessing.errors import TooManyDigitsError

from .bars import printed_bars
from .candidates import Line, line_candidates
from .paths import best_path, best_through
from .reread import SequenceReader, read_as, reread_blobs
from .shapes import ShapeLook

Probabilities = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28) normalised -> (N, classes)
DEFAULT_MAX_DIGITS = 20
SURE_ODDS = 5.0  # a blob whose whole the verifier calls one digit at these log-odds (garbage
# under 0.7%) is not searched for cuts: faster, and no sure digit is split in two
SETTLED_PROBABILITY = 0.99  # a blob the verifier is sure of, read by the digit network this
# surely, is not read again as a strip: it never changed a held-out number, and that look was
# about a sixth of a spaced number's time (run t2)
CERTAIN_PROBABILITY = 0.999  # nor is a blob read whole this surely, whatever the verifier
# says: the verifier is less sure of new writers' digits than the digit network (run w)
READ_WEIGHT = 2.0  # a candidate's score adds this times the log of the digit network's top
# probability: a fragment the network reads as no digit (outlier exposure) costs its path
BOUND_SLACK = 1e-9  # a bound this short of a score still counts as reaching it: the two
# are sums of the same terms in other orders


class Screen(NamedTuple):
    """A cheaper digit network that scores the candidates (the cascade's first), and the
    full one finishing from its probabilities: (N, 28, 28) images and their (N, 10) `first`
    probabilities -> (N, 10)."""

    first: Probabilities
    finish: Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class DigitReading:
    """One digit of a number: what the network read and where it is."""

    digit: int
    confidence: float
    probabilities: list[float]  # ten floats summing to 1
    box: Box  # in the input's pixels
    image: np.ndarray  # (28, 28) float32: what the network saw
    unseen: bool = False  # its blob holds no digit (shapes.py, bars.py): not a digit
    touching: bool = False  # one of several digits read in one blob: its image may hold a
    # neighbour's strokes, so the non-digit rule's score test is laxer (rejection.py)
    in_sequence: bool = False  # one of several digits of a blob the sequence reader read:
    # the number's confidence takes the reader's probability of them all, not this digit's


@dataclass(frozen=True)
class NumberReading:
    """The digits of a line, left to right."""

    digits: list[DigitReading]
    inverted: bool  # the input had dark ink on light paper
    sequence_log_likelihood: float = 0.0  # the sequence reader's, of the digits `in_sequence`
    # (blob by blob, summed), and of no digit in blobs it dropped

    @property
    def number(self) -> str:
        return "".join(str(d.digit) for d in self.digits)

    @property
    def confidence(self) -> float:
        """The chance the whole reading is right: the product of each lone digit's confidence
        and the sequence reader's probability of the digits it read together in a blob."""
        alone = math.prod(d.confidence for d in self.digits if not d.in_sequence)
        return alone * math.exp(min(self.sequence_log_likelihood, 0.0))  # rounding: not over 1

    @property
    def box(self) -> Box:
        return enclosing(d.box for d in self.digits)


def read_line(
    gray: np.ndarray,
    probabilities: Probabilities,
    max_digits: int = DEFAULT_MAX_DIGITS,
    verifier: Probabilities | None = None,
    sequence: SequenceReader | None = None,
    screen: Screen | None = None,
    shapes: ShapeLook | None = None,
) -> NumberReading:
    """(H, W) grayscale in [0, 1], any polarity -> the digits read; raises EmptyImageError
    when there is no ink, TooManyDigitsError past `max_digits` and SeveralLinesError for
    lines of digits one above the other.

    `verifier` maps candidates to 11 probabilities, the last that the candidate is not one
    digit: blobs it is unsure of are cut, and the reading is the path of candidates most
    likely to be digits, each scored by its log-odds plus READ_WEIGHT times the log of the
    digit network's top probability. Without it, or on a dot-matrix font's page (each digit
    in its own cell), each blob is read whole (digits must not touch). The candidates go
    through `probabilities` in one batch, or through `screen`'s cheaper network (the
    cascade's first), when given: then the digits chosen are finished by the full one from
    its probabilities. `sequence` (with a verifier; not on a dot-matrix font's page) reads
    every blob whole, as a strip: where it finds other digits than the path, far more likely,
    they replace the path's (reread.py); blobs of touching digits are left uncut for it.
    `shapes` (with `sequence`) flags the digits of blobs that hold no digit (shapes.py): each
    DigitReading's `unseen`. A digit cut from its blob, or one of several the reader reads
    in it, is `touching`."""
    odds = None
    if verifier is not None:
        odds = lambda images: one_digit_odds(verifier(images))  # noqa: E731
    read_wide = sequence is not None  # blobs of touching digits: the reader's alone
    line = line_candidates(gray, max_digits, verifier is not None, odds, SURE_ODDS, read_wide)
    candidates = line.candidates
    chosen = line.wholes  # one whole blob each, left to right
    if verifier is None or len(candidates) == len(chosen):  # nothing to choose between
        probs = probabilities(np.stack([candidates[i].image for i in chosen]))  # (D, 10)
    else:
        images = np.stack([c.image for c in candidates])  # (N, 28, 28)
        inked = np.array([c.image.any() for c in candidates])  # (N,)
        upper = np.where(inked, _candidate_odds(line, images, verifier), -math.inf)  # (N,)
        network = probabilities if screen is None else screen.first
        chosen, every = _bounded_path(line, images, upper, network)  # every (N, 10)
        probs = every[chosen]  # (D, 10)
        if screen is not None:
            probs = screen.finish(images[chosen], probs)
    readings = [
        read_as(p, candidates[i].box, candidates[i].image)
        for i, p in zip(chosen, probs, strict=True)
    ]
    unseen = [False] * len(readings)
    touching = [_cut_from_blob(line, candidates[i].span) for i in chosen]
    together = [False] * len(readings)
    log_likelihood = 0.0
    if sequence is not None and verifier is not None and not line.page.dotted:
        read = [digit for digit, *_ in readings]
        settled = _settled(line, chosen, probs)
        reread = reread_blobs(line, chosen, read, sequence, probabilities, settled, shapes)
        unseen = [k in reread.unseen for k in range(len(readings))]
        for k, (count, likely) in reread.together.items():
            together[k : k + count] = [True] * count
            log_likelihood += likely
        for k in sorted(reread.replaced, reverse=True):
            count, better = reread.replaced[k]
            readings[k : k + count] = better
            unseen[k : k + count] = [any(unseen[k : k + count])] * len(better)
            touching[k : k + count] = [len(better) > 1] * len(better)
            together[k : k + count] = [len(better) > 1] * len(better)
    if printed_bars(line.blobs):  # a barcode, stripes: no digit however they read
        unseen = [True] * len(readings)
    if len(readings) > max_digits:  # the digits read: the path's may be merged again
        raise TooManyDigitsError(
            f"the image holds at least {len(readings)} digits; a number may have at most"
            f" {max_digits}"
        )
    flags = zip(unseen, touching, together, strict=True)  # each digit's last three fields
    digits = [
        DigitReading(digit, max(probs), probs, line.page.to_input(box), image, *flag)
        for (digit, probs, box, image), flag in zip(readings, flags, strict=True)
    ]
    return NumberReading(digits, line.page.inverted, log_likelihood)


def _cut_from_blob(line: Line, span: tuple[int, int]) -> bool:
    """Whether a candidate spanning `span` is a part of one blob, cut from the rest of it (not
    a blob whole, nor blobs joined into one digit)."""
    first, last = span
    blob = bisect_right(line.starts, first) - 1  # the blob where the candidate begins
    return last <= line.starts[blob + 1] and (first, last) != tuple(line.starts[blob : blob + 2])


def _bounded_path(
    line: Line, images: np.ndarray, upper: np.ndarray, network: Probabilities
) -> tuple[list[int], np.ndarray]:
    """The best path through the line's (N, 28, 28) candidates, each scored by its (N,)
    log-odds `upper` (-inf: never taken) plus READ_WEIGHT times the log of the digit
    `network`'s top probability; and the network's (N, 10) probabilities, 0 where unread.

    Branch and bound: the read term is at most 0, so a path's log-odds bound its score from
    above. The network reads the path best by log-odds first, whose score is then known; a
    candidate on no path whose bound reaches that score cannot be on the best path and is
    never read: about 70% of a number's candidates (run B in docs/experiments.md)."""
    spans = [c.span for c in line.candidates]
    scores = np.full(len(images), -math.inf)  # (N,)
    every = np.zeros(0)

    def read(indices: np.ndarray) -> None:
        nonlocal every
        probs = network(images[indices])  # (n, 10)
        if not every.size:
            every = np.zeros((len(images), probs.shape[1]), dtype=probs.dtype)  # (N, 10)
        every[indices] = probs
        scores[indices] = upper[indices] + READ_WEIGHT * np.log(np.maximum(probs.max(axis=1), 1e-6))

    first = np.array(best_path(line.last, spans, list(upper)) or line.wholes)  # (P,)
    read(first)
    reach = best_through(line.last, spans, upper)  # (N,) the best bound of a path through each
    hopeful = (reach >= scores[first].sum() - BOUND_SLACK) & (upper > -math.inf)  # (N,)
    hopeful[first] = False
    if hopeful.any():
        read(np.flatnonzero(hopeful))
    return best_path(line.last, spans, list(scores)) or line.wholes, every


def _candidate_odds(line: Line, images: np.ndarray, verifier: Probabilities) -> np.ndarray:
    """(N,) log-odds that each of the line's (N, 28, 28) candidates is one digit; the
    blobs' wholes were asked already."""
    odds = np.empty(len(images))  # (N,)
    odds[line.wholes] = line.odds
    rest = np.setdiff1d(np.arange(len(images)), line.wholes)  # (N - B,)
    odds[rest] = one_digit_odds(verifier(images[rest]))
    return odds


def _settled(line: Line, path: list[int], probs: np.ndarray) -> set[int]:
    """The indices in `path` of blobs read whole that the digit network reads at
    CERTAIN_PROBABILITY or more, or at SETTLED_PROBABILITY where the verifier is sure they
    are one digit; (D, 10) `probs` of the path."""
    needed = {  # each whole candidate's bar, by what the verifier said of it
        whole: SETTLED_PROBABILITY if odds >= SURE_ODDS else CERTAIN_PROBABILITY
        for whole, odds in zip(line.wholes, line.odds, strict=True)
    }
    top = probs.max(axis=1)  # (D,)
    return {k for k, i in enumerate(path) if i in needed and top[k] >= needed[i]}


def one_digit_odds(verdicts: np.ndarray) -> np.ndarray:
    """(N, 11) verifier probabilities -> (N,) log-odds that each candidate is one digit."""
    garbage = np.clip(verdicts[:, -1], 1e-6, 1 - 1e-6)  # (N,)
    return np.log1p(-garbage) - np.log(garbage)


__all__ = ["DigitReading", "NumberReading", "Probabilities", "Screen", "read_line"]
