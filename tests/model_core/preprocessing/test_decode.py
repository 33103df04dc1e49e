"""Tests for decode.py: refusals, allowed formats, frames, EXIF orientation and pixel limits."""

from __future__ import annotations

import contextlib
import io
import struct
import time
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps, features

from model_core.preprocessing import (
    ALLOWED_FORMATS,
    DEFAULT_MAX_PIXELS,
    EmptyImageError,
    ImageTooLargeError,
    InvalidImageError,
    PreprocessingError,
    UnsupportedFormatError,
    decode_image,
    preprocess_bytes,
)
from tests.model_core.preprocessing.helpers import SEED, assert_valid, correlation, ink_page, png
from tests.upload_styles import encode


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def bilevel_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG built row by row: huge images compress to a few KB."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


@pytest.fixture
def pixel_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records (and refuses) every attempt to decode an image's pixels during the test."""
    loads: list[str] = []

    def refuse(self: ImageFile.ImageFile) -> None:
        loads.append(f"{self.format} {self.size}")
        raise OSError("pixel decoding refused by the test")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    return loads


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, this is plain text and no image", b"\x00" * 64, b"GIF89a\x01"],
    ids=["empty", "text", "zeros", "gif-header-only"],
)
def test_non_images_are_invalid(data: bytes) -> None:
    with pytest.raises(InvalidImageError):
        preprocess_bytes(data)


@pytest.mark.parametrize("format_name", ALLOWED_FORMATS)
def test_truncated_files_are_invalid(digit: np.ndarray, format_name: str) -> None:
    data = encode(Image.fromarray(ink_page(digit)), format_name)
    for length in (len(data) // 2, len(data) - 40):
        with pytest.raises(InvalidImageError):
            preprocess_bytes(data[:length])
    assert not ImageFile.LOAD_TRUNCATED_IMAGES


def test_corrupt_png_chunks_give_a_defined_outcome(digit: np.ndarray) -> None:
    data = png(ink_page(digit))
    outcomes = set()
    for chunk in (b"IHDR", b"IDAT"):
        start = data.index(chunk)
        length = struct.unpack(">I", data[start - 4 : start])[0]
        for offset in (4 + length, 4 + min(length - 1, 10)):  # the CRC, then the chunk data
            broken = bytearray(data)
            broken[start + offset] ^= 0xFF
            try:
                assert_valid(preprocess_bytes(bytes(broken)))
                outcomes.add("decoded")
            except PreprocessingError as error:
                outcomes.add(type(error).__name__)
    assert outcomes <= {"decoded", "InvalidImageError", "EmptyImageError"}
    assert "InvalidImageError" in outcomes  # a broken IHDR can never decode


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><path d="M1 1"/></svg>',
        b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        b"  <!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN'><svg/>",
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
    ],
    ids=["svg", "xml-svg", "doctype-svg", "pdf"],
)
def test_known_unsupported_documents_are_refused_as_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedFormatError):
        preprocess_bytes(data)


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "render it to PNG"),
        (b"%PDF-1.7\n", "export the page"),
    ],
    ids=["svg", "pdf"],
)
def test_refusals_of_common_documents_say_what_to_send_instead(data: bytes, hint: str) -> None:
    with pytest.raises(UnsupportedFormatError, match=hint):
        preprocess_bytes(data)


@pytest.mark.parametrize("format_name", ["ICO", "PPM", "TGA", "PCX", "QOI"])
def test_images_outside_the_allow_list_are_unsupported(digit: np.ndarray, format_name: str) -> None:
    data = encode(Image.fromarray(ink_page(digit, scale=2)).convert("RGB"), format_name)
    with pytest.raises(UnsupportedFormatError, match=format_name):
        preprocess_bytes(data)


def test_decompression_bomb_is_refused_before_decoding(pixel_loads: list[str]) -> None:
    data = bilevel_png(20_000, 20_000)  # 400 megapixels
    assert len(data) < 100_000
    started = time.perf_counter()
    with pytest.raises(ImageTooLargeError):
        preprocess_bytes(data)
    assert time.perf_counter() - started < 1.0
    assert pixel_loads == []


def test_pillows_bomb_warning_ends_as_too_large_even_when_warnings_are_errors(
    pixel_loads: list[str],
) -> None:
    data = bilevel_png(10_000, 10_000)  # 100 MP: Pillow warns (limit 89 MP) but does not raise
    with pytest.warns(Image.DecompressionBombWarning), pytest.raises(ImageTooLargeError):
        preprocess_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as under `python -W error`
        with pytest.raises(ImageTooLargeError):
            preprocess_bytes(data)
    assert pixel_loads == []


def test_pixel_limit_is_checked_from_the_header(pixel_loads: list[str]) -> None:
    with pytest.raises(ImageTooLargeError, match="limit"):
        preprocess_bytes(bilevel_png(5_000, 4_000))  # 20 MP, under Pillow's own limit
    with pytest.raises(ImageTooLargeError):
        preprocess_bytes(bilevel_png(300, 300), max_pixels=300 * 300 - 1)
    assert pixel_loads == []
    assert DEFAULT_MAX_PIXELS < Image.MAX_IMAGE_PIXELS


