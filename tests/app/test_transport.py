"""Base64 and data URLs to bytes: every accepted spelling, every refusal."""

from __future__ import annotations

import base64

import pytest

from app.errors import ApiError
from app.transport import decode_base64_image

DATA = bytes(range(256)) * 3  # every byte value: '+', '/' and padding all occur


@pytest.mark.parametrize(
    "text",
    [
        base64.b64encode(DATA).decode(),
        base64.b64encode(DATA).decode().rstrip("="),
        base64.urlsafe_b64encode(DATA).decode(),
        base64.encodebytes(DATA).decode(),  # MIME: a newline every 76 characters
        " \t" + base64.b64encode(DATA).decode() + "\r\n",
        "data:image/png;base64," + base64.b64encode(DATA).decode(),
        "DATA:IMAGE/JPEG;BASE64," + base64.b64encode(DATA).decode(),
        "data:image/png;name=a.png;base64," + base64.b64encode(DATA).decode(),
        "data:application/octet-stream;base64," + base64.b64encode(DATA).decode(),
        "data:;base64," + base64.b64encode(DATA).decode(),
    ],
)
def test_accepted_spellings_decode_to_the_same_bytes(text: str) -> None:
    assert decode_base64_image(text) == DATA


@pytest.mark.parametrize(
    ("text", "status", "fragment"),
    [
        ("", 422, "empty"),
        ("   ", 422, "empty"),
        ("data:image/png;base64,", 422, "empty"),
        ("abc$def", 422, "'$'"),
        ("ab=cd", 422, "'='"),
        ("abcde", 422, "truncated"),
        ("data:image/png,rawbytes", 422, "not base64"),
        ("data:image/png;base64", 422, "no ','"),
        ("data:text/plain;base64,aGk=", 415, "text/plain"),
        ("data:application/pdf;base64,aGk=", 415, "application/pdf"),
    ],
)
def test_refusals(text: str, status: int, fragment: str) -> None:
    with pytest.raises(ApiError) as raised:
        decode_base64_image(text)
    assert raised.value.status == status
    assert raised.value.code == ("unsupported_format" if status == 415 else "invalid_base64")
    assert fragment in raised.value.detail
