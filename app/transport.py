"""Turn a base64 string or data URL into the image bytes it carries (no image logic here)."""

from __future__ import annotations

import binascii
import re

from app.errors import ApiError

_WHITESPACE = re.compile(r"\s+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*")
_URLSAFE = str.maketrans("-_", "+/")
# Media types that may hold an image whose real format the bytes will tell.
_GENERIC_TYPES = ("", "application/octet-stream")


def decode_base64_image(text: str) -> bytes:
    """Plain or URL-safe base64, padded or not, whitespace anywhere; or a data: URL of an image.

    Raises ApiError: 415 unsupported_format for a data URL of a non-image type, 422
    invalid_base64 for anything that is not base64.
    """
    payload = text.strip()
    if payload[:5].lower() == "data:":
        payload = _data_url_payload(payload)
    compact = _WHITESPACE.sub("", payload).translate(_URLSAFE).rstrip("=")
    if not compact:
        raise ApiError(422, "invalid_base64", "the image is empty: no base64 data")
    if not _BASE64.fullmatch(compact):
        bad = next(char for char in compact if not _BASE64.fullmatch(char))
        raise ApiError(
            422, "invalid_base64", f"the image is not valid base64: unexpected character {bad!r}"
        )
    if len(compact) % 4 == 1:
        raise ApiError(422, "invalid_base64", "the image is not valid base64: truncated data")
    compact += "=" * (-len(compact) % 4)
    try:
        return binascii.a2b_base64(compact, strict_mode=True)
    except binascii.Error as error:
        raise ApiError(422, "invalid_base64", f"the image is not valid base64: {error}") from None


def _data_url_payload(url: str) -> str:
    """The base64 part of `data:<type>[;param]*;base64,<data>`, checking the type is an image."""
    header, comma, data = url.partition(",")
    if not comma:
        raise ApiError(422, "invalid_base64", "the data URL has no ',' before its data")
    media_type, *params = (part.strip().lower() for part in header[5:].split(";"))
    if not media_type.startswith("image/") and media_type not in _GENERIC_TYPES:
        raise ApiError(415, "unsupported_format", f"the data URL holds {media_type}, not an image")
    if "base64" not in params:
        raise ApiError(422, "invalid_base64", "the data URL is not base64 (no ';base64')")
    return data
