"""Turn whatever a user uploads into the 28x28 input the network expects.

Shared by the web service, the predict script and evaluation. Errors are plain exceptions
(subclasses of ``PreprocessingError``, itself a ``ValueError``); the service maps them to
HTTP statuses: InvalidImage 400, UnsupportedFormat 415, ImageTooLarge 413, EmptyImage 422.
"""

from .decode import ALLOWED_FORMATS, DEFAULT_MAX_PIXELS, DecodedImage, decode_image
from .errors import (
    EmptyImageError,
    ImageTooLargeError,
    InvalidImageError,
    PreprocessingError,
    UnsupportedFormatError,
)
from .model_input import MNIST_MEAN, MNIST_STD, input_options, to_model_input
from .normalize import DigitInfo, normalize_digit
from .pipeline import PreprocessResult, preprocess_array, preprocess_bytes

__all__ = [
    "ALLOWED_FORMATS",
    "DEFAULT_MAX_PIXELS",
    "MNIST_MEAN",
    "MNIST_STD",
    "DecodedImage",
    "DigitInfo",
    "EmptyImageError",
    "ImageTooLargeError",
    "InvalidImageError",
    "PreprocessResult",
    "PreprocessingError",
    "UnsupportedFormatError",
    "decode_image",
    "input_options",
    "normalize_digit",
    "preprocess_array",
    "preprocess_bytes",
    "to_model_input",
]
