"""Digits unlike MNIST's, as upload bytes: issue 28's styles of the upload survey.

"lowres" (a digit 8 to 16 px tall, enlarged by the client with nearest or bilinear
resampling), "thin" and "thick" (the digit's centre line redrawn with a 2-5 px pen, or a marker
a fifth of the digit's height wide, on a 280x280 canvas) and "typed" (the digit typed in a
font: the system's DejaVu and Liberation faces where installed, and Pillow's own).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from model_core.data.fonts import font_files
from model_core.data.skeleton import centre_line
from tests.upload_styles import encode

UNUSUAL_STYLES: tuple[str, ...] = ("lowres", "thin", "thick", "typed")


def render_unusual(style: str, digit: np.ndarray, label: int, rng: np.random.Generator) -> bytes:
    """(28, 28) uint8 MNIST digit and its label -> encoded upload bytes in `style`."""
    if style == "lowres":
        return _lowres(digit, rng)
    if style in ("thin", "thick"):
        return _pen(digit, rng, thick=style == "thick")
    if style == "typed":
        return _typed(label, rng)
    raise ValueError(f"unknown style {style!r}; choose from {UNUSUAL_STYLES}")


def _lowres(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    rows = np.flatnonzero(digit.max(axis=1) > 30)
    cols = np.flatnonzero(digit.max(axis=0) > 30)
    crop = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # (h, w) the ink
    height = int(rng.integers(8, 17))
    width = max(1, round(crop.shape[1] * height / crop.shape[0]))
    small = Image.fromarray(255 - crop).resize((width, height), Image.Resampling.BOX)
    canvas = Image.new("L", (width + 6, height + 6), 255)  # a few pixels of paper round it
    canvas.paste(small, (3, 3))
    scale = 280 / max(canvas.size)
    size = (round(canvas.width * scale), round(canvas.height * scale))
    method = Image.Resampling.NEAREST if rng.random() < 0.5 else Image.Resampling.BILINEAR
    return encode(canvas.resize(size, method), "PNG")


def _pen(digit: np.ndarray, rng: np.random.Generator, thick: bool) -> bytes:
    height = int(rng.integers(150, 221))
    scale = height / 20  # an MNIST digit is about 20 px tall in its 28 px frame
    width = round(height * rng.uniform(0.16, 0.22)) if thick else int(rng.integers(2, 6))
    canvas = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(canvas)
    offset = 140 - 14 * scale + rng.uniform(-20, 20, 2)  # (2,) x, y of the frame's corner
    for (y0, x0), (y1, x1) in centre_line(digit):
        start = (x0 * scale + offset[0], y0 * scale + offset[1])
        end = (x1 * scale + offset[0], y1 * scale + offset[1])
        draw.line([start, end], fill=int(rng.integers(0, 40)), width=width)
        if thick:  # round joints, as a marker leaves
            for x, y in (start, end):
                draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], 0)
    return encode(canvas, "PNG")


def _typed(label: int, rng: np.random.Generator) -> bytes:
    fonts = font_files()
    size = int(rng.integers(100, 200))
    font = ImageFont.load_default(size)
    if fonts:
        font = ImageFont.truetype(fonts[rng.integers(len(fonts))], size)
    canvas = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(canvas)
    left, top, right, bottom = draw.textbbox((0, 0), str(label), font=font)
    x = (280 - (right - left)) / 2 - left + rng.uniform(-20, 20)
    y = (280 - (bottom - top)) / 2 - top + rng.uniform(-20, 20)
    draw.text((x, y), str(label), fill=int(rng.integers(0, 60)), font=font)
    if rng.random() < 0.5:
        return encode(canvas, "PNG")
    return encode(canvas.convert("RGB"), "JPEG", quality=85)
