"""Tests for errors.py: one hierarchy of ValueError subclasses with messages."""

from __future__ import annotations

from model_core.preprocessing import (
    EmptyImageError,
    ImageTooLargeError,
    InvalidImageError,
    PreprocessingError,
    UnsupportedFormatError,
)


def test_error_classes_form_one_hierarchy_with_messages() -> None:
    for error_class in (InvalidImageError, UnsupportedFormatError, ImageTooLargeError):
        error = error_class()
        assert isinstance(error, PreprocessingError) and isinstance(error, ValueError)
        assert str(error) and error.message == str(error)
    assert str(EmptyImageError()) == "no digit found in the image"
