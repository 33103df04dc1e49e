"""Uploads of a sheet that was folded or crumpled, photographed: creases
(model_core/preprocessing/creases.py).

Light paper with a dark pen; one to three straight creases, each a thin line 8 to 30% darker
than the paper with a light edge beside it, the paper on one side of it 0 to 12% darker, at
any angle, anywhere (through the writing or beside it), under a little blur and sensor noise
(JPEG). A digit is 100 to 200 px tall with a margin of 0.3 to 0.8 of its height, a number's
digits 50 to 110 px tall.
"""

from __future__ import annotations

import numpy as np

from tests.numbers import digit_coverage, number_coverage
from tests.upload_styles import camera, encode


def folded_digit(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """(28, 28) uint8 MNIST digit (white on black) -> a photo of it on a creased sheet."""
    return folded(digit_coverage(digit, rng), rng)


def folded_number(
    images: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> tuple[bytes, str]:
    """A spaced or tight number of 2 to 6 of `images` (N, 28, 28) on a creased sheet, and its
    digits."""
    coverage, label = number_coverage(images, labels, rng)
    return folded(coverage, rng), label


def folded(coverage: np.ndarray, rng: np.random.Generator) -> bytes:
    """(H, W) ink coverage in [0, 1] -> JPEG bytes of a photo of it on a creased sheet."""
    paper = np.full(coverage.shape, rng.uniform(0.8, 0.95), dtype=np.float32)  # (H, W)
    for _ in range(int(rng.integers(1, 4))):
        paper *= _crease(coverage.shape, rng)
    photo = paper * (1 - rng.uniform(0.6, 0.85) * coverage)  # (H, W)
    return encode(camera(255 * photo, 1.0, 3.0, rng), "JPEG", quality=85)


def _crease(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """(H, W) shading of one crease: a dark line, a light edge beside it, one side darker."""
    rows, columns = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)  # (2, H, W)
    angle = rng.uniform(0, np.pi)
    row, column = rng.uniform(0.2, 0.8) * shape[0], rng.uniform(0.2, 0.8) * shape[1]
    across = (columns - column) * np.sin(angle) - (rows - row) * np.cos(angle)  # (H, W) px
    width, depth = rng.uniform(0.7, 1.8), rng.uniform(0.08, 0.3)
    shade = np.where(across > 0, 1 - rng.uniform(0.0, 0.12), 1.0)  # (H, W)
    line = np.exp(-((across / width) ** 2)) - 0.6 * np.exp(-(((across - 2.5 * width) / width) ** 2))
    return (shade - depth * line).astype(np.float32)
