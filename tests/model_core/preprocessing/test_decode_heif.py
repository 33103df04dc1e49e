"""Tests for decode.py's HEIF (an iPhone's HEIC photos): read with pi-heif, orientation applied
once, the pixel limit checked before decoding, broken files refused as corrupt."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import model_core.preprocessing.decode as decode
from model_core.preprocessing import (
    ImageTooLargeError,
    InvalidImageError,
    UnsupportedFormatError,
    decode_image,
    preprocess_bytes,
)
from tests.model_core.preprocessing.helpers import SEED, assert_valid, correlation, ink_page
from tests.upload_styles import encode

pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif writes the test's HEIF files")
HEADER_ONLY = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"


def test_heif_is_allowed_where_pi_heif_is_installed() -> None:
    pytest.importorskip("pi_heif", reason="pi-heif reads HEIF")
    assert decode.ALLOWED_FORMATS[-1] == "HEIF"  # after AVIF, which Pillow must try first


def test_a_heic_photo_reads_as_its_jpeg_does(digit: np.ndarray) -> None:
    photo = Image.fromarray(ink_page(digit)).convert("RGB")
    heic = preprocess_bytes(encode(photo, "HEIF", quality=50))  # lossy, as phones save it
    jpeg = preprocess_bytes(encode(photo, "JPEG", quality=85))
    assert heic.format == "HEIF"
    assert_valid(heic)
    assert correlation(heic.image, jpeg.image) > 0.97
    assert np.abs(np.subtract(heic.bbox, jpeg.bbox)).max() <= 2


def test_a_ten_bit_heic_is_read_in_the_unit_range(digit: np.ndarray) -> None:
    page = ink_page(digit).astype(np.uint16) * 257  # (280, 280), 16 bits
    rgb = np.repeat(page[:, :, None], 3, axis=2)  # (280, 280, 3)
    heif = pillow_heif.from_bytes(mode="RGB;16", size=(280, 280), data=rgb.tobytes())
    buffer = io.BytesIO()
    heif.save(buffer, quality=90)  # stored with 10 bits, as an iPhone's HDR photos
    assert pillow_heif.open_heif(buffer.getvalue()).info["bit_depth"] == 10
    result = preprocess_bytes(buffer.getvalue())
    assert_valid(result)
    assert correlation(result.image, digit) > 0.85


@pytest.mark.parametrize("orientation", [6, 8, 3])
def test_orientation_is_applied_once(digit: np.ndarray, orientation: int) -> None:
    """libheif turns the picture by its transform boxes and pi-heif clears the EXIF tag, so
    decoding must not turn it again."""
    upright = Image.fromarray(ink_page(digit)[:, 20:])  # (280, 260): not square
    undo = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}
    stored = upright.transpose(undo.get(orientation, Image.Transpose.ROTATE_180))
    exif = Image.Exif()
    exif[0x0112] = orientation
    tagged = decode_image(encode(stored, "HEIF", quality=90, exif=exif.tobytes()))
    reference = decode_image(encode(upright, "HEIF", quality=90))
    assert (tagged.width, tagged.height) == upright.size
    assert tagged.gray.shape == reference.gray.shape
    assert correlation(tagged.gray, reference.gray) > 0.97


def test_the_pixel_limit_is_checked_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encode(Image.new("L", (300, 200), 255), "HEIF")
    plugin = type(Image.open(io.BytesIO(data), formats=["HEIF"]))
    loads: list[str] = []
    monkeypatch.setattr(plugin, "load", lambda image: loads.append(str(image.size)))
    with pytest.raises(
        ImageTooLargeError, match=r"300x200 = 60,000 pixels.*send the photo as JPEG"
    ):
        decode_image(data, max_pixels=300 * 200 - 1)
    assert loads == []


def test_broken_heif_files_are_corrupt_not_unsupported(digit: np.ndarray) -> None:
    data = encode(Image.fromarray(ink_page(digit)), "HEIF")
    for broken in (HEADER_ONLY, data[: len(data) // 3], data[:200]):
        with pytest.raises(InvalidImageError, match="corrupt"):
            decode_image(broken)


def test_mutated_heif_files_give_a_defined_outcome(digit: np.ndarray) -> None:
    """libheif parses boxes and libde265 decodes HEVC in C: a broken file must end as a
    decoded picture or a preprocessing error, never anything else (nor a crash)."""
    data = encode(Image.fromarray(ink_page(digit)).convert("RGB"), "HEIF", quality=60)
    rng = np.random.default_rng(SEED)
    outcomes = set()
    for _ in range(150):
        broken = bytearray(data)
        for place in rng.integers(0, len(data), int(rng.integers(1, 12))):
            broken[place] = int(rng.integers(0, 256))
        try:
            decode_image(bytes(broken))
            outcomes.add("decoded")
        except (InvalidImageError, ImageTooLargeError) as error:
            outcomes.add(type(error).__name__)
    assert "InvalidImageError" in outcomes


def test_without_pi_heif_a_heic_is_unsupported_with_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    without = tuple(name for name in decode.ALLOWED_FORMATS if name != "HEIF")
    monkeypatch.setattr(decode, "ALLOWED_FORMATS", without)
    with pytest.raises(UnsupportedFormatError, match="share it as JPEG"):
        decode_image(HEADER_ONLY)
