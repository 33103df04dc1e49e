"""A seeded writer of handwritten NUMBERS (several real MNIST digits in one upload) for tests.

The digits are laid out by model_core.number.synth (the kinds "spaced", "tight", "touching"
and "mixed" are described there). The renderings scale the number up so digits are 50 to
120 px tall, with a margin of 0.3h to 1h (scaled) on every side: "canvas" (an RGB PNG, black
strokes on white), "transparent" (an RGBA PNG, black strokes whose alpha is the ink, empty
pixels exactly 0, 0, 0, 0) and "photo" (a JPEG of quality 70 to 85: blue-black ink on grey
paper under a linear light gradient, slight blur, sensor noise, no rotation). A sample's boxes
are each digit's ink box in the uploaded image's pixels, left to right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from model_core.number.synth import DIGIT_HEIGHT, Box, Layout, random_layout, strokes
from tests.upload_styles import _to_image, camera, encode

RENDERINGS: tuple[str, ...] = ("canvas", "transparent", "photo")


@dataclass(frozen=True)
class NumberSample:
    label: str  # the digits, e.g. "0427" (leading zeros possible)
    data: bytes  # the encoded upload (PNG for canvas/transparent, JPEG for photo)
    boxes: list[Box]  # each digit's ink box in the uploaded image's pixels, left to right
    kind: str
    rendering: str


def make_number(
    images: np.ndarray,
    labels: np.ndarray,
    kind: str,
    rendering: str,
    rng: np.random.Generator,
    length: int | None = None,
) -> NumberSample:
    """A number of `length` digits (2 to 6 at random if None) drawn from `images` (N, 28, 28)."""
    if rendering not in RENDERINGS:
        raise ValueError(f"unknown rendering {rendering!r}; choose from {RENDERINGS}")
    count = int(rng.integers(2, 7)) if length is None else length
    drawn, chosen = random_layout(images, count, kind, rng)
    data, boxes = _render(drawn, rendering, rng)
    label = "".join(str(int(labels[index])) for index in chosen)
    return NumberSample(label, data, boxes, kind, rendering)


def make_numbers(
    images: np.ndarray, labels: np.ndarray, kind: str, rendering: str, count: int, seed: int
) -> list[NumberSample]:
    """`count` numbers, the same bytes for the same seed."""
    rng = np.random.default_rng(seed)
    return [make_number(images, labels, kind, rendering, rng) for _ in range(count)]


def digit_coverage(
    digit: np.ndarray, rng: np.random.Generator, margin: tuple[float, float] = (0.3, 0.8)
) -> np.ndarray:
    """A (28, 28) MNIST digit as (H, W) ink coverage, 100 to 200 px tall, with a margin of
    `margin` times its height all round: number_coverage's counterpart for one digit."""
    ink = strokes(digit, int(rng.integers(100, 201)))  # (h, w)
    return np.pad(ink, int(rng.uniform(*margin) * ink.shape[0]))


def number_coverage(
    images: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, str]:
    """A spaced or tight number of 2 to 6 of `images` (N, 28, 28) as (H, W) ink coverage, its
    digits 50 to 110 px tall with a margin of 0.6 of their height all round, and its digits."""
    kind = ("spaced", "tight")[int(rng.integers(2))]
    drawn, chosen = random_layout(images, int(rng.integers(2, 7)), kind, rng)
    height, width = drawn.coverage.shape
    scale = rng.uniform(50, 110) / DIGIT_HEIGHT
    size = (round(width * scale), round(height * scale))
    levels = _to_image(drawn.coverage * 255).resize(size, Image.Resampling.BICUBIC)
    ink = np.asarray(levels, dtype=np.float32) / 255  # (h, w)
    label = "".join(str(int(labels[index])) for index in chosen)
    return np.pad(ink, int(0.6 * DIGIT_HEIGHT * scale)), label


