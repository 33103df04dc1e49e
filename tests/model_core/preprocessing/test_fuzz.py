"""Property tests: whatever arrives, preprocessing gives a valid digit or one of its own errors."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from model_core.preprocessing import (
    EmptyImageError,
    ImageTooLargeError,
    InvalidImageError,
    PreprocessResult,
    UnsupportedFormatError,
    preprocess_array,
    preprocess_bytes,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL")  # Pillow notes corrupt EXIF
DEFINED_ERRORS = (InvalidImageError, UnsupportedFormatError, ImageTooLargeError, EmptyImageError)
FUZZ = settings(
    max_examples=120,
    deadline=None,  # Pillow's first call of a codec is slow; the budget is set by max_examples
    derandomize=True,  # the same examples on every run and machine
    suppress_health_check=[HealthCheck.too_slow],
)
# Formats each mode can be written to (Pillow converts where a format needs it).
FORMATS_BY_MODE: dict[str, tuple[str, ...]] = {
    "1": ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP"),
    "L": ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP"),
    "LA": ("PNG", "GIF", "TIFF", "WEBP"),
    "P": ("PNG", "BMP", "GIF", "TIFF", "WEBP"),
    "RGB": ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP"),
    "RGBA": ("PNG", "BMP", "GIF", "TIFF", "WEBP"),
    "CMYK": ("JPEG", "TIFF", "WEBP"),
    "I;16": ("PNG", "TIFF"),
}


def check_outcome(call: Callable[[], PreprocessResult]) -> None:
    """The call returns a valid 28x28 digit or raises one of the defined errors, nothing else."""
    try:
        result = call()
    except DEFINED_ERRORS as error:
        assert str(error)
        return
    assert result.image.shape == (28, 28) and result.image.dtype == np.float32
    assert np.isfinite(result.image).all()
    assert result.image.min() >= 0.0 and result.image.max() <= 1.0
    left, top, right, bottom = result.bbox
    assert 0 <= left < right <= result.width and 0 <= top < bottom <= result.height


def pixels(kind: str, height: int, width: int, channels: int, seed: int) -> np.ndarray:
    """(height, width, channels) uint8 content of a given kind, from an explicit generator."""
    rng = np.random.default_rng(seed)
    shape = (height, width, channels)
    if kind == "uniform":
        return np.broadcast_to(rng.integers(0, 256, channels), shape).astype(np.uint8)
    if kind == "noise":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    canvas = np.full(shape, 255, dtype=np.uint8)  # "strokes": a few dark bars on white
    for _ in range(int(rng.integers(1, 4))):
        top, left = rng.integers(0, height), rng.integers(0, width)
        canvas[top : top + max(1, height // 3), left : left + max(1, width // 8)] = 0
    return canvas


@st.composite
def uploads(draw: st.DrawFn) -> bytes:
    """A small image of a random mode, size and content, encoded in a random allowed format."""
    mode = draw(st.sampled_from(sorted(FORMATS_BY_MODE)))
    format_name = draw(st.sampled_from(FORMATS_BY_MODE[mode]))
    height, width = draw(st.integers(1, 64)), draw(st.integers(1, 64))
    kind = draw(st.sampled_from(["uniform", "noise", "strokes"]))
    content = pixels(kind, height, width, 4, draw(st.integers(0, 2**32 - 1)))
    if mode == "I;16":
        image = Image.fromarray(content[:, :, 0].astype(np.uint16) * 257)
    else:
        image = Image.fromarray(content).convert(mode)
    options = {}
    if mode == "P" and format_name in ("PNG", "GIF") and draw(st.booleans()):
        options["transparency"] = draw(st.integers(0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format=format_name, **options)
    return buffer.getvalue()


@st.composite
def damaged_uploads(draw: st.DrawFn) -> bytes:
    """A valid upload with some bytes overwritten and possibly cut short."""
    data = bytearray(draw(uploads()))
    for position in draw(st.lists(st.integers(0, len(data) - 1), max_size=8)):
        data[position] = draw(st.integers(0, 255))
    cut = draw(st.integers(1, len(data)))
    return bytes(data[:cut])


@FUZZ
@given(st.binary(max_size=2048))
def test_any_bytes_give_a_digit_or_a_defined_error(data: bytes) -> None:
    check_outcome(lambda: preprocess_bytes(data))


@FUZZ
@given(uploads())
def test_random_small_images_of_every_mode_and_format(data: bytes) -> None:
    check_outcome(lambda: preprocess_bytes(data))


@FUZZ
@given(damaged_uploads())
def test_damaged_images_give_a_digit_or_a_defined_error(data: bytes) -> None:
    check_outcome(lambda: preprocess_bytes(data))


@FUZZ
@given(uploads(), st.integers(1, 5000))
def test_small_pixel_limits_are_enforced(data: bytes, max_pixels: int) -> None:
    check_outcome(lambda: preprocess_bytes(data, max_pixels=max_pixels))
    try:
        result = preprocess_bytes(data, max_pixels=max_pixels)
    except DEFINED_ERRORS:
        return
    assert result.width * result.height <= max_pixels


@FUZZ
@given(
    st.integers(1, 48),
    st.integers(1, 48),
    st.sampled_from([None, 1, 2, 3, 4]),
    st.sampled_from(["uint8", "uint16", "int32", "float32", "float64", "bool"]),
    st.sampled_from(["uniform", "noise", "strokes"]),
    st.integers(0, 2**32 - 1),
    st.sampled_from([None, np.nan, np.inf, -np.inf, -3.0, 1e9]),
)
def test_random_arrays_give_a_digit_or_a_defined_error(
    height: int,
    width: int,
    channels: int | None,
    dtype: str,
    kind: str,
    seed: int,
    special: float | None,
) -> None:
    array = pixels(kind, height, width, channels or 1, seed)
    array = array[:, :, 0] if channels is None else array
    values = array.astype(dtype) if dtype != "bool" else array > 127
    if special is not None and values.dtype.kind == "f":
        values.flat[seed % values.size] = special
    check_outcome(lambda: preprocess_array(values))
