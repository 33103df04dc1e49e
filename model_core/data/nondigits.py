"""Synthetic non-digits for outlier exposure (Hendrycks et al., 2019): pictures a digit reader
should call "not a digit", normalised by the same preprocessing as an upload.

Four kinds, each drawn dark on light paper at 160x160 and then preprocessed:
- "glyph": a letter or symbol that no digit resembles, typed in a font (the system's DejaVu
  and Liberation faces where installed, and Pillow's own), or its centre line redrawn with a
  pen as if handwritten;
- "shape": one to three discs, boxes, triangles or stars, the last three outlined or filled;
- "scribble": a random pen path of many strokes;
- "texture": smoothed noise cut at a level, as a photo or a pattern leaves it.
Letters and symbols that digits resemble (O, I, l, S, Z, B, b, g, q, r, ?, ~, ...) and rings are
left out: they are not what a reader can refuse.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from model_core.data.fonts import centred_text, random_font
from model_core.data.skeleton import redraw
from model_core.preprocessing import PreprocessingError, preprocess_array

GLYPHS = "ACEFHKMNPRUVWXYacefhkmnptuvwxy+#%&*=@{}\u00d7\u00f7±§¶©→←↑↓✓✗♥♦♣♠★☺☼♪"
KINDS = ("glyph", "shape", "scribble", "texture")
SIZE = 160


def nondigits(count: int, rng: np.random.Generator) -> np.ndarray:
    """(count, 28, 28) uint8 non-digits, white on black as MNIST, the kinds in turn."""
    images: list[np.ndarray] = []
    while len(images) < count:
        ink = picture(KINDS[len(images) % len(KINDS)], rng)  # (SIZE, SIZE) in [0, 1]
        paper = np.round(255 - 230 * np.clip(ink, 0, 1)).astype(np.uint8)  # (SIZE, SIZE)
        try:
            normalised = preprocess_array(paper).image  # (28, 28) in [0, 1]
        except PreprocessingError:
            continue  # nothing left to read: blank pictures are refused already
        images.append(np.round(normalised * 255).astype(np.uint8))
    return np.stack(images) if images else np.zeros((0, 28, 28), np.uint8)  # (count, 28, 28)


def picture(kind: str, rng: np.random.Generator) -> np.ndarray:
    """One non-digit of `kind` (one of KINDS): (SIZE, SIZE) ink coverage in [0, 1], light
    on dark, before any preprocessing."""
    draw = {"glyph": _glyph, "shape": _shapes, "scribble": _scribble, "texture": _texture}
    if kind not in draw:
        raise ValueError(f"unknown kind {kind!r}; choose from {KINDS}")
    return draw[kind](rng)


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("L", (SIZE, SIZE), 0)
    return image, ImageDraw.Draw(image)


def _coverage(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32) / 255.0  # (SIZE, SIZE)


def _glyph(rng: np.random.Generator) -> np.ndarray:
    char = GLYPHS[rng.integers(len(GLYPHS))]
    image = centred_text(char, random_font(rng, (60, 120)), SIZE)
    image = image.rotate(float(rng.uniform(-15, 15)), resample=Image.Resampling.BILINEAR)
    if rng.random() < 0.5:
        return _coverage(image)
    small = np.asarray(image.resize((28, 28), Image.Resampling.BOX))  # (28, 28) MNIST scale
    return _coverage(redraw(small, int(rng.integers(2, 16)), SIZE))


def _shapes(rng: np.random.Generator) -> np.ndarray:
    image, draw = _canvas()
    for _ in range(int(rng.integers(1, 4))):
        x0, y0 = rng.uniform(10, 90, 2)
        side = rng.uniform(30, 70)  # no bar thin enough to pass for a one
        x1, y1 = x0 + side, y0 + side * rng.uniform(0.6, 1.6)
        filled = rng.random() < 0.5
        fill, width = (255 if filled else None), int(rng.integers(3, 14))
        kind = int(rng.integers(4))
        if kind == 0:  # filled only: a ring is a zero
            draw.ellipse([x0, y0, x1, y1], fill=255)
        elif kind == 1:
            draw.rectangle([x0, y0, x1, y1], fill=fill, outline=255, width=width)
        else:
            corners = 3 if kind == 2 else 10  # a triangle, or a five-pointed star
            angles = rng.uniform(0, 2 * np.pi) + np.arange(corners) * 2 * np.pi / corners
            radii = np.where(np.arange(corners) % 2, 0.45, 1.0) if kind == 3 else np.ones(3)
            r = (x1 - x0) / 2
            points = [
                ((x0 + x1) / 2 + r * k * np.cos(a), (y0 + y1) / 2 + r * k * np.sin(a))
                for a, k in zip(angles, radii, strict=True)
            ]
            draw.polygon(points, fill=fill, outline=255, width=width)
    return _coverage(image)


def _scribble(rng: np.random.Generator) -> np.ndarray:
    image, draw = _canvas()
    points = rng.uniform(20, SIZE - 20, (int(rng.integers(8, 20)), 2))  # (P, 2) x, y
    draw.line([tuple(p) for p in points], fill=255, width=int(rng.integers(2, 14)), joint="curve")
    return _coverage(image)


def _texture(rng: np.random.Generator) -> np.ndarray:
    cells = int(rng.integers(3, 12))
    noise = rng.random((cells, cells)).astype(np.float32)  # (c, c) a coarse random field
    field = Image.fromarray(np.round(noise * 255).astype(np.uint8)).resize(
        (SIZE, SIZE), Image.Resampling.BICUBIC
    )
    field = field.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 4))))
    values = _coverage(field)  # (SIZE, SIZE)
    level = float(np.quantile(values, rng.uniform(0.4, 0.85)))
    return (values > level).astype(np.float32)
