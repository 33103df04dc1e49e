"""A number from upload bytes or an array: decoded as /predict decodes, then read as a line.

Boxes are given in the upload's pixels as displayed (after EXIF orientation, before any
reduction of a large image), as PreprocessResult gives a single digit's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from model_core.preprocessing.decode import DEFAULT_MAX_PIXELS, decode_image
from model_core.preprocessing.grayscale import array_to_gray

from .reader import DEFAULT_MAX_DIGITS, NumberReading, Probabilities, Screen, read_line
from .reread import SequenceReader
from .shapes import ShapeLook


@dataclass(frozen=True)
class NumberUpload:
    """A number read from an upload, and what was learnt of the upload on the way."""

    reading: NumberReading
    format: str  # "PNG", "JPEG", ... or "array"
    width: int  # as displayed
    height: int
    mode: str  # Pillow mode of the input
    had_alpha: bool
    animated: bool = False

    def describe(self) -> dict[str, object]:
        """The upload as /predict's `preprocessing` describes it, JSON-friendly."""
        return {
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "mode": self.mode,
            "inverted": self.reading.inverted,
            "had_alpha": self.had_alpha,
            "bbox": list(self.reading.box),
            "animated": self.animated,
        }


def read_number_bytes(
    data: bytes,
    probabilities: Probabilities,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_digits: int = DEFAULT_MAX_DIGITS,
    verifier: Probabilities | None = None,
    sequence: SequenceReader | None = None,
    screen: Screen | None = None,
    shapes: ShapeLook | None = None,
) -> NumberUpload:
    """Decode an upload and read its number (read_line: `verifier` scores the cuts,
    `sequence` reads touching digits whole, `screen` scores the candidates' digits, `shapes`
    flags shapes that hold no digit); raises a PreprocessingError subclass."""
    decoded = decode_image(data, max_pixels=max_pixels)  # (h, w) gray, maybe reduced
    reading = read_line(decoded.gray, probabilities, max_digits, verifier, sequence, screen, shapes)
    digits = [replace(d, box=decoded.displayed(d.box)) for d in reading.digits]
    return NumberUpload(
        reading=replace(reading, digits=digits),
        format=decoded.format,
        width=decoded.width,
        height=decoded.height,
        mode=decoded.mode,
        had_alpha=decoded.had_alpha,
        animated=decoded.animated,
    )


def read_number_array(
    array: np.ndarray,
    probabilities: Probabilities,
    *,
    max_digits: int = DEFAULT_MAX_DIGITS,
    verifier: Probabilities | None = None,
    sequence: SequenceReader | None = None,
    screen: Screen | None = None,
    shapes: ShapeLook | None = None,
) -> NumberUpload:
    """Read the number in an (H, W) or (H, W, 1|2|3|4) array (uint8, uint16, bool or float)."""
    gray, mode = array_to_gray(np.asarray(array))  # (H, W) transparency resolved
    reading = read_line(gray, probabilities, max_digits, verifier, sequence, screen, shapes)
    height, width = gray.shape
    return NumberUpload(reading, "array", width, height, mode, mode in ("LA", "RGBA"))
