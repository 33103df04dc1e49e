"""Digits in a 5x7 dot-matrix font, as an LED board, a dot-matrix receipt or a clock shows
them, for tests: each digit a 5x7 grid of dots, glyphs a column or two of dots apart.

`dot_coverage` draws the dots alone (ink 1 on 0); `dot_upload` renders a number's digits as an
upload in one of three ways chosen at random: "ink" (black dots on white, a PNG), "led" (red to
amber dots on black, their unlit neighbours faintly glowing, a soft PNG) and "print" (a
receipt's grey dots photographed: blur, sensor noise, a JPEG).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.upload_styles import camera, encode

GLYPHS = {  # the rows of each digit, as the HD44780 display controller's font draws them
    0: "01110 10001 10011 10101 11001 10001 01110",
    1: "00100 01100 00100 00100 00100 00100 01110",
    2: "01110 10001 00001 00010 00100 01000 11111",
    3: "11111 00010 00100 00010 00001 10001 01110",
    4: "00010 00110 01010 10010 11111 00010 00010",
    5: "11111 10000 11110 00001 00001 10001 01110",
    6: "00110 01000 10000 11110 10001 10001 01110",
    7: "11111 00001 00010 00100 01000 01000 01000",
    8: "01110 10001 10001 01110 10001 10001 01110",
    9: "01110 10001 10001 01111 00001 00010 01100",
}
PLAIN_ZERO = "01110 10001 10001 10001 10001 10001 01110"  # a 0 without its slash
ROWS, COLUMNS = 7, 5


def dot_coverage(
    digits: list[int], pitch: float, radius: float, gap: int = 1, slant: float = 0.0,
    margin: int = 0, plain_zero: bool = False, every: bool = False,
) -> np.ndarray:  # fmt: skip
    """(H, W) float32 ink coverage of `digits` drawn as dots `pitch` px apart of `radius` px,
    glyphs `gap` columns of dots apart, slanted by `slant` columns a row, `margin` px round
    them; `every`: all the grid's dots, lit or not."""
    columns = len(digits) * (COLUMNS + gap) - gap
    height = round(ROWS * pitch + 2 * margin)
    width = round(columns * pitch + ROWS * pitch * slant + 2 * margin)
    image = Image.new("L", (width, height), 0)
    pen = ImageDraw.Draw(image)
    for k, digit in enumerate(digits):
        rows = (PLAIN_ZERO if plain_zero and digit == 0 else GLYPHS[digit]).split()
        for row, bits in enumerate(rows):
            for column, bit in enumerate(bits):
                if bit == "1" or every:
                    y = margin + (row + 0.5) * pitch
                    at = k * (COLUMNS + gap) + column + 0.5 + (ROWS - 1 - row) * slant
                    x = margin + at * pitch
                    pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=255)
    return np.asarray(image, dtype=np.float32) / 255


def dot_upload(digits: list[int], rng: np.random.Generator) -> bytes:
    """`digits` in the dot font, a random size, dot and gap, rendered as an upload."""
    pitch = rng.uniform(6, 16)
    shape = {
        "radius": rng.uniform(0.3, 0.48) * pitch,
        "gap": int(rng.integers(1, 3)) if len(digits) > 1 else 1,
        "slant": rng.uniform(0, 0.2) if rng.random() < 0.5 else 0.0,
        "margin": round(rng.uniform(1, 4) * pitch),
        "plain_zero": bool(rng.random() < 0.5),
    }
    dots = dot_coverage(digits, pitch, **shape)  # (H, W)
    style = int(rng.integers(3))
    if style == 0:  # a receipt's dots photographed
        return encode(camera(255 - 200 * dots, 0.7, 3.0, rng), "JPEG", quality=85)
    if style == 1:  # an LED board: lit dots, the unlit ones glowing faintly
        unlit = dot_coverage(digits, pitch, every=True, **shape)  # (H, W)
        lit = np.maximum(dots, 0.12 * rng.random() * unlit)  # (H, W)
        rgb = np.stack([lit, lit * rng.uniform(0.15, 0.7), lit * 0.08], axis=-1)  # (H, W, 3)
        image = Image.fromarray(np.round(255 * rgb).astype(np.uint8))
        return encode(image.filter(ImageFilter.GaussianBlur(shape["radius"] / 4)), "PNG")
    return encode(Image.fromarray(np.round(255 - 255 * dots).astype(np.uint8)), "PNG")
