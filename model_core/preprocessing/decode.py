"""Decode uploaded bytes into one grayscale array, refusing anything unsafe or unsupported.

Allow-listed formats only, a pixel limit checked from the header before any pixel is decoded,
the first frame of animations, EXIF orientation applied, and every Pillow failure mapped to one
of the preprocessing errors. No global Pillow or warnings setting is touched, but for one
plugin added: pi-heif's, which decodes HEIC/HEIF (an iPhone's photos) where it is installed.

The pixel limit bounds what is decoded, so it bounds memory. A JPEG over WORKING_MAX_SIDE is
decoded at 1/2, 1/4 or 1/8 scale (libjpeg scales while decoding), so a 24 or 50 megapixel phone
photo costs 6 or 3 megapixels and passes the default limit; other formats are decoded whole.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError, features

from .blocks import reduce_image
from .box import Box, scale_box
from .errors import (
    ImageTooLargeError,
    InvalidImageError,
    PreprocessingError,
    UnsupportedFormatError,
)
from .grayscale import image_to_gray


def _heif() -> tuple[str, ...]:
    """("HEIF",) where pi-heif is installed, its Pillow plugin registered: libheif with the
    libde265 decoder and no encoder. Only the primary image is decoded (no thumbnails, depth
    or auxiliary images), on one thread, as the worker's other stages run."""
    try:
        import pi_heif
    except ImportError:
        return ()
    pi_heif.register_heif_opener(
        thumbnails=False, depth_images=False, aux_images=False, decode_threads=1
    )
    return ("HEIF",)


_AVIF = ("AVIF",) if features.check_module("avif") else ()  # Pillow >= 11.3 built with libavif
# AVIF before HEIF: Pillow tries them in this order, and pi-heif would claim an AVIF file
# branded "mif1" that it has no decoder for.
ALLOWED_FORMATS: tuple[str, ...] = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF", *_AVIF, *_heif())
DEFAULT_MAX_PIXELS = 16_000_000  # decoded; far below Pillow's 89M
MAX_DECLARED_PIXELS = 89_000_000  # any image's header; Pillow warns (a "bomb") above 89.5M
WORKING_MAX_SIDE = 2048  # larger images are reduced (box filter) before normalisation

_ALLOWED_MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
                  (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "BMP"))  # fmt: skip
_ISO_BRANDS = {b"heic": "HEIF", b"heix": "HEIF", b"hevc": "HEIF", b"heim": "HEIF",
               b"heis": "HEIF", b"mif1": "HEIF", b"msf1": "HEIF", b"avif": "AVIF",
               b"avis": "AVIF"}  # fmt: skip
_HINTS = {
    "HEIF": " (an iPhone photo: share it as JPEG, or set Settings > Camera > Formats to"
    " Most Compatible)",
    "SVG": " (render it to PNG first)",
    "PDF": " (export the page as PNG or JPEG)",
}
# libheif decodes a HEIC whole, where libjpeg scales a large JPEG down while decoding.
_TOO_LARGE_HINTS = {"HEIF": " (a HEIC is decoded whole: send the photo as JPEG instead)"}


