"""Payloads for the bad-input catalogue (bad_inputs.py): odd, broken and hostile image files,
built from Pillow and raw bytes, deterministically."""

from __future__ import annotations

import functools
import struct
import zlib

import numpy as np
from PIL import Image, ImageDraw

from tests.upload_styles import encode

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def digit_image(mode: str = "L", side: int = 112) -> Image.Image:
    """A thick dark 7 on a light page (a mode-`mode` Pillow image)."""
    page = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(page)
    scale = side / 28
    draw.line(
        [(6 * scale, 6 * scale), (21 * scale, 6 * scale), (12 * scale, 23 * scale)],
        fill=0,
        width=max(2, round(3 * scale)),
    )
    return page.convert(mode)


def digit_png() -> bytes:
    return encode(digit_image(), "PNG")


def png_16bit() -> bytes:
    pixels = np.asarray(digit_image(), dtype=np.uint16) * 257  # (H, W) 0..65535
    return encode(Image.fromarray(pixels), "PNG")


def palette_png_with_transparency() -> bytes:
    """Palette image: index 0 transparent background, index 1 black ink."""
    ink = np.asarray(digit_image()) < 128  # (H, W)
    image = Image.fromarray(ink.astype(np.uint8), "P")
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    return encode(image, "PNG", transparency=0)


def animated_gif() -> bytes:
    """Frame 1 a digit, frame 2 blank: the first frame must be read."""
    frames = [digit_image("P"), Image.new("L", (112, 112), 255).convert("P")]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def fully_transparent_png() -> bytes:
    return encode(Image.new("RGBA", (64, 64), (0, 0, 0, 0)), "PNG")


def unit_range_png() -> bytes:
    """A digit as an array on [0, 1] saved as 8 bits: its pixels are 0 and 1 of 255."""
    ink = np.asarray(digit_image(), dtype=np.float32) < 128  # (H, W) the 7's strokes
    return encode(Image.fromarray(ink.astype(np.uint8)), "PNG")


def blank_white_png() -> bytes:
    return encode(Image.new("L", (64, 64), 255), "PNG")


def bad_crc_png() -> bytes:
    """A valid PNG whose IHDR checksum is wrong."""
    data = bytearray(digit_png())
    data[29] ^= 0xFF  # the 4 CRC bytes of IHDR are data[29:33]
    return bytes(data)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


@functools.cache
def decompression_bomb_png(side: int = 30_000) -> bytes:
    """A 1-bit side x side PNG of zeros: about 110 KB on the wire, 900 megapixels decoded."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grayscale
    row = bytes(1 + (side + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    rows_per_block = 1000
    parts = [compressor.compress(row * rows_per_block) for _ in range(side // rows_per_block)]
    data = b"".join(parts) + compressor.flush()
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def tiny_png(width: int, height: int) -> bytes:
    return encode(Image.new("L", (width, height), 0), "PNG")


def line_png(width: int, height: int) -> bytes:
    """A dark line across a light strip (10000x1 and the like)."""
    pixels = np.full((height, width), 255, dtype=np.uint8)
    pixels[:, width // 3 : width // 3 + max(1, width // 50)] = 0
    return encode(Image.fromarray(pixels), "PNG")


def dot_diagonal_png() -> bytes:
    """Dots down a diagonal, none beside another on a row or column: nothing to measure a
    dot-matrix font's pitch by (a crash once)."""
    page = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(page)
    for k in range(7):
        draw.ellipse([40 + 30 * k, 40 + 30 * k, 52 + 30 * k, 52 + 30 * k], fill=0)
    return encode(page, "PNG")


def cmyk_jpeg() -> bytes:
    return encode(digit_image("CMYK"), "JPEG", quality=95)


def pdf_bytes() -> bytes:
    return encode(digit_image("RGB"), "PDF")


def ico_bytes() -> bytes:
    return encode(digit_image("RGBA", 64), "ICO")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><path d="M6 6h15L12 23"/></svg>'
