"""A blob of touching digits as a strip for the sequence reader: 28 rows, any width.

The blob is scaled so that a digit of the line's height is 20 rows tall, as MNIST's digits
fill 20 of their 28 rows, centred between the strip's top and bottom, and stretched twice as
wide, so that the reader's frames (every fourth column after two poolings) fall every two
columns of an MNIST-scale digit: a narrow 1 beside another still spans frames enough for a
blank between them. Training (strip_data.py) and reading go through this one function.
Reading levels a tilted blob first (`level`); training's numbers lie level already.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .shear import levelling_slope, shear

STRIP_ROWS = 28
DIGIT_ROWS = 20  # a line-height digit's rows in the strip
STRETCH = 2  # strip columns per row's worth of width
PAPER = 8  # columns of paper either side
FRAME = 4  # strip columns per frame of the reader
MAX_STRIP_COLUMNS = 1024  # about 25 line-height digits side by side: a wider blob (a long
# scribble) is no number, and its strip would cost hundreds of MB: the reader leaves it to
# the cut path
LEVEL_WIDTH = 1.5  # line heights: a narrower blob (one digit) is read as it stands


def strip_image(ink: np.ndarray, line: int) -> np.ndarray:
    """(h, w) a blob's strokes in [0, 1] on a page whose digits are `line` px tall ->
    (28, W) float32, W a multiple of FRAME."""
    height, width = ink.shape
    scale = strip_scale(height, line)
    size = (max(1, round(width * scale)), max(1, round(height * scale / STRETCH)))
    image = Image.fromarray(ink.astype(np.float32))  # mode F
    scaled = np.asarray(image.resize(size, Image.Resampling.BILINEAR))  # (h', w')
    columns = -(-(size[0] + 2 * PAPER) // FRAME) * FRAME
    strip = np.zeros((STRIP_ROWS, columns), dtype=np.float32)  # (28, W)
    top = (STRIP_ROWS - size[1]) // 2
    strip[top : top + size[1], PAPER : PAPER + size[0]] = np.clip(scaled, 0.0, 1.0)
    return strip


def level(ink: np.ndarray, line: int) -> tuple[np.ndarray, int]:
    """(h, w) a blob's strokes on a page of `line` px digits -> the same columns sheared
    (shear.py) so that the ink lies level, and the line height to read them at.

    A blob of touching digits photographed at a tilt is taller than its digits, and its strip
    would shrink them, with their baseline running across it. A blob under LEVEL_WIDTH line
    heights wide, one the shear would not make shear.SHORTER of its height, or one whose
    levelled strip would not fit, stands."""
    height, width = ink.shape
    if width < LEVEL_WIDTH * line:
        return ink, line
    if not (slope := levelling_slope(ink > 0.5, height)):  # coverage over 0.5
        return ink, line
    levelled = shear(ink, slope)  # (h + 2 lift, w)
    held = np.flatnonzero(levelled.max(axis=1) > 0)  # the rows holding ink
    levelled = levelled[held[0] : held[-1] + 1]  # (h', w)
    read_at = min(line, levelled.shape[0])  # a line of one blob was as tall as the blob
    if not fits_strip(levelled, read_at):
        return ink, line
    return levelled, read_at


def strip_scale(height: int, line: int) -> float:
    """Strip columns per column of a blob `height` px tall on a page of `line` px digits."""
    return min(DIGIT_ROWS / line, (STRIP_ROWS - 2) / height) * STRETCH


def fits_strip(ink: np.ndarray, line: int) -> bool:
    """Whether a blob's (h, w) ink makes a strip the reader reads: at most MAX_STRIP_COLUMNS
    wide, known before the strip is made."""
    width = round(ink.shape[1] * strip_scale(ink.shape[0], line)) + 2 * PAPER
    return width <= MAX_STRIP_COLUMNS


def batch_strips(strips: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Strips of any widths -> (N, 28, W, 1) padded with paper on the right, and each strip's
    frame count (N,)."""
    widest = max(strip.shape[1] for strip in strips)
    batch = np.zeros((len(strips), STRIP_ROWS, widest, 1), dtype=np.float32)
    for i, strip in enumerate(strips):
        batch[i, :, : strip.shape[1], 0] = strip
    return batch, np.array([strip.shape[1] // FRAME for strip in strips])
