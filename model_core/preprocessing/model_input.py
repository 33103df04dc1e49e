"""The model's input normalisation, in one place: [0, 1] digits -> standardised NHWC batch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .deskew import deskew as deskew_digits

MNIST_MEAN: float = 0.1307  # mean of MNIST pixels on [0, 1]: the model is trained with it
MNIST_STD: float = 0.3081  # their standard deviation


def to_model_input(images: np.ndarray, deskew: bool = False) -> np.ndarray:
    """(N, 28, 28) or (28, 28) [or trailing 1] in [0, 1] float, or uint8 0..255 -> (N, 28, 28, 1).

    The result is float32 ``(pixel - MNIST_MEAN) / MNIST_STD``, of the deskewed digits when
    `deskew` is set (the model's `input` description says so: `input_options`). Training,
    evaluation and the service all call this, so the model always sees the same input.
    """
    array = np.asarray(images)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]  # (N, 28, 28)
    if array.ndim == 2:
        array = array[np.newaxis]  # (1, 28, 28)
    if array.ndim != 3 or array.shape[1:] != (28, 28):
        raise ValueError(f"expected (N, 28, 28) or (28, 28) images, got {np.shape(images)}")
    batch = _unit_float32(array)  # (N, 28, 28)
    if deskew:
        batch = deskew_digits(batch)  # (N, 28, 28)
    batch -= np.float32(MNIST_MEAN)
    batch *= np.float32(1 / MNIST_STD)
    return batch[..., np.newaxis]  # (N, 28, 28, 1)


def input_options(metadata: Mapping[str, Any]) -> dict[str, bool]:
    """What a saved model's `metadata["input"]` asks of `to_model_input`: {"deskew": bool}.

    Models saved before the key existed read as {"deskew": False}. Anything else than a JSON
    object with boolean values for known keys is a ValueError that names it.
    """
    given = metadata.get("input", {})
    if not isinstance(given, Mapping):
        raise ValueError(f'metadata "input" must be a JSON object, got {given!r}')
    unknown = sorted(set(given) - {"deskew"})
    if unknown:
        raise ValueError(f'metadata "input" has unknown options {unknown}; known: ["deskew"]')
    options = {"deskew": given.get("deskew", False)}
    if not all(isinstance(value, bool) for value in options.values()):
        raise ValueError(f'metadata "input" options must be true or false, got {dict(given)}')
    return options


def _unit_float32(array: np.ndarray) -> np.ndarray:
    """A new float32 copy on [0, 1]: uint8 is divided by 255, floats must already be in range."""
    if array.dtype == np.uint8:
        batch = array.astype(np.float32)  # (N, 28, 28) a new array
        batch *= np.float32(1 / 255)
        return batch
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"expected uint8 or float images, got dtype {array.dtype}")
    batch = array.astype(np.float32)  # always a copy: the caller's array is never modified
    if batch.size and not (float(batch.min()) >= 0.0 and float(batch.max()) <= 1.0):
        raise ValueError("float images must be in [0, 1] (already standardised? pass raw pixels)")
    return batch
