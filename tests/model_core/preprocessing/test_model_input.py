"""Tests for model_input.py: standardising [0, 1] digits into the model's NHWC batch."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing import MNIST_MEAN, MNIST_STD, preprocess_bytes, to_model_input
from tests.model_core.preprocessing.helpers import ink_page, png


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