def in_boxes(digits: np.ndarray, rng: np.random.Generator, comb: bool = False) -> bytes:
    """(n, 28, 28) digits written one a box, in a row of printed boxes sharing their sides (a
    form's), 1 to 3 px lines; each digit 0.55 to 0.85 of its box on its long side, off its
    centre by up to 6 px, so that some touch a side (PNG). With `comb`, an open comb instead:
    a base line, and at each cell's sides a tick 0.25 to 0.5 of a cell tall; the digits sit
    low in their cells, some on the line."""
    cell, line = int(rng.integers(60, 110)), int(rng.integers(1, 4))
    tick = int(cell * rng.uniform(0.25, 0.5)) if comb else cell
    page = np.full((cell + 80, 80 + len(digits) * cell + line), 255.0)  # (H, W) white
    for index, digit in enumerate(digits):
        left = 40 + index * cell
        page[40 + cell - tick : 40 + cell + line, left : left + line] = 40.0  # the side before
        ink = strokes(digit, int(cell * rng.uniform(0.55, 0.85)))  # (h, w)
        y, x = (np.array([cell, cell]) - ink.shape) // 2 + rng.integers(-6, 7, 2)
        if comb:  # low in the cell: 0 to 6 px above the line, or on it
            y = cell - ink.shape[0] - int(rng.integers(-1, 7))
        y, x = 40 + max(0, y), left + max(0, x)
        region = page[y : y + ink.shape[0], x : x + ink.shape[1]]
        region[...] = np.minimum(region, 255 * (1 - ink[: region.shape[0], : region.shape[1]]))
    right = 40 + len(digits) * cell
    page[40 + cell - tick : 40 + cell + line, right : right + line] = 40.0  # the last side
    if not comb:
        page[40 : 40 + line, 40 : right + line] = 40.0  # the top
    page[40 + cell : 40 + cell + line, 40 : right + line] = 40.0  # the bottom
    return encode(_to_image(page), "PNG")


def _render(layout: Layout, rendering: str, rng: np.random.Generator) -> tuple[bytes, list[Box]]:
    """The number as upload bytes, and its boxes in the upload's pixels."""
    height, width = layout.coverage.shape
    scale = rng.uniform(50, 120) / DIGIT_HEIGHT
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    levels = _to_image(layout.coverage * 255).resize(size, Image.Resampling.BICUBIC)
    smooth = levels.filter(ImageFilter.GaussianBlur(0.25 * scale))  # rounds off MNIST's pixels
    ink = np.clip((np.asarray(smooth) / 255 - 0.35) / 0.3, 0.0, 1.0)  # (h, w) crisp edges
    top, bottom, left, right = (int(m) for m in rng.uniform(0.3, 1.0, 4) * DIGIT_HEIGHT * scale)
    coverage = np.pad(ink, ((top, bottom), (left, right)))  # (H', W')
    across, down = size[0] / width, size[1] / height
    boxes = [
        (
            left + math.floor(x0 * across),
            top + math.floor(y0 * down),
            left + math.ceil(x1 * across),
            top + math.ceil(y1 * down),
        )
        for x0, y0, x1, y1 in layout.boxes
    ]
    if rendering == "canvas":
        gray = 255 * (1 - coverage)  # (H', W')
        return encode(_to_image(np.repeat(gray[:, :, None], 3, axis=2)), "PNG"), boxes
    if rendering == "transparent":
        rgba = np.zeros((*coverage.shape, 4), dtype=np.uint8)  # (H', W', 4) empty: 0, 0, 0, 0
        rgba[:, :, 3] = np.round(coverage * 255)
        return encode(Image.fromarray(rgba), "PNG"), boxes
    if rendering != "photo":
        raise ValueError(f"unknown rendering {rendering!r}; choose from {RENDERINGS}")
    ys, xs = np.mgrid[0 : coverage.shape[0], 0 : coverage.shape[1]].astype(
        np.float32
    )  # (2, H', W')
    angle = rng.uniform(0, 2 * np.pi)
    along = np.cos(angle) * xs + np.sin(angle) * ys  # (H', W')
    along = 2 * (along - along.min()) / max(float(np.ptp(along)), 1.0) - 1  # (H', W') in [-1, 1]
    light = 1 + rng.uniform(0.03, 0.1) * along  # (H', W')
    paper = rng.uniform(0.7, 0.9)
    pen = rng.uniform(0.1, 0.25) * np.array([0.8, 0.85, 1.3], dtype=np.float32)  # (3,) blue-black
    shade = paper * (1 - coverage[:, :, None]) + pen * coverage[:, :, None]  # (H', W', 3)
    rgb = 255 * shade * light[:, :, None]  # (H', W', 3)
    photo = camera(rgb, float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.015, 0.03) * 255), rng)
    return encode(photo, "JPEG", quality=int(rng.integers(70, 86))), boxes
