"""The sequence reader: a small network that reads a strip of touching digits whole.

Cutting touching digits apart fails where one tucks under the next (a 4's bar over a 1, a 7
leaning over a 2): no cut runs between them. This network reads the strip (strips.py) left
to right instead. Four convolutions see about one and a half digits round each column; each
fourth column of the strip (a frame) gets a distribution over the ten digits and BLANK. It is
trained with CTC (model_core/nn/ctc.py) on synthetic touching numbers (strip_data.py), and
reads a strip as the most likely class per frame, repeats merged and blanks dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model_core.nn.ctc import best_path, ctc_log_likelihood, log_softmax
from model_core.nn.layers import BatchNorm, Conv2D, Dense, Layer, MaxPool2D, ReLU, ToFrames
from model_core.nn.layers.frames import frames_of
from model_core.nn.network import Sequential

from .strips import STRIP_ROWS, batch_strips

BLANK = 10
CLASSES = BLANK + 1
HIDDEN = 128


@dataclass(frozen=True)
class SequenceDigit:
    """One digit of a strip's reading."""

    digit: int
    probabilities: np.ndarray  # (10,) at the frame that read it best, BLANK left out
    frames: tuple[int, int]  # first and last frame of its run


def build_sequence_reader(rng: np.random.Generator) -> Sequential:
    """Conv 32 - pool - conv 64 - pool - conv 96 - conv 96 (5x5), each batch-normalised;
    then per frame: dense 128 - 11. A frame sees 34 strip columns: 17 px of an MNIST-scale
    digit, about one and a half digits."""

    def block(channels_in: int, channels_out: int, kernel: int) -> list[Layer]:
        return [
            Conv2D(channels_in, channels_out, kernel, padding=kernel // 2, rng=rng),
            BatchNorm(channels_out),
            ReLU(),
        ]

    return Sequential(
        [
            *block(1, 32, 3),  # (28, W, 32)
            MaxPool2D(2),  # (14, W/2, 32)
            *block(32, 64, 3),  # (14, W/2, 64)
            MaxPool2D(2),  # (7, W/4, 64)
            *block(64, 96, 3),  # (7, W/4, 96)
            *block(96, 96, 5),  # (7, W/4, 96)
            ToFrames(),  # (672,) a frame per column
            Dense(7 * 96, HIDDEN, rng=rng),
            ReLU(),
            Dense(HIDDEN, CLASSES, rng=rng),  # (11,)
        ],
        (STRIP_ROWS, 32, 1),
    )


def is_sequence_reader(network: Sequential) -> bool:
    """A network over 28-row strips whose frames give the ten digits and BLANK."""
    first = network.layers[0]
    return (
        any(isinstance(layer, ToFrames) for layer in network.layers)
        and network.input_shape[0] == STRIP_ROWS
        and isinstance(first, Conv2D)
        and network.output_shape == (CLASSES,)
    )


def frame_log_probs(network: Sequential, strips: list[np.ndarray]) -> list[np.ndarray]:
    """Strips -> each strip's (T, 11) frame log-probabilities, padding frames left out."""
    batch, lengths = batch_strips(strips)  # (N, 28, W, 1), (N,)
    logits = frames_of(network.forward(batch), len(strips))  # (N, T, 11)
    logp = log_softmax(logits)
    return [logp[i, :length] for i, length in enumerate(lengths)]


@dataclass(frozen=True)
class StripReading:
    """A strip's digits, left to right, and the frame log-probabilities they were read from."""

    digits: list[SequenceDigit]
    logp: np.ndarray  # (T, 11)

    def log_likelihood(self, labels: list[int]) -> float:
        """log p(labels | strip): every frame path that spells them (CTC)."""
        lengths = np.array([len(self.logp)])
        return float(ctc_log_likelihood(self.logp[None], [labels], lengths, BLANK)[0])


def read_strips(network: Sequential, strips: list[np.ndarray]) -> list[StripReading]:
    """Strips -> each one's digits, left to right."""
    readings = []
    for logp in frame_log_probs(network, strips):
        digits = []
        for digit, first, last in best_path(logp, BLANK):
            best = first + int(logp[first : last + 1, digit].argmax())
            probs = np.exp(logp[best, :BLANK])  # (10,)
            digits.append(SequenceDigit(digit, probs / probs.sum(), (first, last)))
        readings.append(StripReading(digits, logp))
    return readings
