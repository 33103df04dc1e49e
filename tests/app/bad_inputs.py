"""A catalogue of bad (and odd but valid) requests, each with the answer the service must give.

Each `BadInput` is a request in httpx keyword form (so the same catalogue runs through the
TestClient and over real HTTP) plus the expected status and error code, and a fragment of the
error message. Payloads are built from Pillow and raw bytes here, deterministically.
"""

from __future__ import annotations

import base64
import functools
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from app.config import Settings
from tests.samples import bars_array, png_bytes
from tests.upload_styles import encode

BATCH_LIMIT = Settings.model_fields["max_batch_size"].default
UPLOAD_LIMIT = Settings.model_fields["max_upload_bytes"].default
DIGITS_LIMIT = Settings.model_fields["max_number_digits"].default
NUMBER, NUMBER_B64 = "/predict/number", "/predict/number/base64"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class BadInput:
    name: str
    method: str
    path: str
    request: Callable[[], dict[str, Any]]  # httpx keyword arguments, built when sent
    status: int
    code: str | None  # the error code; None when the answer is a 200 prediction
    fragment: str = ""  # part of the error detail (case-insensitive)
    checks: dict[str, Any] = field(default_factory=dict)  # 200: expected preprocessing fields


# --- images -------------------------------------------------------------------------------------


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


def cmyk_jpeg() -> bytes:
    return encode(digit_image("CMYK"), "JPEG", quality=95)


def pdf_bytes() -> bytes:
    return encode(digit_image("RGB"), "PDF")


def ico_bytes() -> bytes:
    return encode(digit_image("RGBA", 64), "ICO")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><path d="M6 6h15L12 23"/></svg>'


# --- requests -----------------------------------------------------------------------------------


def upload(data: bytes, name: str = "digit.png", field_name: str = "file") -> dict[str, Any]:
    return {"files": {field_name: (name, data, "application/octet-stream")}}


def as_json(body: object) -> dict[str, Any]:
    return {"json": body}


def raw(content: bytes, content_type: str) -> dict[str, Any]:
    return {"content": content, "headers": {"content-type": content_type}}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def two_files() -> dict[str, Any]:
    png = digit_png()
    return {"files": [("file", ("a.png", png, "image/png")), ("file", ("b.png", b"", "image/png"))]}


def batch(count: int, empty_at: int | None = None) -> dict[str, Any]:
    png = digit_png()
    files = [
        ("files", (f"{i}.png", b"" if i == empty_at else png, "image/png")) for i in range(count)
    ]
    return {"files": files}


def predict(
    name: str,
    build: Callable[[], bytes],
    status: int,
    code: str | None,
    fragment: str = "",
    filename: str = "upload.png",
    path: str = "/predict",
    **checks: Any,
) -> BadInput:
    """A /predict (or `path`) upload of the bytes `build()` makes."""
    request = lambda: upload(build(), filename)  # noqa: E731
    return BadInput(name, "POST", path, request, status, code, fragment, checks)


