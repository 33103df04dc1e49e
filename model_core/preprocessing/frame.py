"""Place a cropped digit in the MNIST frame: fit a 20x20 box, centre its mass in 28x28.

An input already normalised (28x28, its digit spanning about 20 px) keeps its pixels instead,
and its position unless it is clearly off-centre. Either way, a digit with hard edges, which
MNIST's never have, is softened last (soften.py).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from .box import Box, ink_box
from .dots import digit_window, join_dots
from .resample import lanczos_resize
from .soften import soften
from .stroke import WORK_SCALE, dilate, dilation_steps, stroke_width

MNIST_SIZE = 28  # side of the network's input
MNIST_BOX = 20  # MNIST digits were scaled to fit a 20x20 box, keeping their aspect ratio
MNIST_CENTRE = 14.0  # MNIST centres of mass lie in [13.5, 14.5] (row and column index)
REDUCING_GAP = 3.0  # Pillow's resize first reduces by whole factors of this many times the size


def fit_and_centre(crop: np.ndarray, dots: bool = False) -> np.ndarray:
    """(h, w) digit crop with values in [0, 1] -> (28, 28) float32, brightest pixel 1.

    With `dots`, a digit made of separate dots (a dot-matrix font) has them joined (dots.py).
    Strokes much thinner than MNIST's (a thin pen on a big canvas) are thickened first, and
    hard edges softened last.
    """
    small = fit_box(crop, MNIST_BOX)  # (h', w'), max(h', w') == 20
    peak = float(small.max())
    width = stroke_width(small / max(peak, 1e-6))
    if dots and (window := digit_window(crop, small, width)):
        crop = join_dots(crop, window)  # (h, w)
        small = fit_box(crop, MNIST_BOX)
        peak = float(small.max())
        width = stroke_width(small / max(peak, 1e-6))
    steps = dilation_steps(width)
    if steps:
        large = dilate(fit_box(crop, MNIST_BOX * WORK_SCALE), steps)  # (4h' + 2s, 4w' + 2s)
        small = fit_box(large, MNIST_BOX)
        peak = float(small.max())
    if peak > 0:
        small = small * np.float32(1 / peak)
    return soften(place_by_mass(small))


def is_normalised(shape: tuple[int, int], mask: np.ndarray) -> bool:
    """The input is 28x28 (`shape`) and all ink of its `mask` (specks included, as in MNIST)
    spans about MNIST's 20 px box."""
    if shape != (MNIST_SIZE, MNIST_SIZE):
        return False
    box = ink_box(mask)
    return MNIST_BOX - 2 <= max(box.height, box.width) <= MNIST_BOX + 1


def keep_normalised(ink: np.ndarray, floor: float) -> tuple[np.ndarray, Box]:
    """(28, 28) light-on-dark `ink` already normalised -> its pixels above `floor`, stretched
    to a brightest pixel of 1, moved only if clearly off-centre and softened if hard-edged
    (a digit drawn without anti-aliasing); and the digit's box."""
    scale = np.float32(1 / (float(ink.max()) - floor))
    image = np.clip((ink - np.float32(floor)) * scale, 0.0, 1.0)  # (28, 28)
    box = ink_box(image > 0)
    placed = place_by_mass(box.crop(image), origin=(box.top, box.left), tolerance=1.0)
    return soften(placed), box


def fit_box(crop: np.ndarray, box: int) -> np.ndarray:
    """Resize (h, w) with anti-aliasing so that its longer side is `box`, keeping aspect:
    Pillow's Lanczos with a reducing gap of REDUCING_GAP. A fit into MNIST's box that Pillow
    would not reduce first (under 2 * REDUCING_GAP times the size on each side) goes to
    resample.py instead, which gives Pillow's result at a fraction of the cost."""
    height, width = crop.shape
    scale = box / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    pixels = np.ascontiguousarray(crop, dtype=np.float32)  # (h, w)
    reduced = width >= 2 * REDUCING_GAP * size[0] or height >= 2 * REDUCING_GAP * size[1]
    if box <= MNIST_BOX and not reduced:  # its weights are small enough to keep
        values = lanczos_resize(pixels, (size[1], size[0]))
    else:
        source = Image.frombuffer("F", (width, height), pixels, "raw", "F", 0, 1)
        resized = source.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
        values = np.frombuffer(resized.tobytes(), dtype=np.float32).reshape(size[1], size[0])
    return np.minimum(np.maximum(values, np.float32(0.0)), np.float32(1.0))  # (h', w')


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) intensity-weighted centre of a non-blank (h, w) image."""
    mass = float(image.sum())
    rows = float(image.sum(axis=1) @ np.arange(image.shape[0])) / mass
    columns = float(image.sum(axis=0) @ np.arange(image.shape[1])) / mass
    return rows, columns


def place_by_mass(
    small: np.ndarray, origin: tuple[int, int] = (0, 0), tolerance: float = 0.0
) -> np.ndarray:
    """Paste (h, w) into 28x28 so its centre of mass lands on MNIST_CENTRE (whole pixels).

    A crop already at `origin` (top, left) whose centre is within `tolerance` pixels of
    MNIST_CENTRE on an axis keeps that coordinate. The digit is never pushed out of the frame.
    """
    height, width = small.shape
    row, column = centre_of_mass(small)
    top = _offset(row, height, origin[0], tolerance)
    left = _offset(column, width, origin[1], tolerance)
    framed = np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float32)  # (28, 28)
    framed[top : top + height, left : left + width] = small
    return framed


def _offset(centre: float, length: int, current: int, tolerance: float) -> int:
    """Top (or left) index putting `centre` on MNIST_CENTRE, clamped inside the frame."""
    centred = abs(current + centre - MNIST_CENTRE) <= tolerance
    wanted = current if centred else MNIST_CENTRE - centre
    return min(max(math.floor(wanted + 0.5), 0), MNIST_SIZE - length)
