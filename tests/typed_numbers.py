"""Numbers typed in a font, with thousands separators: an amount or a count as a screenshot or
a printed page shows it ("12,480", "3.395.149"), black on white (PNG). The faces are the
system's DejaVu and Liberation ones where installed, and Pillow's own."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model_core.data.fonts import random_font
from tests.upload_styles import encode


def typed_number(rng: np.random.Generator) -> tuple[bytes, str]:
    """A number of 4 to 7 digits, grouped by threes with commas or full stops, typed 24 to
    100 px tall; and its digits."""
    digits = "".join(str(int(d)) for d in rng.integers(0, 10, int(rng.integers(4, 8))))
    separator = "," if rng.random() < 0.5 else "."
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    text = separator.join(groups)
    font = random_font(rng, (24, 101))
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font)
    margin = int(rng.integers(6, 40))
    image = Image.new("L", (right - left + 2 * margin, bottom - top + 2 * margin), 255)
    ImageDraw.Draw(image).text((margin - left, margin - top), text, fill=0, font=font)
    return encode(image, "PNG"), digits
