"""Tests for model_core.preprocessing: decoding, refusals, normalisation quality on real MNIST."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import json
import struct
import subprocess
import sys
import time
import warnings
import zlib
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFile, ImageFilter, ImageOps

from model_core.preprocessing import (
    DEFAULT_MAX_PIXELS,
    MNIST_MEAN,
    MNIST_STD,
    EmptyImageError,
    ImageTooLargeError,
    InvalidImageError,
    PreprocessingError,
    PreprocessResult,
    UnsupportedFormatError,
    decode_image,
    normalize_digit,
    preprocess_array,
    preprocess_bytes,
    to_model_input,
)
from model_core.preprocessing.frame import MNIST_BOX, centre_of_mass
from model_core.preprocessing.stroke import dilate, stroke_width
from tests.upload_styles import STYLES, encode, render

MNIST_DIR = Path(__file__).resolve().parents[2].parent / "shared/data/mnist"
T10K_IMAGES = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
QUALITY_SAMPLES = 200
SEED = 20240611


# --------------------------------------------------------------------------- helpers


@cache
def _t10k_images() -> np.ndarray:
    """(N, 28, 28) uint8 test images, read straight from the gzip IDX file."""
    raw = gzip.decompress(T10K_IMAGES.read_bytes())
    count, rows, columns = struct.unpack(">III", raw[4:16])
    return np.frombuffer(raw, np.uint8, offset=16).reshape(count, rows, columns)


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    """The first QUALITY_SAMPLES real MNIST test digits, (N, 28, 28) uint8 white on black."""
    if not T10K_IMAGES.is_file():
        pytest.skip(f"real MNIST test images not found at {T10K_IMAGES}")
    return _t10k_images()[:QUALITY_SAMPLES]


@pytest.fixture(scope="module")
def digit(digits: np.ndarray) -> np.ndarray:
    return digits[0]  # (28, 28) a "7"


def ink_page(digit: np.ndarray, scale: int = 10) -> np.ndarray:
    """(28*scale, 28*scale) uint8: the digit upscaled, black ink on white paper."""
    big = np.asarray(Image.fromarray(digit).resize((28 * scale,) * 2, Image.Resampling.BICUBIC))
    return 255 - big


def correlation(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.corrcoef(first.ravel(), second.ravel())[0, 1])


def png(array: np.ndarray) -> bytes:
    return encode(Image.fromarray(array), "PNG")


def assert_valid(result: PreprocessResult) -> None:
    assert result.image.shape == (28, 28)
    assert result.image.dtype == np.float32
    assert np.isfinite(result.image).all()
    assert result.image.min() >= 0.0 and result.image.max() <= 1.0
    left, top, right, bottom = result.bbox
    assert 0 <= left < right <= result.width and 0 <= top < bottom <= result.height


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


# --------------------------------------------------------------------------- quality


@cache
def _style_outcome(style: str) -> tuple[np.ndarray, np.ndarray, list[tuple[int, ...]]]:
    """(originals, outputs) for QUALITY_SAMPLES digits rendered in `style`, and the bboxes."""
    rng = np.random.default_rng([SEED, STYLES.index(style)])
    originals = _t10k_images()[:QUALITY_SAMPLES]
    results = [preprocess_bytes(render(style, digit, rng)) for digit in originals]
    outputs = np.stack([result.image for result in results])
    return originals, outputs, [result.bbox for result in results]


def _row_correlations(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    a = first.reshape(len(first), -1).astype(np.float64)
    b = second.reshape(len(second), -1).astype(np.float64)
    a -= a.mean(axis=1, keepdims=True)
    b -= b.mean(axis=1, keepdims=True)
    return (a * b).sum(axis=1) / np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))


@pytest.mark.usefixtures("digits")  # skips without the data
@pytest.mark.parametrize("style", ["canvas", "transparent", "corner", "photo"])
def test_upload_styles_come_out_like_the_mnist_original(style: str) -> None:
    originals, outputs, _ = _style_outcome(style)
    correlations = _row_correlations(outputs, originals / 255)  # (N,)
    p10 = float(np.quantile(correlations, 0.1))
    print(f"{style}: mean correlation {correlations.mean():.3f}, 10th percentile {p10:.3f}")
    assert correlations.mean() > 0.8
    assert p10 > 0.6  # no silent collapse of a whole tail


@pytest.mark.parametrize("style", ["canvas", "transparent", "corner", "photo"])
def test_upload_styles_are_centred_and_fit_the_mnist_box(digits: np.ndarray, style: str) -> None:
    _, outputs, _ = _style_outcome(style)
    mnist_centre = np.mean([centre_of_mass(image / 255) for image in digits], axis=0)  # (2,)
    for image in outputs:
        assert np.abs(np.subtract(centre_of_mass(image), mnist_centre)).max() <= 1.0
        rows, columns = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        assert max(rows[-1] - rows[0], columns[-1] - columns[0]) + 1 <= MNIST_BOX
        assert image.max() == pytest.approx(1.0)


def test_raw_mnist_comes_through_unchanged(digits: np.ndarray) -> None:
    _, outputs, bboxes = _style_outcome("raw")
    differences = np.abs(outputs - digits / 255).mean(axis=(1, 2))  # (N,)
    print(f"raw: mean abs difference {differences.mean():.4f}, max {differences.max():.4f}")
    assert differences.max() < 0.03
    for digit, bbox in zip(digits, bboxes, strict=True):
        rows, columns = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
        assert bbox == (columns[0], rows[0], columns[-1] + 1, rows[-1] + 1)


def test_raw_mnist_arrays_and_inverted_scans_come_through_unchanged(digits: np.ndarray) -> None:
    for digit in digits[:50]:
        assert np.abs(preprocess_array(digit).image - digit / 255).mean() < 0.03
        inverted = preprocess_bytes(png(255 - digit))
        assert inverted.inverted
        assert np.abs(inverted.image - digit / 255).mean() < 0.03


def test_off_centre_28x28_digit_is_recentred(digit: np.ndarray) -> None:
    shifted = np.zeros_like(digit)
    shifted[:, 3:] = digit[:, :-3]  # three pixels right, still inside the frame
    result = preprocess_array(shifted).image
    assert abs(centre_of_mass(result)[1] - centre_of_mass(digit / 255)[1]) <= 0.5
    assert correlation(result, digit) > 0.95


def test_thin_pen_strokes_are_thickened_to_mnist_width(digits: np.ndarray) -> None:
    mnist_widths = [stroke_width(digit / 255) for digit in digits]
    canvas = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(canvas).line([(70, 50), (200, 50), (120, 240)], fill=0, width=3)  # a "7"
    result = preprocess_bytes(encode(canvas, "PNG"))
    assert stroke_width(result.image) >= np.quantile(mnist_widths, 0.05)
    assert correlation(result.image, digits[0]) > 0.5  # still the same kind of "7"


@pytest.mark.parametrize("width", [1, 2, 3, 5])
def test_stroke_width_estimate_and_dilation(width: int) -> None:
    bars = np.zeros((20, 20), dtype=np.float32)
    bars[2:18, 4 : 4 + width] = 1.0
    bars[2 : 2 + width, 4:16] = 1.0  # an "L" of two strokes
    assert stroke_width(bars) == pytest.approx(width, rel=0.25)
    grown = dilate(bars, 2)
    assert grown.shape == (24, 24)
    assert stroke_width(grown) == pytest.approx(width + 4, rel=0.25)


def test_small_digit_in_a_corner_is_found_and_boxed(digit: np.ndarray) -> None:
    page = np.full((400, 640), 250, dtype=np.uint8)
    small = np.asarray(Image.fromarray(255 - digit).resize((56, 56), Image.Resampling.BICUBIC))
    page[330:386, 560:616] = small  # bottom-right corner
    result = preprocess_bytes(png(page))
    rows = np.flatnonzero((small < 200).any(axis=1))
    columns = np.flatnonzero((small < 200).any(axis=0))
    expected = (560 + columns[0], 330 + rows[0], 560 + columns[-1] + 1, 330 + rows[-1] + 1)
    assert np.abs(np.subtract(result.bbox, expected)).max() <= 3
    assert result.inverted and (result.width, result.height) == (640, 400)
    assert correlation(result.image, digit) > 0.85


def test_large_photo_is_reduced_and_its_box_maps_back(digit: np.ndarray) -> None:
    page = np.full((3000, 4000), 200, dtype=np.uint8)
    ink = ink_page(digit, scale=30)  # (840, 840)
    page[1500:2340, 2800:3640] = np.minimum(page[1500:2340, 2800:3640], ink)
    started = time.perf_counter()
    result = preprocess_bytes(encode(Image.fromarray(page), "JPEG", quality=85))
    assert time.perf_counter() - started < 5.0
    rows, columns = np.flatnonzero((ink < 100).any(axis=1)), np.flatnonzero((ink < 100).any(axis=0))
    expected = (2800 + columns[0], 1500 + rows[0], 2800 + columns[-1] + 1, 1500 + rows[-1] + 1)
    assert np.abs(np.subtract(result.bbox, expected)).max() <= 40  # ~1 % of the page
    assert (result.width, result.height) == (4000, 3000)
    assert correlation(result.image, digit) > 0.85


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, this is plain text and no image", b"\x00" * 64, b"GIF89a\x01"],
    ids=["empty", "text", "zeros", "gif-header-only"],
)
def test_non_images_are_invalid(data: bytes) -> None:
    with pytest.raises(InvalidImageError):
        preprocess_bytes(data)


@pytest.mark.parametrize("format_name", ["PNG", "JPEG", "GIF", "TIFF", "WEBP", "BMP"])
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
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    ],
    ids=["svg", "xml-svg", "doctype-svg", "pdf", "heic"],
)
def test_known_unsupported_documents_are_refused_as_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedFormatError):
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


@pytest.mark.parametrize(
    "image",
    [
        Image.new("L", (100, 80), 255),
        Image.new("L", (100, 80), 0),
        Image.new("RGB", (120, 90), (90, 140, 200)),
        Image.new("RGBA", (100, 100), (0, 0, 0, 0)),
        Image.new("RGBA", (100, 100), (255, 255, 255, 0)),
        Image.new("L", (1, 1), 0),
        Image.new("L", (1, 1), 255),
        Image.new("L", (10_000, 1), 40),
    ],
    ids=[
        "white",
        "black",
        "uniform-colour",
        "transparent",
        "white-transparent",
        "1x1-black",
        "1x1-white",
        "10000x1",
    ],
)
def test_images_without_a_digit_are_empty(image: Image.Image) -> None:
    with pytest.raises(EmptyImageError, match="no digit found in the image"):
        preprocess_bytes(encode(image, "PNG"))


@pytest.mark.parametrize("kind", ["uniform", "gaussian", "blurred-jpeg", "salt"])
def test_pure_noise_is_empty(kind: str) -> None:
    rng = np.random.default_rng([SEED, len(kind)])
    if kind == "uniform":
        pixels = rng.integers(0, 256, (200, 200))
    elif kind == "salt":
        pixels = np.where(rng.random((200, 200)) < 0.01, 255, 0)
    else:
        pixels = np.clip(rng.normal(128, 25, (300, 300)), 0, 255)
    image = Image.fromarray(pixels.astype(np.uint8))
    if kind == "blurred-jpeg":
        data = encode(image.filter(ImageFilter.GaussianBlur(1.5)), "JPEG", quality=70)
    else:
        data = encode(image, "PNG")
    with pytest.raises(EmptyImageError):
        preprocess_bytes(data)


@pytest.mark.parametrize("size", [(10_000, 1), (1, 10_000), (2, 3), (3000, 2)])
def test_extremely_thin_images_do_not_crash(size: tuple[int, int]) -> None:
    rng = np.random.default_rng([SEED, *size])
    pixels = np.full(size[::-1], 255, dtype=np.uint8)
    pixels.flat[rng.integers(0, pixels.size, 5)] = 0
    with contextlib.suppress(EmptyImageError):  # either outcome is fine; a crash is not
        assert_valid(preprocess_bytes(png(pixels)))


def test_error_classes_form_one_hierarchy_with_messages() -> None:
    for error_class in (InvalidImageError, UnsupportedFormatError, ImageTooLargeError):
        error = error_class()
        assert isinstance(error, PreprocessingError) and isinstance(error, ValueError)
        assert str(error) and error.message == str(error)
    assert str(EmptyImageError()) == "no digit found in the image"


# --------------------------------------------------------------------------- formats and modes


def test_sixteen_bit_png_is_scaled_not_clipped(digit: np.ndarray) -> None:
    page = ink_page(digit).astype(np.uint16) * 257  # (280, 280) 0..65535
    data = encode(Image.fromarray(page), "PNG")
    decoded = decode_image(data)
    assert decoded.mode == "I;16"
    assert np.abs(decoded.gray - page / 65535).max() < 1e-5
    eight_bit = preprocess_bytes(png(ink_page(digit))).image
    assert np.abs(preprocess_bytes(data).image - eight_bit).max() < 0.02


def test_cmyk_jpeg_matches_the_grey_jpeg(digit: np.ndarray) -> None:
    grey = Image.fromarray(ink_page(digit))
    cmyk = preprocess_bytes(encode(grey.convert("CMYK"), "JPEG", quality=95))
    assert cmyk.mode == "CMYK" and cmyk.inverted
    reference = preprocess_bytes(encode(grey, "JPEG", quality=95)).image
    assert correlation(cmyk.image, reference) > 0.97


def test_palette_png_with_transparency(digit: np.ndarray) -> None:
    strokes = Image.fromarray(ink_page(digit)).convert("P")  # black on white
    white = next(i for i, c in enumerate(strokes.getpalette()[::3]) if c == 255)
    result = preprocess_bytes(encode(strokes, "PNG", transparency=white))
    assert result.had_alpha and result.mode == "P"
    assert correlation(result.image, digit) > 0.85


@pytest.mark.parametrize("ink", [0, 255], ids=["black-strokes", "white-strokes"])
def test_strokes_on_a_transparent_canvas_survive(digit: np.ndarray, ink: int) -> None:
    alpha = 255 - ink_page(digit)  # opaque where the strokes are
    rgba = np.zeros((280, 280, 4), dtype=np.uint8)  # transparent pixels are (0, 0, 0, 0)
    rgba[:, :, :3] = ink
    rgba[:, :, 3] = alpha
    result = preprocess_bytes(encode(Image.fromarray(rgba), "PNG"))
    assert result.had_alpha
    assert correlation(result.image, digit) > 0.85


def test_opaque_rgba_behaves_like_rgb(digit: np.ndarray) -> None:
    rgb = Image.fromarray(ink_page(digit)).convert("RGB")
    as_rgb = preprocess_bytes(encode(rgb, "PNG"))
    as_rgba = preprocess_bytes(encode(rgb.convert("RGBA"), "PNG"))
    np.testing.assert_array_equal(as_rgba.image, as_rgb.image)
    assert as_rgba.had_alpha and not as_rgb.had_alpha


def test_grey_with_alpha(digit: np.ndarray) -> None:
    alpha = Image.fromarray(255 - ink_page(digit))
    la = Image.merge("LA", [Image.new("L", alpha.size, 20), alpha])
    assert correlation(preprocess_bytes(encode(la, "PNG")).image, digit) > 0.85


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


@pytest.mark.parametrize(
    "mode",
    ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "LAB", "I;16", "I;16B", "I", "F"],
)
def test_every_mode_becomes_unit_grayscale(digit: np.ndarray, mode: str) -> None:
    source = Image.fromarray(ink_page(digit, scale=4))  # (112, 112) black on white
    if mode in ("I;16", "I;16B", "I", "F"):
        scale = {"I;16": 257, "I;16B": 257, "I": 1000, "F": 1 / 255}[mode]
        dtype = {"I;16": "<u2", "I;16B": ">u2", "I": np.int32, "F": np.float32}[mode]
        image = Image.fromarray((np.asarray(source, dtype=np.float64) * scale).astype(dtype))
    else:
        image = source.convert(mode)
    decoded = decode_image(encode(image, "TIFF"))
    assert decoded.mode == mode and decoded.format == "TIFF"
    assert decoded.gray.dtype == np.float32 and decoded.gray.shape == (112, 112)
    assert decoded.gray.min() >= 0.0 and decoded.gray.max() <= 1.0
    assert correlation(preprocess_bytes(encode(image, "TIFF")).image, digit) > 0.85


@pytest.mark.parametrize("format_name", ["PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"])
def test_every_allowed_format_decodes(digit: np.ndarray, format_name: str) -> None:
    result = preprocess_bytes(encode(Image.fromarray(ink_page(digit)).convert("RGB"), format_name))
    assert result.format == format_name
    assert correlation(result.image, digit) > 0.85


# --------------------------------------------------------------------------- API


def test_result_is_frozen_read_only_and_describable(digit: np.ndarray) -> None:
    result = preprocess_bytes(png(ink_page(digit)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.inverted = False  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        result.image[0, 0] = 1.0
    described = json.loads(json.dumps(result.describe()))
    assert described == {
        "format": "PNG",
        "width": 280,
        "height": 280,
        "mode": "L",
        "inverted": True,
        "had_alpha": False,
        "bbox": list(result.bbox),
        "animated": False,
    }


@pytest.mark.parametrize("channels", [None, 1, 2, 3, 4])
def test_preprocess_array_accepts_common_layouts(digit: np.ndarray, channels: int | None) -> None:
    page = ink_page(digit)  # (280, 280) uint8
    if channels is not None:
        page = np.repeat(page[:, :, None], channels, axis=2)
        if channels in (2, 4):
            page[:, :, -1] = 255  # opaque
    result = preprocess_array(page)
    assert result.format == "array" and (result.width, result.height) == (280, 280)
    assert correlation(result.image, digit) > 0.85
    np.testing.assert_allclose(preprocess_array(page / 255.0).image, result.image, atol=1e-5)


@pytest.mark.parametrize(
    "array",
    [np.zeros((0, 5)), np.zeros((5, 5, 5)), np.zeros((2, 3, 4, 5)), np.array(["a"])],
    ids=["empty", "five-channels", "4-d", "strings"],
)
def test_preprocess_array_rejects_bad_arrays(array: np.ndarray) -> None:
    with pytest.raises(InvalidImageError):
        preprocess_array(array)


def test_normalize_digit_returns_image_and_info(digit: np.ndarray) -> None:
    page = ink_page(digit) / 255.0
    image, info = normalize_digit(page)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert info["inverted"] is True
    left, top, right, bottom = info["bbox"]
    ink = np.argwhere(page < 0.5)  # (K, 2) rows, columns
    assert left <= ink[:, 1].min() and right > ink[:, 1].max()
    assert top <= ink[:, 0].min() and bottom > ink[:, 0].max()
    with pytest.raises(EmptyImageError):
        normalize_digit(np.full((50, 40), 0.3))


def test_to_model_input_standardises_real_mnist(digits: np.ndarray) -> None:
    batch = to_model_input(digits)
    assert batch.shape == (len(digits), 28, 28, 1) and batch.dtype == np.float32
    assert abs(float(batch.mean())) < 0.05 and abs(float(batch.std()) - 1) < 0.05
    floats = digits.astype(np.float32) / 255
    np.testing.assert_allclose(to_model_input(floats), batch, atol=1e-5)
    np.testing.assert_allclose(to_model_input(floats[0]), batch[:1], atol=1e-5)
    np.testing.assert_allclose(batch[0, 0, 0, 0], (0 - MNIST_MEAN) / MNIST_STD, rtol=1e-6)


def test_to_model_input_accepts_preprocess_results_without_touching_them(digit: np.ndarray) -> None:
    result = preprocess_bytes(png(ink_page(digit)))
    before = result.image.copy()
    batch = to_model_input(np.stack([result.image, result.image]))
    assert batch.shape == (2, 28, 28, 1)
    np.testing.assert_array_equal(result.image, before)
    np.testing.assert_allclose(batch[0, :, :, 0] * MNIST_STD + MNIST_MEAN, before, atol=1e-6)


@pytest.mark.parametrize(
    "images",
    [np.zeros((3, 28, 27)), np.zeros((28,)), np.full((28, 28), 3.0), np.zeros((2, 28, 28), int)],
    ids=["wrong-size", "1-d", "out-of-range", "int64"],
)
def test_to_model_input_rejects_ambiguous_input(images: np.ndarray) -> None:
    with pytest.raises(ValueError):
        to_model_input(images)


def test_model_core_does_not_import_the_web_stack() -> None:
    code = (
        "import sys, model_core.preprocessing\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'app')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_canvas_upload_is_cheap(digit: np.ndarray) -> None:
    data = render("transparent", digit, np.random.default_rng(SEED))
    preprocess_bytes(data)
    timings = []
    for _ in range(15):
        started = time.process_time()
        preprocess_bytes(data)
        timings.append(time.process_time() - started)
    assert float(np.median(timings)) < 0.02  # generous: about 1-2 ms on an idle core