@dataclass(frozen=True)
class DecodedImage:
    """The first frame of an upload as grayscale, with what was learnt while decoding it."""

    gray: np.ndarray  # (h, w) float32 in [0, 1], alpha composited, polarity as uploaded
    format: str  # Pillow's format name, e.g. "PNG"
    width: int  # as displayed (after EXIF orientation), before any reduction of `gray`
    height: int
    mode: str  # Pillow mode of the file, e.g. "RGBA"
    had_alpha: bool  # alpha channel or transparency key present
    animated: bool  # more than one frame (only the first is used)

    def displayed(self, box: Box) -> Box:
        """A box of `gray`'s pixels -> the same box in the image's pixels as displayed."""
        scale = (self.height / self.gray.shape[0], self.width / self.gray.shape[1])
        return scale_box(box, scale, (self.height, self.width))


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> DecodedImage:
    """Decode an upload; raise InvalidImage/UnsupportedFormat/ImageTooLarge errors."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    if max_pixels < 1:
        raise ValueError("max_pixels must be at least 1")
    payload = bytes(data)
    if not payload:
        raise InvalidImageError("the upload is empty")
    image = _open(payload)
    try:
        with _pillow_errors():
            return _decode_opened(image, max_pixels)
    finally:
        image.close()


def _decode_opened(image: Image.Image, max_pixels: int) -> DecodedImage:
    width, height = image.size
    format_name, mode, had_alpha = str(image.format), image.mode, image.has_transparency_data
    factor = math.ceil(max(width, height) / WORKING_MAX_SIDE)
    if factor > 1 and format_name in ("JPEG", "MPO"):  # sets the reduced size, decodes nothing
        image.draft(image.mode, (math.ceil(width / factor), math.ceil(height / factor)))
    _check_size(*image.size, max_pixels, (width, height), _TOO_LARGE_HINTS.get(format_name, ""))
    _check_size(width, height, max(max_pixels, MAX_DECLARED_PIXELS))
    animated = _is_animated(image)  # after the checks: it may read past the first frame
    image.load()
    stored_size = image.size
    with contextlib.suppress(Exception):  # broken EXIF: keep the pixels as stored
        ImageOps.exif_transpose(image, in_place=True)
    if image.size != stored_size:  # rotated by a quarter turn
        width, height = height, width
    gray = _reduce(image_to_gray(image))  # (h, w)
    return DecodedImage(gray, format_name, width, height, mode, had_alpha, animated)


def _open(payload: bytes) -> Image.Image:
    """Open (header only) with the allow-list; explain what the bytes are when that fails."""
    try:
        return Image.open(io.BytesIO(payload), formats=ALLOWED_FORMATS)
    except UnidentifiedImageError:
        raise _unidentified(payload) from None
    except Exception as error:
        raise _translate(error) from error


def _unidentified(payload: bytes) -> PreprocessingError:
    allowed_name = next((name for magic, name in _ALLOWED_MAGIC if payload.startswith(magic)), None)
    if allowed_name is not None:
        return InvalidImageError(f"the {allowed_name} file is corrupt")
    name = _sniff(payload) or _identify_any(payload)
    if name is None:
        return InvalidImageError("the upload is not a recognised image")
    if name in ALLOWED_FORMATS:  # sniffed from its header, yet Pillow could not open it
        return InvalidImageError(f"the {name} file is corrupt")
    allowed = ", ".join(ALLOWED_FORMATS)
    hint = _HINTS.get(name, "")
    return UnsupportedFormatError(f"unsupported image format {name}; send one of {allowed}{hint}")


def _sniff(payload: bytes) -> str | None:
    """Name formats users send that Pillow cannot open (SVG, PDF, HEIF; AVIF without libavif)."""
    head = payload[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or (
        head.startswith(b"<") and b"<svg" in head
    ):
        return "SVG"
    if payload.startswith(b"%PDF-"):
        return "PDF"
    if payload[4:8] == b"ftyp":
        return _ISO_BRANDS.get(payload[8:12])
    return None


def _identify_any(payload: bytes) -> str | None:
    """The format name if any Pillow plugin recognises the header, else None."""
    try:
        with Image.open(io.BytesIO(payload)) as image:
            return str(image.format)
    except Exception:
        return None


def _check_size(
    width: int,
    height: int,
    max_pixels: int,
    declared: tuple[int, int] | None = None,
    hint: str = "",
) -> None:
    """Refuse width x height over `max_pixels`; `declared` is the full size of a reduced decode,
    `hint` what the message adds."""
    if width < 1 or height < 1:
        raise InvalidImageError(f"the image has no pixels ({width}x{height})")
    if width * height <= max_pixels:
        return
    size = f"{width}x{height} = {width * height:,} pixels"
    if declared is not None and declared != (width, height):
        size = f"{declared[0]}x{declared[1]} pixels, {size} decoded at reduced scale"
    raise ImageTooLargeError(f"the image has {size}; the limit is {max_pixels:,}{hint}")


def _is_animated(image: Image.Image) -> bool:
    try:
        return bool(getattr(image, "is_animated", False))
    except Exception:  # a later frame is broken: the first one may still be fine
        image.seek(0)
        return False


def _reduce(gray: np.ndarray) -> np.ndarray:
    """Box-reduce (h, w) so that its longer side is at most WORKING_MAX_SIDE."""
    return reduce_image(gray, math.ceil(max(gray.shape) / WORKING_MAX_SIDE))  # (h/f, w/f)


@contextlib.contextmanager
def _pillow_errors() -> Iterator[None]:
    """Let preprocessing errors through; turn anything Pillow raises into one of them."""
    try:
        yield
    except PreprocessingError:
        raise
    except Exception as error:
        raise _translate(error) from error


def _translate(error: Exception) -> PreprocessingError:
    if isinstance(error, Image.DecompressionBombError | Image.DecompressionBombWarning):
        return ImageTooLargeError("the image has too many pixels (decompression bomb)")
    if isinstance(error, MemoryError):
        return ImageTooLargeError("the image needs too much memory to decode")
    return InvalidImageError(f"the image is corrupt or truncated ({type(error).__name__})")
