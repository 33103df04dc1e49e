"""The sequence reader: a small network that reads a strip of touching digits whole.

Cutting touching digits apart fails where one tucks under the next (a 4's bar over a 1, a 7
leaning over a 2): no cut runs between them. This network reads the strip (strips.py) left
to right instead. Four convolutions see about one and a half digits round each column; each
fourth column of the strip (a frame) gets a distribution over the ten digits and BLANK. It is
trained with CTC (model_core/nn/ctc.py) on synthetic touching numbers (strip_data.py).

The committed reader is four such networks, trained apart, with frames that also read the
columns either side of their own (`context`). Each looks at a strip twice, the
second time with its frames two columns further right (SHIFTS). Each look proposes its
greedy reading (the most likely class per frame, repeats merged and blanks dropped), and the
proposal that all the looks together find most likely (their mean CTC log-likelihood) is
the reading. The looks err on different strips, so together they read more of them right.
Their frames are not averaged: networks trained apart put a digit's spike on different
frames, and the mean of two sure spikes is two doubtful ones (run p2 in experiments.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from model_core.nn.ctc import best_path, ctc_log_likelihood, log_softmax
from model_core.nn.ensemble import Ensemble, Model, members_of
from model_core.nn.layers import (
    Conv2D,
    Dense,
    FrameConv,
    Layer,
    MaxPool2D,
    ReLU,
    ToFrames,
)
from model_core.nn.layers.frames import frames_of
from model_core.nn.network import Sequential
from model_core.nn.presets import conv_block

from .strips import FRAME, STRIP_ROWS, batch_strips

BLANK = 10
CLASSES = BLANK + 1
HIDDEN = 128
SHIFTS = (0, FRAME // 2)  # columns of paper added on the left: each look's frames fall
# at another phase of the strokes


@dataclass(frozen=True)
class SequenceDigit:
    """One digit of a strip's reading."""

    digit: int
    probabilities: np.ndarray  # (10,) at the frame that read it best, BLANK left out
    columns: tuple[int, int]  # the strip columns of its run of frames, end excluded


def build_sequence_reader(
    rng: np.random.Generator, context: int = 1, hidden: int = HIDDEN
) -> Sequential:
    """Conv 32 - pool - conv 64 - pool - conv 96 - conv 96 (5x5), each batch-normalised;
    then per frame: dense `hidden` (128) - 11. A frame sees 34 strip columns: 17 px of an
    MNIST-scale digit, about one and a half digits. With `context` > 1 (odd), the dense layer
    reads that many neighbouring columns of the last map (FrameConv): FRAME more strip
    columns each."""

    def frames(width: int) -> list[Layer]:
        if width == 1:
            return [ToFrames(), Dense(7 * 96, hidden, rng=rng)]  # (672,) then (hidden,)
        return [FrameConv(7 * 96, hidden, width, rng=rng)]

    return Sequential(
        [
            *conv_block(1, 32, 3, rng),  # (28, W, 32)
            MaxPool2D(2),  # (14, W/2, 32)
            *conv_block(32, 64, 3, rng),  # (14, W/2, 64)
            MaxPool2D(2),  # (7, W/4, 64)
            *conv_block(64, 96, 3, rng),  # (7, W/4, 96)
            *conv_block(96, 96, 5, rng),  # (7, W/4, 96)
            *frames(context),  # (hidden,) a frame per column
            ReLU(),
            Dense(hidden, CLASSES, rng=rng),  # (11,)
        ],
        (STRIP_ROWS, 32, 1),
    )


def held_last(model: Model, metadata: dict[str, Any], key: str) -> tuple[Model, Sequential | None]:
    """A saved sequence reader -> its other networks, and the network its metadata's `key`
    names ({key: {"member": index}}), which must be its last; None when it names none. Raises
    ValueError for a malformed entry."""
    entry = metadata.get(key)
    if entry is None:
        return model, None
    members = members_of(model)
    index = entry.get("member") if isinstance(entry, dict) else None
    if not isinstance(index, int) or index < 1 or index != len(members) - 1:
        raise ValueError(f"{key} must name the last of two networks or more")
    rest = members[:index]
    return (rest[0] if len(rest) == 1 else Ensemble(rest)), members[index]


def is_sequence_reader(model: Model) -> bool:
    """A network over 28-row strips whose frames give the ten digits and BLANK, or an
    ensemble of them."""
    return all(
        any(isinstance(layer, ToFrames | FrameConv) for layer in network.layers)
        and network.input_shape[0] == STRIP_ROWS
        and isinstance(network.layers[0], Conv2D)
        and network.output_shape == (CLASSES,)
        for network in members_of(model)
    )


def frame_log_probs(network: Sequential, strips: list[np.ndarray]) -> list[np.ndarray]:
    """Strips -> each strip's (T, 11) frame log-probabilities, padding frames left out."""
    batch, lengths = batch_strips(strips)  # (N, 28, W, 1), (N,)
    logits = frames_of(network.forward(batch), len(strips))  # (N, T, 11)
    logp = log_softmax(logits)
    return [logp[i, :length] for i, length in enumerate(lengths)]


