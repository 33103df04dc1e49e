"""Is it a digit at all? The rule a saved model carries for telling a reading from a guess.

Two tests, either of which flags an image:
- the score: a model trained with outlier exposure (synthetic non-digits pushed towards
  uniform probabilities, model_core/data/nondigits.py) gives a non-digit a flat answer, so its
  largest probability is low; an image scoring below the model's threshold is flagged;
- the shape, if the rule has `min_aspect`: preprocessing fits a digit's ink into MNIST's
  20x20 box by its longer side, and one handwritten digit is never much wider than tall (of the
  24,345 MNIST training digits none has its ink under 0.5 times as tall as wide). Ink flatter
  than `min_aspect` (a dash, a word, a horizon in a photo) is flagged whatever the network says.
  So is ink whose box is mostly empty rows or columns (MAX_GAPS): one digit's strokes run
  through most of its box (of the training digits none leaves more than 0.6 of it empty),
  while things apart were fitted together (a web page's heading and its buttons, no digit).
  And an image read as a 0 whose ink comes to a point at the bottom (its lowest BOTTOM of
  rows span at most POINTED of its width) is a heart, not a 0: of the 2,406 MNIST training
  zeros two do, each with a speck or a tail below it; of hand-drawn heart outlines about 97%.
  And ink that fills most of a round box (a blob, a dot, a bright spot on a blank photo) is no
  digit: strokes leave a digit's box partly empty (FILLED, ROUND: 3 of 6,000 training digits).

A digit of a number that shares its blob of ink with other digits (touching digits, cut apart)
is held to TOUCHING_SCALE times the threshold: its image holds some of a neighbour's strokes,
which lower the network's top probability (run F in docs/experiments.md).

The model's metadata records the rule under "not_a_digit":

    {"score": "max_probability", "threshold": 0.3, "min_aspect": 0.4, ...figures behind it}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model_core.preprocessing.box import ends, ink_box

METADATA_KEY = "not_a_digit"
SCORES = ("max_probability",)
MIN_ASPECT = 0.4  # 0.8x the flattest MNIST training digit's 0.5: a margin for other writers
INK_LEVEL = 0.2  # a pixel of a normalised digit above this is ink, for its height and width
TOUCHING_SCALE = 0.5  # a touching digit's score is flagged under this times the threshold
MAX_GAPS = 0.65  # ink whose box has more than this share of its rows or columns empty
POINTED = 0.35  # a 0 whose ink's lowest rows span at most this share of its width is a heart
BOTTOM = 0.15  # those lowest rows: this share of the ink's height
POINT_LEVEL = 0.5  # ink for that test (at INK_LEVEL, the blur round a point widens it)
FILLED = 0.7  # ink (over POINT_LEVEL) filling this share of its box or more, ...
ROUND = 0.7  # ... the box's shorter side at least this share of its longer: a blob


def bottom_span(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) normalised digits -> (N,) the share of their ink's width (pixels over
    POINT_LEVEL) that its lowest BOTTOM of rows spans (1 if blank)."""
    spans = []
    for ink in np.greater(images, POINT_LEVEL):  # (28, 28) each
        rows, columns = ink.any(axis=1), ink.any(axis=0)  # (28,) each
        if not rows.any():
            spans.append(1.0)
            continue
        (top, bottom), (left, right) = ends(rows), ends(columns)
        last = len(ink) - 1 - np.argmax(ink[::-1, left:right], axis=0)  # (w,) lowest ink row
        reaching = columns[left:right] & (last >= bottom - 1 - BOTTOM * (bottom - top))  # (w,)
        spans.append(np.count_nonzero(reaching) / (right - left))
    return np.array(spans)  # (N,)


def filled_blob(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) normalised digits -> (N,) True where their ink (pixels over POINT_LEVEL)
    fills FILLED of its box or more and the box is ROUND: a blob, no strokes."""
    blobs = []
    for ink in np.greater(images, POINT_LEVEL):  # (28, 28) each
        if not ink.any():
            blobs.append(False)
            continue
        box = ink_box(ink)
        sides = sorted((box.height, box.width))
        fill = np.count_nonzero(box.crop(ink)) / (box.height * box.width)
        blobs.append(bool(fill >= FILLED and sides[0] >= ROUND * sides[1]))
    return np.array(blobs, dtype=bool)  # (N,)


def ink_shape(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) normalised digits -> (N,) their ink's height over its width (1 if blank),
    and (N,) the share of their ink box's rows, or of its columns, that hold no ink, the
    larger (0 if blank)."""
    aspects, gaps = [], []
    for ink in np.greater(images, INK_LEVEL):  # (28, 28) each
        rows, columns = ink.any(axis=1), ink.any(axis=0)  # (28,) each
        if not rows.any():
            aspects.append(1.0)
            gaps.append(0.0)
            continue
        (top, bottom), (left, right) = ends(rows), ends(columns)
        aspects.append((bottom - top) / (right - left))
        inked = min(
            np.count_nonzero(rows) / (bottom - top), np.count_nonzero(columns) / (right - left)
        )
        gaps.append(1.0 - inked)
    return np.array(aspects), np.array(gaps)  # (N,) each