# fmt: off
CATALOGUE: list[BadInput] = [
    # --- bodies that are not an upload at all
    BadInput("empty body", "POST", "/predict", lambda: raw(b"", "multipart/form-data; boundary=x"),
             422, "validation_error", "missing field 'file'"),
    BadInput("no content type", "POST", "/predict", lambda: {"content": b"\x89PNG"},
             422, "validation_error", "multipart/form-data"),
    BadInput("text/plain body", "POST", "/predict", lambda: raw(digit_png(), "text/plain"),
             422, "validation_error", "multipart/form-data"),
    BadInput("form-urlencoded", "POST", "/predict", lambda: {"data": {"file": "iVBORw0KGgo"}},
             422, "validation_error", "field 'file'"),
    BadInput("wrong field name", "POST", "/predict", lambda: upload(digit_png(), field_name="img"),
             422, "validation_error", "missing field 'file'"),
    BadInput("text part instead of a file", "POST", "/predict",
             lambda: {"files": {"file": (None, digit_png())}}, 422, "validation_error",
             "curl -F 'file=@digit.png'"),
    BadInput("two files in /predict", "POST", "/predict", two_files, 422, "validation_error",
             "/predict/batch"),
    # --- files that are not (good) images
    predict("zero-byte file", lambda: b"", 400, "invalid_image", "empty"),
    predict("text file named .png", lambda: b"hello, world\n" * 20, 400, "invalid_image",
            "not a recognised image"),
    predict("truncated PNG", lambda: truncated(encode(
        Image.fromarray(np.random.default_rng(1).integers(0, 256, (96, 96), dtype=np.uint8)),
        "PNG")), 400, "invalid_image", "corrupt"),
    predict("truncated JPEG", lambda: truncated(encode(digit_image("RGB", 256), "JPEG")),
            400, "invalid_image", "corrupt"),
    predict("PNG with a bad CRC", bad_crc_png, 400, "invalid_image", "corrupt"),
    predict("decompression bomb", decompression_bomb_png, 413, "image_too_large",
            "too many pixels"),
    predict("SVG", lambda: SVG, 415, "unsupported_format", "SVG", "digit.svg"),
    predict("PDF", pdf_bytes, 415, "unsupported_format", "PDF", "digit.pdf"),
    predict("ICO", ico_bytes, 415, "unsupported_format", "ICO", "digit.ico"),
    predict("blank white image", blank_white_png, 422, "no_digit", "no digit"),
    predict("fully transparent PNG", fully_transparent_png, 422, "no_digit", "no digit"),
    predict("1x1 image", lambda: tiny_png(1, 1), 422, "no_digit", "no digit"),
    # --- odd but valid images: a prediction, read the way the file says
    predict("10000x1 strip with a stroke", lambda: line_png(10_000, 1), 200, None,
            width=10_000, height=1),
    predict("16-bit PNG", png_16bit, 200, None, mode="I;16", inverted=True),
    predict("CMYK JPEG", cmyk_jpeg, 200, None, format="JPEG", mode="CMYK", inverted=True),
    predict("palette PNG with transparency", palette_png_with_transparency, 200, None,
            mode="P", had_alpha=True),
    predict("animated GIF", animated_gif, 200, None, format="GIF", animated=True),
    # --- /predict/base64
    BadInput("base64 over the size limit", "POST", "/predict/base64",
             lambda: as_json({"image": "A" * (UPLOAD_LIMIT + 1)}), 413, "payload_too_large",
             f"{UPLOAD_LIMIT:,}"),
    BadInput("invalid base64", "POST", "/predict/base64", lambda: as_json({"image": "iVBOR%%w0"}),
             422, "invalid_base64", "'%'"),
    BadInput("base64 of non-image bytes", "POST", "/predict/base64",
             lambda: as_json({"image": b64(b"plain text, not a picture")}), 400, "invalid_image",
             "not a recognised image"),
    BadInput("data URL of text/plain", "POST", "/predict/base64",
             lambda: as_json({"image": "data:text/plain;base64," + b64(b"hello")}), 415,
             "unsupported_format", "text/plain"),
    BadInput("JSON array", "POST", "/predict/base64", lambda: as_json([b64(digit_png())]),
             422, "validation_error", "not what this endpoint takes"),
    BadInput("image as a number", "POST", "/predict/base64", lambda: as_json({"image": 7}),
             422, "validation_error", "field 'image'"),
    BadInput("image null", "POST", "/predict/base64", lambda: as_json({"image": None}),
             422, "validation_error", "field 'image'"),
    BadInput("missing image", "POST", "/predict/base64", lambda: as_json({"picture": "x"}),
             422, "validation_error", "missing field 'image'"),
    BadInput("non-UTF-8 JSON", "POST", "/predict/base64",
             lambda: raw(b'{"image": "\xff\xfe"}', "application/json"), 400, "bad_request",
             "not UTF-8"),
    BadInput("empty base64", "POST", "/predict/base64", lambda: as_json({"image": "  "}),
             422, "invalid_base64", "empty"),
    # --- /predict/batch
    BadInput("a 0-byte part in a batch", "POST", "/predict/batch", lambda: batch(3, empty_at=1),
             200, None, checks={"item_statuses": [200, 400, 200]}),
    BadInput("batch over the limit", "POST", "/predict/batch", lambda: batch(BATCH_LIMIT + 1),
             413, "too_many_files", f"at most {BATCH_LIMIT}"),
    # --- /predict/number and /predict/number/base64: /predict's answers, and a number's own
    BadInput("two files in /predict/number", "POST", NUMBER, two_files, 422, "validation_error",
             "reads one image"),
    predict("zero-byte number", lambda: b"", 400, "invalid_image", "empty", path=NUMBER),
    predict("number decompression bomb", decompression_bomb_png, 413, "image_too_large",
            "too many pixels", path=NUMBER),
    predict("SVG number", lambda: SVG, 415, "unsupported_format", "SVG", "n.svg", path=NUMBER),
    predict("blank number", blank_white_png, 422, "no_digit", "no digit", path=NUMBER),
    predict("transparent number", fully_transparent_png, 422, "no_digit", "no digit", path=NUMBER),
    predict("one digit over the limit", lambda: png_bytes(bars_array(DIGITS_LIMIT + 1)), 422,
            "too_many_digits", f"at most {DIGITS_LIMIT}", path=NUMBER),
    predict("digits at the limit", lambda: png_bytes(bars_array(DIGITS_LIMIT)), 200, None,
            path=NUMBER, digits=DIGITS_LIMIT),
    predict("animated GIF number", animated_gif, 200, None, path=NUMBER, animated=True),
    predict("16-bit PNG number", png_16bit, 200, None, path=NUMBER, mode="I;16"),
    BadInput("invalid base64 number", "POST", NUMBER_B64,
             lambda: as_json({"image": "iVBOR%%w0"}), 422, "invalid_base64", "'%'"),
    BadInput("number base64 over the size limit", "POST", NUMBER_B64,
             lambda: as_json({"image": "A" * (UPLOAD_LIMIT + 1)}), 413, "payload_too_large",
             f"{UPLOAD_LIMIT:,}"),
    BadInput("number data URL of text/plain", "POST", NUMBER_B64,
             lambda: as_json({"image": "data:text/plain;base64," + b64(b"42")}), 415,
             "unsupported_format", "text/plain"),
    # --- methods a POST route does not take
    BadInput("GET on /predict/number", "GET", NUMBER, dict, 405, "method_not_allowed", "POST"),
    BadInput("GET on /predict", "GET", "/predict", dict, 405, "method_not_allowed", "POST"),
    BadInput("HEAD on /predict/base64", "HEAD", "/predict/base64", dict, 405, None,
             checks={"allow": "POST"}),
    BadInput("OPTIONS on /predict/batch", "OPTIONS", "/predict/batch", dict, 405,
             "method_not_allowed", "allowed: POST"),
]
# fmt: on