def jpeg_with_header_size(width: int, height: int) -> bytes:
    """A small valid JPEG whose frame header claims width x height (nothing to decode behind)."""
    data = bytearray(encode(Image.new("L", (16, 16), 128), "JPEG"))
    frame = data.index(b"\xff\xc0")  # SOF0: marker, length (2), precision (1), height, width
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_a_large_jpeg_counts_the_pixels_it_is_decoded_at(digit: np.ndarray) -> None:
    wide = Image.fromarray(ink_page(digit, scale=10)).resize((4200, 300))  # 1.26 MP
    data = encode(wide, "JPEG")
    decoded = decode_image(data, max_pixels=1_000_000)  # read at 1/2 scale: 2100x150
    assert decoded.gray.shape == (75, 1050)  # then box-reduced to at most 2048 px a side
    assert (decoded.width, decoded.height) == (4200, 300)
    with pytest.raises(ImageTooLargeError, match=r"4200x300 pixels, 2100x150 = 315,000 pixels"):
        decode_image(data, max_pixels=300_000)
    with pytest.raises(ImageTooLargeError, match=r"4200x300 = 1,260,000 pixels"):
        decode_image(encode(wide, "PNG"), max_pixels=1_000_000)  # other formats: decoded whole


def test_a_24_megapixel_phone_jpeg_is_read_within_the_default_limit(digit: np.ndarray) -> None:
    photo = Image.fromarray(ink_page(digit, scale=10)).resize((6000, 4000))
    result = preprocess_bytes(encode(photo, "JPEG"))
    assert_valid(result)
    assert (result.width, result.height) == (6000, 4000)
    small = preprocess_bytes(encode(photo.resize((600, 400)), "PNG"))
    assert correlation(result.image, small.image) > 0.9


def test_a_jpeg_header_over_the_declared_limit_is_refused_before_decoding(
    pixel_loads: list[str],
) -> None:
    data = jpeg_with_header_size(10_000, 9_000)  # 90 MP: 1/8 scale would be 1.4 MP
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(ImageTooLargeError, match="the limit is 89,000,000"):
            decode_image(data)
    assert pixel_loads == []


def test_max_pixels_allows_images_at_the_limit(digit: np.ndarray) -> None:
    data = png(ink_page(digit))
    assert_valid(preprocess_bytes(data, max_pixels=280 * 280))


def test_no_global_state_is_changed(digit: np.ndarray) -> None:
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, list(warnings.filters))
    good = png(ink_page(digit))
    for data in (good, good[:300], bilevel_png(20_000, 20_000), b"<svg/>"):
        with contextlib.suppress(PreprocessingError):
            preprocess_bytes(data)
    assert (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES, warnings.filters) == before


def test_animated_gif_uses_its_first_frame(digits: np.ndarray) -> None:
    first, second = (Image.fromarray(ink_page(d)) for d in (digits[0], digits[1]))
    data = encode(first, "GIF", save_all=True, append_images=[second], duration=100)
    result = preprocess_bytes(data)
    assert result.animated
    assert correlation(result.image, digits[0]) > 0.85 > correlation(result.image, digits[1])
    blank = Image.new("L", first.size, 255)
    with pytest.raises(EmptyImageError):
        preprocess_bytes(encode(blank, "GIF", save_all=True, append_images=[first]))


@pytest.mark.parametrize("format_name", ["WEBP", "TIFF"])
def test_webp_and_tiff_use_their_first_frame(digits: np.ndarray, format_name: str) -> None:
    first, second = (Image.fromarray(ink_page(d)).convert("RGB") for d in digits[:2])
    data = encode(first, format_name, save_all=True, append_images=[second])
    result = preprocess_bytes(data)
    assert result.animated
    assert correlation(result.image, digits[0]) > 0.85 > correlation(result.image, digits[1])


@pytest.mark.parametrize("orientation", [6, 8, 3])
def test_exif_orientation_is_applied(digit: np.ndarray, orientation: int) -> None:
    upright = Image.fromarray(ink_page(digit)[:, 20:])  # (280, 260): not square
    undo = {
        6: Image.Transpose.ROTATE_90,
        8: Image.Transpose.ROTATE_270,
        3: Image.Transpose.ROTATE_180,
    }
    stored = upright.transpose(undo[orientation])  # what a camera writes before tagging
    exif = Image.Exif()
    exif[0x0112] = orientation
    tagged = preprocess_bytes(encode(stored, "JPEG", quality=95, exif=exif.tobytes()))
    reference = preprocess_bytes(encode(upright, "JPEG", quality=95))
    assert (tagged.width, tagged.height) == upright.size
    assert correlation(tagged.image, reference.image) > 0.97
    assert np.abs(np.subtract(tagged.bbox, reference.bbox)).max() <= 2


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_matches_pillows_exif_transpose(orientation: int) -> None:
    rng = np.random.default_rng([SEED, orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(Image.fromarray(rng.integers(0, 256, (12, 20), dtype=np.uint8)), "PNG", exif=exif)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    np.testing.assert_allclose(decode_image(data).gray, np.asarray(expected) / 255, atol=1e-6)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_broken_exif_does_not_stop_decoding(digit: np.ndarray) -> None:
    data = encode(Image.fromarray(ink_page(digit)), "JPEG", exif=b"Exif\x00\x00MM\x00*garbage!")
    assert correlation(preprocess_bytes(data).image, digit) > 0.85


@pytest.mark.parametrize("format_name", ALLOWED_FORMATS)
def test_every_allowed_format_decodes(digit: np.ndarray, format_name: str) -> None:
    result = preprocess_bytes(encode(Image.fromarray(ink_page(digit)).convert("RGB"), format_name))
    assert result.format == format_name
    assert correlation(result.image, digit) > 0.85


@pytest.mark.skipif(
    not features.check_module("avif"), reason="this Pillow was built without libavif"
)
def test_avif_is_read_like_any_allowed_format(digit: np.ndarray) -> None:
    assert "AVIF" in ALLOWED_FORMATS
    photo = Image.fromarray(ink_page(digit)).convert("RGB")
    result = preprocess_bytes(encode(photo, "AVIF", quality=50))  # lossy, as phones save it
    assert result.format == "AVIF"
    assert correlation(result.image, digit) > 0.85
