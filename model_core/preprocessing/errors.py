"""The exceptions preprocessing raises: one class per way an upload can be refused.

They are plain ``ValueError`` subclasses so that model_core stays free of any web framework;
the service maps each class to an HTTP status (noted on each class).
"""

from __future__ import annotations


class PreprocessingError(ValueError):
    """Base class: the upload cannot be turned into a digit image. ``message`` is for humans."""

    default_message = "the image could not be processed"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidImageError(PreprocessingError):
    """Not an image at all, or a corrupt or truncated one (HTTP 400)."""

    default_message = "the upload is not a valid image"


class UnsupportedFormatError(PreprocessingError):
    """A real image, but in a format outside the allow-list (HTTP 415)."""

    default_message = "unsupported image format"


class ImageTooLargeError(PreprocessingError):
    """The image has more pixels than allowed, e.g. a decompression bomb (HTTP 413)."""

    default_message = "the image has too many pixels"


class EmptyImageError(PreprocessingError):
    """The image decodes but shows no digit: blank, uniform, transparent or noise (HTTP 422)."""

    default_message = "no digit found in the image"


class TooManyDigitsError(PreprocessingError):
    """A number holds more digits than the reader is allowed to return (HTTP 422)."""

    default_message = "the image holds more digits than allowed"


class SeveralLinesError(PreprocessingError):
    """A number is one line of digits; the image holds several, one above the other (HTTP 422)."""

    default_message = "the image holds several lines of digits; send one line at a time"