class Look(NamedTuple):
    """One network's frames over a strip with `shift` columns of paper more on the left."""

    logp: np.ndarray  # (T, 11) log-probabilities
    shift: int


@dataclass(frozen=True)
class StripReading:
    """A strip's digits, left to right, and the frame log-probabilities of each look at it."""

    digits: list[SequenceDigit]
    looks: list[Look]  # each network's frames at each shift it looked from

    @property
    def first_look(self) -> list[int]:
        """The digits the first network reads from the first shift, greedily."""
        return _greedy(self.looks[0].logp)

    def log_likelihood(self, labels: Sequence[int]) -> float:
        """log p(labels | strip) by CTC (every frame path that spells them), the looks' mean."""
        return float(self.log_likelihoods([labels])[0])

    def log_likelihoods(self, candidates: Sequence[Sequence[int]]) -> np.ndarray:
        """(C,) log_likelihood of each of C label sequences, all at once: every look and
        candidate in one CTC pass, shorter looks padded (their padding frames cost nothing)."""
        count, looks = len(candidates), len(self.looks)
        lengths = np.array([len(look.logp) for look in self.looks])  # (L,)
        dtype = np.result_type(*(look.logp for look in self.looks))
        frames = np.zeros((looks, count, lengths.max(), CLASSES), dtype)  # (L, C, T, 11)
        for look, rows in zip(self.looks, frames, strict=True):
            rows[:, : len(look.logp)] = look.logp
        found = ctc_log_likelihood(
            frames.reshape(looks * count, -1, CLASSES),
            list(candidates) * looks,
            np.repeat(lengths, count),
            BLANK,
        )  # (L * C,)
        return found.reshape(looks, count).mean(axis=0)


def read_strips(
    model: Model, strips: list[np.ndarray], known: list[list[int]] | None = None
) -> list[StripReading]:
    """Strips -> each one's digits, left to right. Each network of the reader looks at each
    strip from each of SHIFTS, but only the first network at the first shift looks at
    every strip: the other looks come only where it reads other digits than `known`, the
    caller's own reading of each strip (every strip when None), and not one digit where the
    caller read one. Where they agree, the caller's reading stands, and so does its lone
    digit against the reader's (reread.py); the other looks would cost as much again each."""
    networks = members_of(model)
    first = frame_log_probs(networks[0], strips)
    looks = [[Look(logp, SHIFTS[0])] for logp in first]
    again = [i for i, logp in enumerate(first) if known is None or _differs(logp, known[i])]
    if again:
        views = [(network, shift) for shift in SHIFTS for network in networks][1:]
        for network, shift in views:  # every network from every shift, the first look done
            more = frame_log_probs(network, [_shifted(strips[i], shift) for i in again])
            for i, logp in zip(again, more, strict=True):
                looks[i].append(Look(logp, shift))
    return [reading_of(each) for each in looks]


def reading_of(looks: list[Look]) -> StripReading:
    """One strip's looks -> the proposal they find most likely on average, its digits placed
    by the first look that proposed it."""
    proposals = [best_path(look.logp, BLANK) for look in looks]
    spelt = [tuple(digit for digit, _, _ in runs) for runs in proposals]
    distinct = list(dict.fromkeys(spelt))
    chosen = distinct[0]
    if len(distinct) > 1:  # the looks disagree
        chosen = distinct[int(StripReading([], looks).log_likelihoods(distinct).argmax())]
    placed = spelt.index(chosen)
    logp, shift = looks[placed]
    digits = []
    for digit, first, last in proposals[placed]:
        best = first + int(logp[first : last + 1, digit].argmax())
        probs = np.exp(logp[best, :BLANK])  # (10,)
        columns = (first * FRAME - shift, (last + 1) * FRAME - shift)
        digits.append(SequenceDigit(digit, probs / probs.sum(), columns))
    return StripReading(digits, looks)


def _differs(logp: np.ndarray, known: list[int]) -> bool:
    """Whether (T, 11) frames read other digits than `known`, and not one against one."""
    read = _greedy(logp)
    return read != known and not len(read) == len(known) == 1


def _greedy(logp: np.ndarray) -> list[int]:
    """The digits of (T, 11) frames read greedily."""
    return [digit for digit, _, _ in best_path(logp, BLANK)]


def _shifted(strip: np.ndarray, shift: int) -> np.ndarray:
    """(28, W) strip -> (28, W + FRAME) with `shift` columns of paper more on the left."""
    if shift == 0:
        return strip
    wider = np.zeros((STRIP_ROWS, strip.shape[1] + FRAME), dtype=np.float32)  # (28, W + 4)
    wider[:, shift : shift + strip.shape[1]] = strip
    return wider
