"""Uploads of a sheet photographed at an angle, filling the frame but for the desk seen past
one of its edges (model_core/preprocessing/wedges.py).

Light paper with a dark pen, warped so that one side of the sheet (any of the four) lies
further off and looks 10 to 30% shorter: the desk shows in two wedges along the sides next to
it, from nothing at the near corners to the full pull at the far ones, a darker grey with its
own grain, under a little blur and sensor noise (JPEG). A digit is 100 to 200 px tall with a
margin of 0.5 to 1 of its height, a number's digits 50 to 110 px tall.
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
    far = int(rng.integers(4))  # top, right, bottom, left
    turned = sheet.rotate(90 * far, expand=True)  # the far side on top
    size = turned.size
    pull = rng.uniform(0.05, 0.15) * size[0]  # each of its corners seen this far in
    quad = (-pull, 0, 0, size[1], size[0], size[1], size[0] + pull, 0)  # top left, clockwise
    warped = np.asarray(turned.transform(size, Image.Transform.QUAD, quad), np.float32)
    outline = Image.new("L", size, 255).transform(size, Image.Transform.QUAD, quad)
    seen = np.asarray(outline, np.float32) / 255  # (h, w) 1 on the sheet
    desk = rng.uniform(40, 110) + 6 * rng.standard_normal(seen.shape)  # (h, w) its grain
    photo = Image.fromarray(np.uint8(np.clip(warped * seen + desk * (1 - seen), 0, 255)))
    photo = photo.rotate(-90 * far, expand=True)  # (H, W) as the sheet was
    return encode(camera(np.asarray(photo, np.float32), 1.0, 3.0, rng), "JPEG", quality=85)
