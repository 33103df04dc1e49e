"""Held-out non-digits as upload bytes: what /predict should call "not a digit" (issue 28).

Made differently from the training non-digits (model_core/data/nondigits.py, font glyphs,
random shapes, scribbles and noise): here letters and symbols are drawn from hand-made stroke
templates with a jittered pen, and photos, doodles and scribbles come from their own
generators. render_nondigit(kind, rng) supports KINDS:
- "letters": A E F H K M N W X Y k x, handwritten;
- "symbols": + x # = * % check mark, arrow, heart;
- "photos": a sun on a sky, hills under a sky, coloured blocks (colour JPEG);
- "doodles": a spiral, a house, a smiley, a flower, a five-pointed outline star;
- "scribbles": back-and-forth hatching, or a tangle of loops.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.upload_styles import encode

KINDS = ("letters", "symbols", "photos", "doodles", "scribbles")
Stroke = list[tuple[float, float]]  # (x, y) in a unit box, y down


def _ring(cx: float, cy: float, r: float, turns: float = 1.0, grow: float = 0.0) -> Stroke:
    angles = np.linspace(0, 2 * np.pi * turns, max(12, int(40 * turns)))
    radii = r + grow * angles / (2 * np.pi)
    return [(cx + k * np.cos(a), cy + k * np.sin(a)) for a, k in zip(angles, radii, strict=True)]


def _heart() -> Stroke:
    """The classic heart curve, x = 16 sin^3 t, y = 13 cos t - 5 cos 2t - 2 cos 3t - cos 4t."""
    t = np.linspace(0, 2 * np.pi, 40)
    x = 16 * np.sin(t) ** 3
    y = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    return [(0.5 + a / 34, 0.45 - b / 34) for a, b in zip(x, y, strict=True)]


LETTERS: dict[str, list[Stroke]] = {
    "A": [[(0.1, 1), (0.5, 0), (0.9, 1)], [(0.28, 0.6), (0.72, 0.6)]],
    "E": [[(0.85, 0), (0.15, 0), (0.15, 1), (0.85, 1)], [(0.15, 0.5), (0.7, 0.5)]],
    "F": [[(0.85, 0), (0.15, 0), (0.15, 1)], [(0.15, 0.5), (0.7, 0.5)]],
    "H": [[(0.15, 0), (0.15, 1)], [(0.85, 0), (0.85, 1)], [(0.15, 0.5), (0.85, 0.5)]],
    "K": [[(0.2, 0), (0.2, 1)], [(0.85, 0), (0.2, 0.6)], [(0.4, 0.45), (0.85, 1)]],
    "M": [[(0.1, 1), (0.15, 0), (0.5, 0.7), (0.85, 0), (0.9, 1)]],
    "N": [[(0.15, 1), (0.15, 0), (0.85, 1), (0.85, 0)]],
    "W": [[(0, 0), (0.25, 1), (0.5, 0.35), (0.75, 1), (1, 0)]],
    "X": [[(0.1, 0), (0.9, 1)], [(0.9, 0), (0.1, 1)]],
    "Y": [[(0.1, 0), (0.5, 0.5), (0.9, 0)], [(0.5, 0.5), (0.5, 1)]],
    "k": [[(0.25, 0), (0.25, 1)], [(0.8, 0.4), (0.25, 0.75)], [(0.45, 0.62), (0.85, 1)]],
    "x": [[(0.15, 0.35), (0.85, 1)], [(0.85, 0.35), (0.15, 1)]],
}
SYMBOLS: dict[str, list[Stroke]] = {
    "+": [[(0.5, 0.1), (0.5, 0.9)], [(0.1, 0.5), (0.9, 0.5)]],
    "x": [[(0.15, 0.15), (0.85, 0.85)], [(0.85, 0.15), (0.15, 0.85)]],
    "#": [
        [(0.35, 0), (0.3, 1)],
        [(0.7, 0), (0.65, 1)],
        [(0, 0.33), (1, 0.33)],
        [(0, 0.67), (1, 0.67)],
    ],
    "=": [[(0.05, 0.35), (0.95, 0.35)], [(0.05, 0.65), (0.95, 0.65)]],
    "*": [[(0.5, 0), (0.5, 1)], [(0.07, 0.25), (0.93, 0.75)], [(0.93, 0.25), (0.07, 0.75)]],
    "%": [[(0.85, 0), (0.15, 1)], _ring(0.22, 0.2, 0.16), _ring(0.78, 0.8, 0.16)],
    "check": [[(0, 0.55), (0.35, 0.95), (1, 0.05)]],
    "arrow": [[(0, 0.5), (1, 0.5)], [(0.65, 0.15), (1, 0.5), (0.65, 0.85)]],
    "heart": [_heart()],
}


def render_nondigit(kind: str, rng: np.random.Generator) -> bytes:
    """One held-out non-digit of `kind` as encoded upload bytes."""
    if kind == "photos":
        return _photo(rng)
    makers = {"letters": _letter, "symbols": _symbol, "doodles": _doodle, "scribbles": _scribble}
    if kind not in makers:
        raise ValueError(f"unknown kind {kind!r}; choose from {KINDS}")
    strokes = makers[kind](rng)
    return _on_paper(strokes, rng)


def _letter(rng: np.random.Generator) -> list[Stroke]:
    return LETTERS[list(LETTERS)[rng.integers(len(LETTERS))]]


def _symbol(rng: np.random.Generator) -> list[Stroke]:
    return SYMBOLS[list(SYMBOLS)[rng.integers(len(SYMBOLS))]]


def _doodle(rng: np.random.Generator) -> list[Stroke]:
    choice = int(rng.integers(5))
    if choice == 0:
        return [_ring(0.5, 0.5, 0.02, turns=3.5, grow=0.14)]  # a spiral
    if choice == 1:  # a house
        return [[(0.1, 0.45), (0.1, 1), (0.9, 1), (0.9, 0.45), (0.1, 0.45), (0.5, 0), (0.9, 0.45)],
                [(0.4, 1), (0.4, 0.7), (0.6, 0.7), (0.6, 1)]]  # fmt: skip
    if choice == 2:  # a smiley
        smile = [
            (0.5 + 0.25 * np.cos(a), 0.55 + 0.2 * np.sin(a)) for a in np.linspace(0.3, 2.8, 12)
        ]
        return [_ring(0.5, 0.5, 0.48), _ring(0.33, 0.35, 0.05), _ring(0.67, 0.35, 0.05), smile]
    if choice == 3:  # a flower: petals round a centre, and a stem
        petals = [_ring(0.5 + 0.2 * np.cos(a), 0.35 + 0.2 * np.sin(a), 0.12)
                  for a in np.linspace(0, 2 * np.pi, 6, endpoint=False)]  # fmt: skip
        return [*petals, [(0.5, 0.55), (0.5, 1)]]
    angles = -np.pi / 2 + np.arange(11) * 4 * np.pi / 5  # a star drawn in one line
    return [[(0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a)) for a in angles]]


def _scribble(rng: np.random.Generator) -> list[Stroke]:
    if rng.random() < 0.5:  # hatching
        rows = int(rng.integers(5, 12))
        sides = [
            rng.uniform(0, 0.15) if i % 2 == 0 else rng.uniform(0.85, 1) for i in range(rows + 1)
        ]
        return [[(float(x), i / rows) for i, x in enumerate(sides)]]
    centres = rng.uniform(0.25, 0.75, (int(rng.integers(4, 9)), 2))  # a tangle of loops
    return [[point for x, y in centres for point in _ring(x, y, float(rng.uniform(0.1, 0.25)))]]


def _on_paper(strokes: list[Stroke], rng: np.random.Generator) -> bytes:
    """Strokes drawn by hand: each point jittered, the box slanted, a pen 3-18 px, on a white
    280x280 canvas (PNG) or photographed grey paper (JPEG)."""
    size = float(rng.uniform(120, 220))
    slant = float(rng.uniform(-0.25, 0.25))
    origin = rng.uniform(20, 260 - size, 2)  # (2,)
    canvas = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(canvas)
    width = int(rng.integers(3, 19))
    for stroke in strokes:
        points = np.array(stroke) + rng.normal(0, 0.025, (len(stroke), 2))  # (P, 2)
        xs = origin[0] + size * (points[:, 0] + slant * (1 - points[:, 1]))
        ys = origin[1] + size * points[:, 1]
        draw.line(
            list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=20, width=width, joint="curve"
        )
    if rng.random() < 0.5:
        return encode(canvas, "PNG")
    gray = np.asarray(canvas.filter(ImageFilter.GaussianBlur(1.2)), np.float32)  # (280, 280)
    photo = gray * rng.uniform(0.6, 0.8) + rng.normal(0, 4, gray.shape)
    return encode(Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)), "JPEG", quality=75)


def _photo(rng: np.random.Generator) -> bytes:
    height, width = 240, 320
    ys = np.linspace(0, 1, height)[:, None, None]  # (H, 1, 1)
    top, bottom = (
        rng.uniform([20, 60, 150], [90, 140, 255]),
        rng.uniform([120, 170, 200], [200, 220, 255]),
    )
    sky = top + (bottom - top) * ys + np.zeros((1, width, 3))  # (H, W, 3)
    image = Image.fromarray(sky.astype(np.uint8))
    draw = ImageDraw.Draw(image)
    choice = int(rng.integers(3))
    if choice == 0:  # a sun
        r, (x, y) = float(rng.uniform(25, 70)), rng.uniform(80, [240, 160])
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(255, int(rng.integers(180, 240)), 40))
    elif choice == 1:  # hills under the sky
        xs = np.linspace(0, width, 12)
        hills = height * (0.55 + 0.12 * np.sin(xs / rng.uniform(30, 80) + rng.uniform(0, 6)))
        draw.polygon([(0, height), *zip(xs.tolist(), hills.tolist(), strict=True), (width, height)],
                     fill=(40, int(rng.integers(90, 160)), 50))  # fmt: skip
    else:  # coloured blocks, a street of houses
        for _ in range(int(rng.integers(3, 7))):
            x0, y0 = rng.uniform(0, width - 40), rng.uniform(60, height - 40)
            colour = tuple(int(c) for c in rng.integers(30, 230, 3))
            draw.rectangle([x0, y0, x0 + rng.uniform(30, 90), height], fill=colour)
    noisy = np.asarray(image.filter(ImageFilter.GaussianBlur(1.0)), np.float32)
    noisy = noisy + rng.normal(0, 3, noisy.shape)
    return encode(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)), "JPEG", quality=80)


def render_barcode(rng: np.random.Generator) -> bytes:
    """A barcode: 60 black bars and gaps of 1 to 4 modules (2 to 4 px each), 80 to 200 px
    tall, on white (PNG). Bars a few pixels apart merge on a reduced copy."""
    module = int(rng.integers(2, 5))
    widths = rng.integers(1, 5, 60) * module  # (60,) bar, gap, bar, ...
    height = int(rng.integers(80, 200))
    page = np.full((height + 40, int(widths.sum()) + 60), 255, np.uint8)
    edges = 30 + np.concatenate([[0], np.cumsum(widths)])  # (61,)
    for left, right in zip(edges[:-1:2], edges[1::2], strict=True):
        page[20 : 20 + height, left:right] = 0
    return encode(Image.fromarray(page), "PNG")


def render_trousers(rng: np.random.Generator) -> bytes:
    """Trousers as Fashion-MNIST frames its garments (PNG, 28x28): light cloth on black, top
    to bottom, 11 to 16 px wide, the dark gap between the legs rising from the bottom."""
    width = int(rng.integers(11, 17))
    left = (28 - width) // 2
    cloth = rng.uniform(0.5, 0.95) + 0.02 * rng.standard_normal((28, width))  # (28, w)
    image = np.zeros((28, 28), np.float32)
    image[:, left : left + width] = cloth
    gap = int(rng.integers(1, 3))
    middle = left + (width - gap) // 2
    image[int(rng.integers(8, 14)) :, middle : middle + gap] = 0.0  # the legs apart
    return encode(Image.fromarray(np.uint8(np.clip(image, 0, 1) * 255)), "PNG")
