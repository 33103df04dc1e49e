"""Digits marked on the page, as upload bytes: circled by hand, or written in a form's box.

"circled": a loop drawn round the digit with a pen (wobbly, sometimes left open by a gap or
closed past its start), clear of the digit, on a canvas; "circled_photo": the same on paper
photographed under uneven light; "boxed": a printed box round the digit, as a form's field;
"comb": a form's printed comb under it (a base line, a tick at each side of the digit's cell
rising 0.25 to 0.5 of the cell, and at times the cells beside it), the digit low in its cell,
clear of the line.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model_core.number.synth import strokes
from tests.upload_styles import camera, encode, illumination

MARKED_STYLES: tuple[str, ...] = ("circled", "circled_photo", "boxed")
COMB_STYLES: tuple[str, ...] = ("comb",)  # apart: the styles before keep their samples
SIZE = 360  # px, the page's side


def render_marked(style: str, digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """(28, 28) uint8 MNIST digit (white on black) -> encoded upload bytes in `style`."""
    if style not in MARKED_STYLES + COMB_STYLES:
        raise ValueError(f"unknown style {style!r}; choose from {MARKED_STYLES + COMB_STYLES}")
    ink = strokes(digit, int(rng.integers(100, 151)))  # (h, w) coverage
    page = Image.new("L", (SIZE, SIZE), 0)  # ink coverage, 0 to 255
    height, width = ink.shape
    centre = SIZE / 2 + rng.uniform(-10, 10, 2)  # (2,) x, y
    corner = (round(centre[0] - width / 2), round(centre[1] - height / 2))
    page.paste(Image.fromarray(np.round(ink * 255).astype(np.uint8)), corner)
    draw = ImageDraw.Draw(page)
    pen = int(rng.integers(3, 9))
    if style == "comb":
        _comb(draw, corner, width, height, rng)
    elif style == "boxed":
        margin = rng.uniform(12, 30, 4)  # (4,) paper between the digit and each side
        draw.rectangle(
            (corner[0] - margin[0], corner[1] - margin[1],
             corner[0] + width + margin[2], corner[1] + height + margin[3]),
            outline=255, width=int(rng.integers(2, 5)),
        )  # fmt: skip
    else:
        draw.line(_loop(centre, width, height, pen, rng), fill=255, width=pen, joint="curve")
    coverage = np.asarray(page, dtype=np.float32) / 255  # (SIZE, SIZE)
    if style == "circled_photo":
        paper, ink_level = float(rng.uniform(150, 200)), float(rng.uniform(30, 70))
        gray = (paper - coverage * (paper - ink_level)) * illumination(SIZE, rng)
        return encode(camera(gray, float(rng.uniform(1.0, 1.6)), 5.0, rng), "JPEG", quality=75)
    gray = 255 - coverage * (255 - float(rng.integers(0, 40)))
    return encode(Image.fromarray(np.round(gray).astype(np.uint8)), "PNG")


def _comb(
    draw: ImageDraw.ImageDraw,
    corner: tuple[int, int],
    width: int,
    height: int,
    rng: np.random.Generator,
) -> None:
    """A printed comb under a (height, width) digit at `corner`: the base line 6 to 20 px
    under it, a tick at each side of its cell (12 to 30 px from the digit), and the line
    running on into the cells beside it, up to one cell each way, with their ticks."""
    left, right = corner[0] - rng.uniform(12, 30), corner[0] + width + rng.uniform(12, 30)
    cell = right - left
    base = corner[1] + height + rng.uniform(6, 20)
    tick = cell * rng.uniform(0.25, 0.5)
    line = int(rng.integers(1, 4))
    before, after = rng.integers(0, 2, 2)  # (2,) cells beside it, to the left and right
    draw.line([(left - before * cell, base), (right + after * cell, base)], fill=255, width=line)
    for x in np.arange(left - before * cell, right + after * cell + 1, cell):
        draw.line([(x, base), (x, base - tick)], fill=255, width=line)


def _loop(
    centre: np.ndarray, width: int, height: int, pen: int, rng: np.random.Generator
) -> list[tuple[float, float]]:
    """Points of a hand-drawn loop round a (height, width) box at `centre`: an ellipse through
    points outside the box's corners, its radius wavering, left open or closed past its start."""
    stretch = rng.uniform(1.2, 1.4) * np.sqrt(2)  # the box's corners lie well inside
    radii = (width / 2 * stretch + pen, height / 2 * stretch + pen)
    start = rng.uniform(0, 2 * np.pi)
    turn = 2 * np.pi * rng.uniform(0.88, 1.1)  # a gap of up to 12%, or an overlap
    angles = start + np.linspace(0, turn, 90)  # (90,)
    waver = 1 + 0.04 * np.sin(3 * angles + rng.uniform(0, 2 * np.pi))  # (90,)
    xs = centre[0] + radii[0] * waver * np.cos(angles)
    ys = centre[1] + radii[1] * waver * np.sin(angles)
    return [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
