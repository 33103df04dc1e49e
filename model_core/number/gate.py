"""A small reader network asked first, so that the reader's costly looks run only where needed.

Most blobs the sequence reader reads again (reread.py) are one digit, and its first look
reads the same as the path there: of 160 such blobs of held-out spaced numbers, it read
otherwise in one. That look is four convolutions and a `FrameConv` with a 2.4 MB weight,
about 1.2 ms for one digit's strip. A gate network a fifth of its cost (convolutions of 16,
32 and 48 channels, then `FrameConv` to 64 units over 5 columns) reads first every strip
that the path reads as one digit. Where it reads one digit too (the path keeps its lone digit
against another anyway) and is sure of it (its CTC log-likelihood at least SURE), the strip's
reading is the gate's look: no reader network looks at it, nor does the shape network
(shapes.py), which looks only where a first look is unsure of its own reading. Elsewhere,
and on the strips the path reads as several digits (touching ones, where the gate seldom
vouched and its look only added time), the reader looks as it would without a gate
(sequence.read_strips). See runs G and G2 in docs/experiments.md.

A sequence reader file holds the gate as its last network, named in its metadata:

    {"gate": {"member": 5, ...the network's own metadata}}
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model_core.nn.ensemble import Model
from model_core.nn.layers import Dense, FrameConv, MaxPool2D, ReLU
from model_core.nn.network import Sequential
from model_core.nn.presets import conv_block

from .sequence import (
    CLASSES,
    Look,
    StripReading,
    frame_log_probs,
    held_last,
    read_strips,
    reading_of,
)
from .strips import STRIP_ROWS

METADATA_KEY = "gate"
SURE = -0.3  # the gate's log-likelihood of its own reading at or above which it is trusted
CHANNELS = (16, 32, 48)  # its convolutions' (half the reader's, and no 5 x 5 layer)
CONTEXT, HIDDEN = 5, 64  # its FrameConv's columns and units


def build_gate(rng: np.random.Generator) -> Sequential:
    """Conv 16 - pool - conv 32 - pool - conv 48, each batch-normalised; then per frame a
    FrameConv over CONTEXT columns to HIDDEN units - 11."""

    first, second, third = CHANNELS
    return Sequential(
        [
            *conv_block(1, first, 3, rng),  # (28, W, 16)
            MaxPool2D(2),  # (14, W/2, 16)
            *conv_block(first, second, 3, rng),  # (14, W/2, 32)
            MaxPool2D(2),  # (7, W/4, 32)
            *conv_block(second, third, 3, rng),  # (7, W/4, 48)
            FrameConv(7 * third, HIDDEN, CONTEXT, rng=rng),  # (64,) a frame per column
            ReLU(),
            Dense(HIDDEN, CLASSES, rng=rng),  # (11,)
        ],
        (STRIP_ROWS, 32, 1),
    )


def split_gate(model: Model, metadata: dict[str, Any]) -> tuple[Model, Sequential | None]:
    """A saved sequence reader -> its other networks, and its gate if its metadata names one.
    Raises ValueError for a malformed entry."""
    return held_last(model, metadata, METADATA_KEY)


def read_gated(
    model: Model, gate: Sequential, strips: list[np.ndarray], known: list[list[int]]
) -> list[StripReading]:
    """Strips -> each one's reading, as sequence.read_strips gives it, but read by the `gate`
    alone where the caller read one digit (`known`, its digits of each strip) and the gate
    surely reads one digit too."""
    lone = [i for i, read in enumerate(known) if len(read) == 1]
    readings: dict[int, StripReading] = {}
    if lone:
        quick = frame_log_probs(gate, [strips[i] for i in lone])
        for i, logp in zip(lone, quick, strict=True):
            reading = StripReading([], [Look(logp, 0)])
            read = reading.first_look  # its greedy digits
            if len(read) == 1 and reading.log_likelihood(read) >= SURE:
                readings[i] = reading_of(reading.looks)
    rest = [i for i in range(len(strips)) if i not in readings]
    if rest:
        again = read_strips(model, [strips[i] for i in rest], [known[i] for i in rest])
        readings |= dict(zip(rest, again, strict=True))
    return [readings[i] for i in range(len(strips))]
