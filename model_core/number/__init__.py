"""Read numbers: a line of handwritten digits, found, cut apart and read left to right."""

from .reader import (
    DEFAULT_MAX_DIGITS,
    DigitReading,
    NumberReading,
    Probabilities,
    Screen,
    read_line,
)
from .reread import UNLIKELY
from .upload import NumberUpload, read_number_array, read_number_bytes

__all__ = [
    "DEFAULT_MAX_DIGITS",
    "UNLIKELY",
    "DigitReading",
    "NumberReading",
    "NumberUpload",
    "Probabilities",
    "Screen",
    "read_line",
    "read_number_array",
    "read_number_bytes",
]
