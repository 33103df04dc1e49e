"""Is it a digit at all? The rule a saved model carries for telling a reading from a guess.

A model trained with outlier exposure (synthetic non-digits pushed towards uniform
probabilities, model_core/data/nondigits.py) gives a non-digit a flat answer, so its largest
probability is low. The rule flags an image whose score falls below the model's threshold.
The model's metadata records it under "not_a_digit":

    {"score": "max_probability", "threshold": 0.62, ...the validation figures behind it}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

METADATA_KEY = "not_a_digit"
SCORES = ("max_probability",)


@dataclass(frozen=True)
class RejectRule:
    """Flag an image as not a digit when its score is below `threshold`."""

    score: str
    threshold: float

    def __post_init__(self) -> None:
        if self.score not in SCORES:
            raise ValueError(f"unknown score {self.score!r}; known: {', '.join(SCORES)}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}")

    def scores(self, probabilities: np.ndarray) -> np.ndarray:
        """(N, 10) probabilities -> (N,) scores; higher looks more like a digit."""
        return np.asarray(probabilities).max(axis=1)  # (N,)

    def is_digit(self, probabilities: np.ndarray) -> np.ndarray:
        """(N, 10) probabilities -> (N,) booleans: True where the image reads as a digit."""
        return self.scores(probabilities) >= self.threshold  # (N,)


def rule_from_metadata(metadata: dict[str, Any]) -> RejectRule | None:
    """The model's rule, or None for a model saved without one (every image is then taken for
    a digit). Raises ValueError naming what is wrong with a malformed entry."""
    entry = metadata.get(METADATA_KEY)
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise ValueError(f"{METADATA_KEY} must be an object, got {type(entry).__name__}")
    score, threshold = entry.get("score"), entry.get("threshold")
    if not isinstance(score, str) or isinstance(threshold, bool):
        raise ValueError(f"{METADATA_KEY} needs a string 'score' and a number 'threshold'")
    if not isinstance(threshold, int | float):
        raise ValueError(f"{METADATA_KEY} needs a string 'score' and a number 'threshold'")
    return RejectRule(score, float(threshold))
