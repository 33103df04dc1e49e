"""The whole preprocessing pipeline: upload bytes or an array in, a 28x28 MNIST-style digit out.

The stages, in order: decode (decode.py: allow-list, pixel limit, first frame, EXIF turn,
large images reduced), grayscale with transparency resolved (grayscale.py), then
normalize_digit's stages (normalize.py: edge bands, sheet on a desk, polarity, shading, ink
levels, the digit's box, ruled paper, the cut, fit and centre). Deskewing, for models that
ask for it, happens at the model's input (model_input.py), not here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .box import Box
from .decode import DEFAULT_MAX_PIXELS, decode_image
from .grayscale import array_to_gray
from .normalize import normalize_digit


@dataclass(frozen=True)
class PreprocessResult:
    """A normalised digit and what was found on the way (all but `image` JSON-friendly)."""

    image: np.ndarray  # (28, 28) float32 in [0, 1], light digit on dark, read-only
    format: str  # "PNG", "JPEG", ... or "array" for preprocess_array
    width: int  # of the input as displayed (after EXIF orientation)
    height: int
    mode: str  # Pillow mode of the input ("L", "RGBA", "I;16", ...)
    inverted: bool  # the input had dark ink on a light background
    had_alpha: bool  # the input carried an alpha channel or a transparency key
    bbox: Box  # the digit's box in the input's pixels (as displayed)
    animated: bool = False  # the input had several frames; the first was used

    def describe(self) -> dict[str, object]:
        """Everything except the pixels, as plain JSON types."""
        described: dict[str, object] = {
            field.name: getattr(self, field.name) for field in fields(self) if field.name != "image"
        }
        described["bbox"] = list(self.bbox)
        return described


def preprocess_bytes(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> PreprocessResult:
    """Decode an upload and normalise its digit; raises a PreprocessingError subclass."""
    decoded = decode_image(data, max_pixels=max_pixels)  # (h, w) gray, maybe reduced
    image, info = normalize_digit(decoded.gray)  # (28, 28) and the box in (h, w) pixels
    return PreprocessResult(
        image=_read_only(image),
        format=decoded.format,
        width=decoded.width,
        height=decoded.height,
        mode=decoded.mode,
        inverted=info["inverted"],
        had_alpha=decoded.had_alpha,
        bbox=decoded.displayed(info["bbox"]),
        animated=decoded.animated,
    )


def preprocess_array(array: np.ndarray) -> PreprocessResult:
    """Normalise an (H, W) or (H, W, 1|2|3|4) array (uint8, uint16, bool or float)."""
    values = np.asarray(array)
    gray, mode = array_to_gray(values)  # (H, W) transparency resolved
    image, info = normalize_digit(gray)  # (28, 28) and the box in (H, W) pixels
    height, width = gray.shape
    return PreprocessResult(
        image=_read_only(image),
        format="array",
        width=width,
        height=height,
        mode=mode,
        inverted=info["inverted"],
        had_alpha=mode in ("LA", "RGBA"),
        bbox=info["bbox"],
    )


def _read_only(image: np.ndarray) -> np.ndarray:
    image.flags.writeable = False
    return image
