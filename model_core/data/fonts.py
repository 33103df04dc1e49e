"""Fonts for synthetic pictures: the system's DejaVu and Liberation faces where installed, and
Pillow's own, which is always there."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_FAMILIES = ("DejaVu", "Liberation")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.cache
def font_files() -> tuple[str, ...]:
    """The DejaVu and Liberation faces installed (sorted), else ()."""
    found = {
        str(path)
        for folder in FONT_DIRS
        if folder.is_dir()
        for path in folder.rglob("*.ttf")
        if path.name.startswith(FONT_FAMILIES) and "ExtraLight" not in path.name
    }
    return tuple(sorted(found))


def random_font(rng: np.random.Generator, sizes: tuple[int, int]) -> Font:
    """A face drawn from the installed ones and Pillow's, at a size in [low, high)."""
    fonts = font_files()
    size = int(rng.integers(*sizes))
    pick = int(rng.integers(len(fonts) + 1))
    if pick < len(fonts):
        return ImageFont.truetype(fonts[pick], size)
    return ImageFont.load_default(size)


def centred_text(text: str, font: Font, side: int) -> Image.Image:
    """`text` in white on a black side x side canvas, its ink box centred."""
    image = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((side - right - left) / 2, (side - bottom - top) / 2), text, fill=255, font=font)
    return image
