"""Shapes that hold no digit: a letter, a doodle, a star, which a reading cuts into parts that
each look like a digit.

The sequence reader's networks read every blob as digits, as they were taught. One more
reader network, taught besides that non-digits hold none (outlier exposure: `--nondigits`
in scripts/train_sequence_reader.py, pictures of model_core/data/nondigits.py labelled with
no digits), looks at the blobs the first network is unsure of (its own reading under UNSURE,
a CTC log-likelihood), and at the blob of a line that holds no other: most non-digits are
one blob (a letter, a star), where a number of several blobs would pay for a look at each.
Where it sees no digit, that at least UNSEEN_MARGIN more likely than the path's digits, the
blob's digits are flagged: not digits (runs z2, U3 and V in experiments.md). It never
changes what is read.

A sequence reader file holds it as its last network, named in its metadata:

    {"shapes": {"member": 4, ...the network's own metadata}}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from model_core.nn.ensemble import Model
from model_core.nn.network import Sequential

from .sequence import Look, StripReading, held_last

ShapeLook = Callable[[list[np.ndarray]], list[np.ndarray]]  # strips -> (T, 11) log-probs each
METADATA_KEY = "shapes"
UNSURE = -0.5  # the first network's log-likelihood of its own reading under which the shape
# network looks: 7% of real digits' unsettled blobs, 70% of the non-digit blobs it flags (z2)
UNSEEN_MARGIN = 2.0  # no digit must be e^2 times more likely than the path's digits


def split_shapes(model: Model, metadata: dict[str, Any]) -> tuple[Model, Sequential | None]:
    """A saved sequence reader -> its reading networks, and its shape network if its metadata
    names one. Raises ValueError for a malformed entry."""
    return held_last(model, metadata, METADATA_KEY)


def no_digit_shapes(
    strips: list[np.ndarray],
    readings: Sequence[StripReading],
    paths: Sequence[list[int]],
    tall: Sequence[bool],
    look: ShapeLook,
    alone: bool = False,
) -> list[int]:
    """Indices of the `strips` whose blob holds no digit: `tall` (a whole digit's height), its
    first look unsure of its own reading or the blob `alone` on its line, and the shape
    network sees no digit there, surely against the path's digits `paths`. The shape network
    reads the blobs asked about in one batch."""
    asked = [i for i, reading in enumerate(readings) if tall[i] and (alone or _unsure(reading))]
    if not asked:
        return []
    frames = look([strips[i] for i in asked])
    return [i for i, logp in zip(asked, frames, strict=True) if _sees_none(logp, paths[i])]


def _unsure(reading: StripReading) -> bool:
    first = StripReading([], reading.looks[:1])
    return first.log_likelihood(reading.first_look) < UNSURE


def _sees_none(logp: np.ndarray, path: list[int]) -> bool:
    """Whether (T, 11) frames read no digit, UNSEEN_MARGIN more likely than `path`."""
    look = StripReading([], [Look(logp, 0)])
    if look.first_look:
        return False
    none, read = look.log_likelihoods([[], path])
    return bool(none - read >= UNSEEN_MARGIN)
