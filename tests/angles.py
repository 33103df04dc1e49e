"""Uploads of a sheet photographed at an angle, filling the frame but for the desk seen past
one of its edges (model_core/preprocessing/wedges.py).

Light paper with a dark pen, warped so that one side of the sheet (any of the four) lies
further off and looks 10 to 30% shorter, the desk showing in two wedges along the sides next
to it; or turned 3 to 12 degrees, the desk showing in its four corners. The desk is a darker
grey with its own grain, under a little blur and sensor noise (JPEG). A digit is 100 to 200 px
tall with a margin of 0.5 to 1 of its height, a number's digits 50 to 110 px tall.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.numbers import digit_coverage, number_coverage
from tests.upload_styles import camera, encode


def angled_digit(digit: np.ndarray, rng: np.random.Generator) -> bytes:
    """(28, 28) uint8 MNIST digit (white on black) -> a photo of its sheet at an angle."""
    return angled(digit_coverage(digit, rng, (0.5, 1.0)), rng)


def angled_number(
    images: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> tuple[bytes, str]:
    """A spaced or tight number of 2 to 6 of `images` (N, 28, 28) on a sheet photographed at
    an angle, and its digits."""
    coverage, label = number_coverage(images, labels, rng)
    return angled(coverage, rng), label


def angled(coverage: np.ndarray, rng: np.random.Generator) -> bytes:
    """(H, W) ink coverage in [0, 1] -> JPEG bytes of a photo of its sheet at an angle."""
    paper = rng.uniform(0.75, 0.92) * (1 - rng.uniform(0.7, 0.9) * coverage)  # (H, W)
    sheet = Image.fromarray(np.uint8(255 * paper))
    warped, seen = _far_side(sheet, rng) if rng.random() < 0.5 else _turned(sheet, rng)
    desk = rng.uniform(40, 110) + 6 * rng.standard_normal(seen.shape)  # (H, W) its grain
    photo = np.clip(warped * seen + desk * (1 - seen), 0, 255)  # (H, W)
    return encode(camera(photo, 1.0, 3.0, rng), "JPEG", quality=85)


def _far_side(sheet: Image.Image, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`sheet` with one side (any of the four) further off, 10 to 30% shorter: (H, W) levels
    and (H, W) weights, 1 on the sheet."""
    far = int(rng.integers(4))  # top, right, bottom, left
    turned = sheet.rotate(90 * far, expand=True)  # the far side on top
    size = turned.size
    pull = rng.uniform(0.05, 0.15) * size[0]  # each of its corners seen this far in
    quad = (-pull, 0, 0, size[1], size[0], size[1], size[0] + pull, 0)  # top left, clockwise
    outline = Image.new("L", size, 255).transform(size, Image.Transform.QUAD, quad)
    warped = turned.transform(size, Image.Transform.QUAD, quad)
    levels, weights = (
        np.asarray(image.rotate(-90 * far, expand=True), np.float32) for image in (warped, outline)
    )  # as the sheet was
    return levels, weights / 255


def _turned(sheet: Image.Image, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`sheet` turned 3 to 12 degrees either way, the frame cutting its corners: (H, W)
    levels and (H, W) weights, 1 on the sheet."""
    angle = float(rng.uniform(3, 12) * rng.choice([-1, 1]))
    outline = Image.new("L", sheet.size, 255).rotate(angle, Image.Resampling.BICUBIC)
    warped = sheet.rotate(angle, Image.Resampling.BICUBIC)
    return np.asarray(warped, np.float32), np.asarray(outline, np.float32) / 255
