"""Digits unlike MNIST's, made from the training digits and fonts, for training: a pen of
another width (a fine liner to a marker), a low-resolution copy enlarged again, digits typed
in a font, and ones drawn straight as with a ruler (MNIST's ones lean and taper). Each is
normalised by the same preprocessing as an upload."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model_core.data.fonts import centred_text, random_font
from model_core.data.nondigits import SIZE
from model_core.data.skeleton import redraw, round_line
from model_core.preprocessing import PreprocessingError, preprocess_array

STYLES = ("pen", "lowres", "typed", "pen", "lowres", "typed", "one")  # a one in seven is ruled


def styled_digits(
    images: np.ndarray, labels: np.ndarray, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """`count` digits (uint8 (count, 28, 28), white on black) and their labels, the styles in
    turn; "pen" and "lowres" redraw random digits of `images` (N, 28, 28)."""
    made: list[np.ndarray] = []
    made_labels: list[int] = []
    while len(made) < count:
        style = STYLES[len(made) % len(STYLES)]
        pick = int(rng.integers(len(images)))
        label = int(rng.integers(10)) if style == "typed" else int(labels[pick])
        if style == "one":
            label, ink = 1, _ruled_one(rng)
        elif style == "pen":
            ink = _pen(images[pick], rng)
        elif style == "lowres":
            ink = _lowres(images[pick], rng)
        else:
            ink = _typed(label, rng)
        try:
            normalised = preprocess_array(ink).image  # (28, 28) in [0, 1]
        except PreprocessingError:
            continue
        made.append(np.round(normalised * 255).astype(np.uint8))
        made_labels.append(label)
    if not made:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, labels.dtype)
    return np.stack(made), np.array(made_labels, dtype=labels.dtype)  # (count, 28, 28), (count,)


def _pen(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit's centre line redrawn, white on black, with a pen 2% to 25% of its height."""
    width = max(1, round(SIZE * 0.7 * rng.uniform(0.02, 0.25)))
    return np.asarray(redraw(digit, width, SIZE))  # (SIZE, SIZE)


def _ruled_one(rng: np.random.Generator) -> np.ndarray:
    """A one as a ruler draws it: a straight stem within 12 degrees of upright, a pen 2% to 30%
    of its height, sometimes a flag at the top and a base, as canvases and fonts give them."""
    height = float(rng.uniform(90, 140))
    lean = np.deg2rad(rng.uniform(-12, 12))
    top = np.array([SIZE / 2 + np.sin(lean) * height / 2, (SIZE - height) / 2])  # (2,) x, y
    foot = np.array([SIZE / 2 - np.sin(lean) * height / 2, (SIZE + height) / 2])  # (2,)
    width = max(1, round(height * rng.uniform(0.02, 0.3)))
    strokes = [[top, foot]]
    if rng.random() < 0.5:  # the flag
        strokes.append(
            [top + height * np.array([-rng.uniform(0.15, 0.35), rng.uniform(0.1, 0.3)]), top]
        )
    if rng.random() < 0.25:  # the base
        half = height * rng.uniform(0.15, 0.3)
        across = np.array([half, 0.0])  # (2,)
        strokes.append([foot - across, foot + across])
    image = Image.new("L", (SIZE, SIZE), 0)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        round_line(draw, [(float(x), float(y)) for x, y in stroke], width, 255)
    return np.asarray(image)  # (SIZE, SIZE)


def _lowres(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The digit shrunk to 8 to 16 px tall, then enlarged with nearest or bilinear pixels."""
    side = int(rng.integers(11, 23))  # the 28 px frame, so the 20 px digit is 8 to 16 px
    small = Image.fromarray(digit).resize((side, side), Image.Resampling.BOX)
    method = Image.Resampling.NEAREST if rng.random() < 0.5 else Image.Resampling.BILINEAR
    return np.asarray(small.resize((SIZE, SIZE), method))  # (SIZE, SIZE)


def _typed(label: int, rng: np.random.Generator) -> np.ndarray:
    image = centred_text(str(label), random_font(rng, (60, 120)), SIZE)
    return np.asarray(image.rotate(float(rng.uniform(-8, 8)), Image.Resampling.BILINEAR))
