"""Tests for model_input.py: standardising [0, 1] digits into the model's NHWC batch."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing import (
    MNIST_MEAN,
    MNIST_STD,
    input_options,
    preprocess_bytes,
    to_model_input,
)
from model_core.preprocessing.deskew import deskew
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


def test_to_model_input_deskews_when_asked(digits: np.ndarray) -> None:
    floats = digits[:50].astype(np.float32) / 255
    batch = to_model_input(digits[:50], deskew=True)
    expected = (deskew(floats) - MNIST_MEAN) / MNIST_STD
    np.testing.assert_allclose(batch[..., 0], expected, atol=1e-4)
    assert np.abs(batch - to_model_input(digits[:50])).max() > 1  # it did change the digits


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [({}, False), ({"input": {}}, False), ({"input": {"deskew": True}}, True)],
)
def test_input_options_read_the_models_metadata(metadata: dict, expected: bool) -> None:
    assert input_options(metadata) == {"deskew": expected}


@pytest.mark.parametrize(
    ("given", "named"),
    [([1], "JSON object"), ({"deskew": 1}, "true or false"), ({"blur": True}, "blur")],
)
def test_input_options_refuse_what_they_do_not_know(given: object, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        input_options({"input": given})
