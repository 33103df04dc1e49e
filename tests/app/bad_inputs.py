"""A catalogue of bad (and odd but valid) requests, each with the answer the service must give.

Each `BadInput` is a request in httpx keyword form (so the same catalogue runs through the
TestClient and over real HTTP) plus the expected status and error code, and a fragment of the
error message. The image payloads are bad_images.py's.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from app.config import Settings
from tests.app.bad_images import (
    SVG,
    animated_gif,
    bad_crc_png,
    blank_white_png,
    cmyk_jpeg,
    decompression_bomb_png,
    digit_image,
    digit_png,
    dot_diagonal_png,
    fully_transparent_png,
    ico_bytes,
    line_png,
    palette_png_with_transparency,
    pdf_bytes,
    png_16bit,
    tiny_png,
    truncated,
    unit_range_png,
)
from tests.samples import bars_array, png_bytes
from tests.upload_styles import encode

BATCH_LIMIT = Settings.model_fields["max_batch_size"].default
UPLOAD_LIMIT = Settings.model_fields["max_upload_bytes"].default
DIGITS_LIMIT = Settings.model_fields["max_number_digits"].default
NUMBER, NUMBER_B64 = "/predict/number", "/predict/number/base64"


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


# --- requests -----------------------------------------------------------------------------------


def upload(data: bytes, name: str = "digit.png", field_name: str = "file") -> dict[str, Any]:
    return {"files": {field_name: (name, data, "application/octet-stream")}}


def as_json(body: object) -> dict[str, Any]:
    return {"json": body}


def raw(content: bytes, content_type: str) -> dict[str, Any]:
    return {"content": content, "headers": {"content-type": content_type}}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def strict(value: str = "true") -> dict[str, Any]:
    """The query `?strict=value`, to merge into a request."""
    return {"params": {"strict": value}}


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
    predict("[0, 1] array saved as 8 bits", unit_range_png, 422, "no_digit", "multiply it by 255"),
    # --- odd but valid images: a prediction, read the way the file says
    predict("10000x1 strip with a stroke", lambda: line_png(10_000, 1), 200, None,
            width=10_000, height=1),
    predict("a diagonal of dots", dot_diagonal_png, 200, None),
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
    predict("[0, 1] array number", unit_range_png, 422, "no_digit", "multiply it by 255",
            path=NUMBER),
    predict("one digit over the limit", lambda: png_bytes(bars_array(DIGITS_LIMIT + 1)), 422,
            "too_many_digits", f"at most {DIGITS_LIMIT}", path=NUMBER),
    predict("digits at the limit", lambda: png_bytes(bars_array(DIGITS_LIMIT)), 200, None,
            path=NUMBER, digits=DIGITS_LIMIT),
    predict("two lines of digits", lambda: png_bytes(np.vstack([bars_array(3)] * 2)), 422,
            "several_lines", "2 lines", path=NUMBER),
    predict("10000x1 strip as a number", lambda: line_png(10_000, 1), 422, "no_digit",
            "no digit", path=NUMBER),
    predict("animated GIF number", animated_gif, 200, None, path=NUMBER, animated=True),
    predict("16-bit PNG number", png_16bit, 200, None, path=NUMBER, mode="I;16"),
    predict("a diagonal of dots as a number", dot_diagonal_png, 200, None, path=NUMBER),
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
    # --- strict: the catalogue's model takes every image for no digit (test_bad_inputs.py)
    BadInput("a non-digit, strict", "POST", "/predict", lambda: upload(digit_png()) | strict(),
             422, "not_a_digit", "strict=false"),
    BadInput("a non-digit, strict=false", "POST", "/predict",
             lambda: upload(digit_png()) | strict("false"), 200, None),
    BadInput("a non-digit in base64, strict", "POST", "/predict/base64",
             lambda: as_json({"image": b64(digit_png())}) | strict("1"), 422, "not_a_digit",
             "threshold"),
    BadInput("strict neither true nor false", "POST", "/predict",
             lambda: upload(digit_png()) | strict("maybe"), 422, "validation_error",
             "query field 'strict'"),
    BadInput("a strict batch", "POST", "/predict/batch", lambda: batch(3, empty_at=1) | strict(),
             200, None, checks={"item_statuses": [422, 400, 422]}),
    BadInput("a strict number", "POST", NUMBER,
             lambda: upload(png_bytes(bars_array(3))) | strict(), 422, "not_a_digit",
             "digits 1, 2 and 3 of 3"),
    BadInput("a strict number in base64", "POST", NUMBER_B64,
             lambda: as_json({"image": b64(png_bytes(bars_array(2)))}) | strict("yes"), 422,
             "not_a_digit", "digits 1 and 2 of 2"),
    BadInput("a non-digit number, strict=false", "POST", NUMBER,
             lambda: upload(png_bytes(bars_array(3))) | strict("false"), 200, None,
             checks={"digits": 3}),
]
# fmt: on
