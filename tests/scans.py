"""Uploads as a scanner with dirt on its glass makes them: straight lines, streaks, from one
edge of the page to the other (model_core/preprocessing/streaks.py), and specks of dust.

A scan: light paper with a little noise, a dark pen, and one or two streaks 1 to 3 px wide, 0.4
to 0.9 as dark as the pen, down the page (a flatbed's) or across it (a fax's), anywhere:
through the writing or beside it (PNG); or 5 to 40 round specks 1 to 4 px across, 0.55 to 1
as dark as the pen, anywhere (digit_box.py). A digit is 100 to 200 px tall with a margin of
0.3 to 0.8 of its height, a number's digits 50 to 110 px tall.
"""

from __future__ import annotations

import numpy as np

from tests.numbers import digit_coverage, number_coverage
from tests.upload_styles import camera, encode


def streaked_digit(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """(28, 28) uint8 MNIST digit (white on black) -> a scan of it with streaks."""
    return scanned(digit_coverage(digit, rng), rng)


def dusty_digit(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """(28, 28) uint8 MNIST digit (white on black) -> a scan of it with specks of dust."""
    page = digit_coverage(digit, rng)  # (H, W)
    rows, columns = np.ogrid[: page.shape[0], : page.shape[1]]
    for _ in range(int(rng.integers(5, 41))):
        row, column = rng.uniform(0, page.shape[0]), rng.uniform(0, page.shape[1])
        speck = np.hypot(rows - row, columns - column) <= rng.uniform(0.5, 2.0)  # (H, W)
        page[speck] = np.maximum(page[speck], rng.uniform(0.55, 1.0))
    paper = rng.uniform(0.9, 0.98) * (1 - rng.uniform(0.7, 0.9) * page)  # (H, W) dark ink
    return encode(camera(255 * paper, 0.6, 2.0, rng), "PNG")


def streaked_number(
    images: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> tuple[bytes, str]:
    """A spaced or tight number of 2 to 6 of `images` (N, 28, 28) scanned with streaks, and
    its digits."""
    coverage, label = number_coverage(images, labels, rng)
    return scanned(coverage, rng), label


def scanned(coverage: np.ndarray, rng: np.random.Generator) -> bytes:
    """(H, W) ink coverage in [0, 1] -> PNG bytes of its scan with one or two streaks."""
    pen = rng.uniform(0.7, 0.9)
    page = rng.uniform(0.9, 0.98) * (1 - pen * coverage)  # (H, W) light paper, dark ink
    across = rng.random() < 0.5
    lines = page.T if across else page  # (W, H) or (H, W): a streak is columns of `lines`
    for _ in range(int(rng.integers(1, 3))):
        start, width = int(rng.uniform(0.1, 0.9) * lines.shape[1]), int(rng.integers(1, 4))
        lines[:, start : start + width] *= 1 - pen * rng.uniform(0.4, 0.9)
    return encode(camera(255 * page, 0.6, 2.0, rng), "PNG")