@dataclass(frozen=True)
class RejectRule:
    """Flag an image as not a digit when its score is below `threshold`, or when its ink is
    flatter than `min_aspect` (height over width), its box more than MAX_GAPS empty rows or
    columns, a filled round blob, or a 0 pointed like a heart (`min_aspect` None: no shape
    test)."""

    score: str
    threshold: float
    min_aspect: float | None = None

    def __post_init__(self) -> None:
        if self.score not in SCORES:
            raise ValueError(f"unknown score {self.score!r}; known: {', '.join(SCORES)}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}")
        if self.min_aspect is not None and not 0.0 <= self.min_aspect <= 1.0:
            raise ValueError(f"min_aspect must be in [0, 1], got {self.min_aspect}")

    def scores(self, probabilities: np.ndarray) -> np.ndarray:
        """(N, 10) probabilities -> (N,) scores; higher looks more like a digit."""
        return np.asarray(probabilities).max(axis=1)  # (N,)

    @property
    def touching_threshold(self) -> float:
        """The score threshold of a number's digit cut from a blob it shares with others."""
        return TOUCHING_SCALE * self.threshold

    def thresholds(self, touching: np.ndarray) -> np.ndarray:
        """(N,) booleans, digits of numbers that touch others -> (N,) their score thresholds."""
        return np.where(touching, self.touching_threshold, self.threshold)  # (N,)

    def is_digit(
        self, probabilities: np.ndarray, images: np.ndarray, touching: np.ndarray | None = None
    ) -> np.ndarray:
        """(N, 10) probabilities of (N, 28, 28) normalised images -> (N,) booleans: True where
        the image reads as a digit. `touching` (N,): digits of a number cut from one blob."""
        laxer = _touching(touching, len(probabilities))  # (N,)
        digit = self.scores(probabilities) >= self.thresholds(laxer)  # (N,)
        if self.min_aspect is not None:
            images = np.asarray(images)  # (N, 28, 28)
            aspect, gaps = ink_shape(images)  # (N,) each
            digit &= (aspect >= self.min_aspect) & (gaps <= MAX_GAPS)  # (N,)
            digit &= ~filled_blob(images)  # (N,)
            zeros = np.flatnonzero(np.asarray(probabilities).argmax(axis=1) == 0)  # (Z,)
            digit[zeros] &= bottom_span(images[zeros]) > POINTED  # a heart: no 0
        return digit

    def explain(self, probabilities: np.ndarray, touching: np.ndarray | None = None) -> str:
        """Why the rule flags images of these (N, 10) probabilities, e.g. "max_probability
        0.4127 is below the model's threshold 0.3". A flagged image that scores at least its
        threshold was flagged by its shape."""
        scores = self.scores(np.asarray(probabilities, dtype=np.float64).reshape(-1, 10))
        laxer = _touching(touching, len(scores))  # (N,)
        low = scores < self.thresholds(laxer)  # (N,)
        reasons: list[str] = []
        for touches, threshold, kind in (
            (False, self.threshold, "the model's threshold"),
            (True, self.touching_threshold, "the threshold for touching digits"),
        ):
            these = scores[low & (laxer == touches)]
            if len(these):
                reasons.append(f"{self.score} {_listed(these)} below {kind} {threshold:g}")
        if low.sum() < len(scores):
            reasons.append(
                f"its ink is no digit's shape (under {self.min_aspect:g} times as tall as it is"
                " wide, things apart, a blob, or a 0 pointed at the bottom like a heart)"
            )
        return " and ".join(reasons)


def _touching(touching: np.ndarray | None, count: int) -> np.ndarray:
    """(N,) booleans: `touching` as given, or none touching."""
    return np.zeros(count, bool) if touching is None else np.asarray(touching, bool)


def _listed(scores: np.ndarray) -> str:
    """Scores and their verb: "0.1234 is", "0.1234, 0.2345 are"."""
    verb = "is" if len(scores) == 1 else "are"
    return f"{', '.join(f'{float(score):.4f}' for score in scores)} {verb}"


def rule_from_metadata(metadata: dict[str, Any]) -> RejectRule | None:
    """The model's rule, or None for a model saved without one (every image is then taken for
    a digit). Raises ValueError naming what is wrong with a malformed entry."""
    entry = metadata.get(METADATA_KEY)
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise ValueError(f"{METADATA_KEY} must be an object, got {type(entry).__name__}")
    score, threshold = entry.get("score"), _number(entry.get("threshold"))
    if not isinstance(score, str) or threshold is None:
        raise ValueError(f"{METADATA_KEY} needs a string 'score' and a number 'threshold'")
    min_aspect = entry.get("min_aspect")
    if min_aspect is not None and _number(min_aspect) is None:
        raise ValueError(f"{METADATA_KEY}'s 'min_aspect' must be a number or null")
    return RejectRule(score, threshold, _number(min_aspect))


def _number(value: object) -> float | None:
    """A JSON number as a float; None for anything else (a bool is no number here)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
