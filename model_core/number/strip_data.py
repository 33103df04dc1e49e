"""Training examples for the sequence reader: the blobs of synthetic numbers, as strips.

Numbers are laid out from MNIST digits (synth.py), drawn as the verifier's are
(verifier_data.py) and cut into blobs exactly as a reading finds them (candidates.py). Each
blob's label is the digits whose ink boxes lie inside its box, left to right: two or more
for touching digits, one for a digit alone, none for a stray stroke. A blob holding only
part of a digit's box is left out, as its label is not sure.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from model_core.data.nondigits import KINDS as NONDIGIT_KINDS
from model_core.data.nondigits import picture
from model_core.preprocessing.box import Box
from model_core.preprocessing.errors import PreprocessingError

from .candidates import line_blobs
from .strips import strip_image
from .synth import random_layout
from .verifier_data import MAX_DIGITS, draw_number

KINDS = ("touching", "mixed", "touching", "tight")  # touching digits are what it is for
INSIDE = 0.9  # share of a digit's box inside a blob's from which the digit is the blob's
OUTSIDE = 0.1  # ... and under which it is not


def strip_examples(
    images: np.ndarray,
    labels: np.ndarray,
    numbers: int,
    rng: np.random.Generator,
    ones: float = 0.0,
    repeats: float = 0.0,
) -> tuple[list[np.ndarray], list[list[int]]]:
    """The blobs of `numbers` numbers made from (N, 28, 28) uint8 `images` -> their strips
    (28, W) float32 and digit sequences. With `ones` or `repeats`, each digit of a number is
    a 1 at that rate, or else the digit before it again at that rate (richer_draw)."""
    strips: list[np.ndarray] = []
    sequences: list[list[int]] = []
    for index in range(numbers):
        count = int(rng.integers(2, MAX_DIGITS + 1))
        draw = None
        if ones or repeats:
            draw = partial(richer_draw, labels, count, ones, repeats)
        drawn, chosen = random_layout(images, count, KINDS[index % len(KINDS)], rng, draw)
        gray, boxes = draw_number(drawn, rng)  # (H, W), the digits' boxes in its pixels
        try:
            blobs = line_blobs(gray, MAX_DIGITS * 4)
        except PreprocessingError:
            continue  # a number the reading would refuse teaches nothing
        for box, ink in zip(blobs.boxes, blobs.inks, strict=True):
            shares = [_inside(truth, blobs.page.to_input(box)) for truth in boxes]
            if any(OUTSIDE <= share < INSIDE for share in shares):
                continue
            strips.append(strip_image(ink, blobs.line))
            sequences.append([int(labels[chosen[i]]) for i, s in enumerate(shares) if s >= INSIDE])
    return strips, sequences


def nondigit_strips(
    count: int, rng: np.random.Generator
) -> tuple[list[np.ndarray], list[list[int]]]:
    """`count` strips of non-digits (model_core/data/nondigits.py: letters and symbols no
    digit resembles, shapes, scribbles, textures), each labelled with no digits: the reader
    learns that a shape it was never shown as a digit holds none (outlier exposure). Only
    pictures that are one blob are taken, as a blob of a number is."""
    strips: list[np.ndarray] = []
    drawn = 0
    while len(strips) < count:
        ink = picture(NONDIGIT_KINDS[drawn % len(NONDIGIT_KINDS)], rng)  # (160, 160)
        drawn += 1
        try:
            blobs = line_blobs(ink, MAX_DIGITS * 4)
        except PreprocessingError:
            continue
        if len(blobs.inks) == 1:
            strips.append(strip_image(blobs.inks[0], blobs.line))
    return strips, [[] for _ in strips]


def richer_draw(
    labels: np.ndarray, count: int, ones: float, repeats: float, rng: np.random.Generator
) -> np.ndarray:
    """(count,) indices into `labels` drawn at random, each then a 1 with probability
    `ones`, or else a digit equal to the one before it with probability `repeats`: the 1s
    pressed against a neighbour and the equal digits side by side that a reader drops."""
    chosen = rng.integers(0, len(labels), size=count)  # (count,)
    for i in range(count):
        chance = rng.random()
        if chance < ones:
            chosen[i] = rng.choice(np.flatnonzero(labels == 1))
        elif i > 0 and chance < ones + repeats:
            chosen[i] = rng.choice(np.flatnonzero(labels == labels[chosen[i - 1]]))
    return chosen


def _inside(digit: Box, blob: Box) -> float:
    """The share of the digit's box inside the blob's."""
    return digit.shared(blob) / max(1, digit.area)
