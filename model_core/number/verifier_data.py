"""Training examples for the verifier: the candidates of synthetic numbers, labelled.

Numbers are laid out from MNIST digits (synth.py), in every kind, drawn at a random size on
clean or noisy paper, and cut into candidates exactly as a reading cuts them
(candidates.py). A candidate whose box matches a digit's box is that digit; one that matches
none (two digits, a part of one, a digit and a piece of its neighbour) is GARBAGE; the few in
between are left out, as neither is sure.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageFilter

from model_core.preprocessing.box import Box
from model_core.preprocessing.errors import PreprocessingError

from .candidates import line_candidates
from .synth import DIGIT_HEIGHT, KINDS, Layout, random_layout

GARBAGE = 10  # the verifier's class for "not one digit"
SAME = 0.8  # box overlap (intersection over union) from which a candidate is the digit
OTHER = 0.55  # ... and under which it is garbage
MAX_DIGITS = 6


def candidate_examples(
    images: np.ndarray, labels: np.ndarray, numbers: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Candidates of `numbers` numbers made from (N, 28, 28) uint8 `images` -> uint8
    (M, 28, 28) images and (M,) int64 labels, 0-9 or GARBAGE."""
    examples: list[np.ndarray] = []
    classes: list[int] = []
    for index in range(numbers):
        count = int(rng.integers(2, MAX_DIGITS + 1))
        drawn, chosen = random_layout(images, count, KINDS[index % len(KINDS)], rng)
        gray, boxes = draw_number(drawn, rng)  # (H, W), boxes in its pixels
        try:
            line = line_candidates(gray, MAX_DIGITS * 4)
        except PreprocessingError:
            continue  # a number the reading would refuse teaches nothing
        for candidate in line.candidates:
            if not candidate.image.any():
                continue
            box = line.page.to_input(candidate.box)
            overlaps = [_overlap(box, truth) for truth in boxes]
            best = int(np.argmax(overlaps))
            if overlaps[best] >= SAME:
                classes.append(int(labels[chosen[best]]))
            elif overlaps[best] < OTHER:
                classes.append(GARBAGE)
            else:
                continue
            examples.append(np.round(candidate.image * 255).astype(np.uint8))
    return np.stack(examples), np.array(classes, dtype=np.int64)


def draw_number(drawn: Layout, rng: np.random.Generator) -> tuple[np.ndarray, list[Box]]:
    """The number as (H, W) grayscale on [0, 1], dark ink on paper, its digits 40 to 100 px
    tall, on clean paper or under a light gradient and sensor noise; and its digits' boxes."""
    height, width = drawn.coverage.shape
    scale = rng.uniform(40, 100) / DIGIT_HEIGHT
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    levels = Image.fromarray(np.round(drawn.coverage * 255).astype(np.uint8))
    smooth = levels.resize(size, Image.Resampling.BICUBIC).filter(
        ImageFilter.GaussianBlur(0.25 * scale)
    )
    ink = np.clip((np.asarray(smooth, np.float32) / 255 - 0.35) / 0.3, 0.0, 1.0)  # (h, w)
    margin = int(rng.uniform(0.3, 1.0) * DIGIT_HEIGHT * scale)
    coverage = np.pad(ink, margin)  # (H, W)
    boxes = [
        Box(
            margin + math.floor(x0 * scale),
            margin + math.floor(y0 * scale),
            margin + math.ceil(x1 * scale),
            margin + math.ceil(y1 * scale),
        )
        for x0, y0, x1, y1 in drawn.boxes
    ]
    if rng.random() < 0.5:
        return 1 - coverage, boxes  # a clean canvas
    paper, pen = rng.uniform(0.7, 0.9), rng.uniform(0.1, 0.25)
    light = 1 + rng.uniform(-0.1, 0.1) * np.linspace(-1, 1, coverage.shape[1])  # (W,)
    gray = (paper * (1 - coverage) + pen * coverage) * light  # (H, W)
    gray += rng.normal(0, rng.uniform(0.01, 0.03), gray.shape)
    return np.clip(gray, 0, 1).astype(np.float32), boxes


def _overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    inter = a.shared(b)
    union = a.area + b.area - inter
    return inter / union if union else 0.0
