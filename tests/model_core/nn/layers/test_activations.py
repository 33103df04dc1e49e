"""Tests for activations.py: ReLU, Sigmoid and Tanh gradients against finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from model_core.nn.layers import Layer, ReLU, Sigmoid, Tanh
from tests.model_core.nn.gradcheck import check_layer_grads


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    magnitude = rng.uniform(0.05, 2.0, size=shape)
    return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 4, 2)], ids=["2d", "4d"])
@pytest.mark.parametrize(
    ("layer_cls", "make_x"),
    [
        pytest.param(ReLU, _away_from_zero, id="relu"),
        pytest.param(Sigmoid, lambda r, s: 3.0 * r.standard_normal(s), id="sigmoid"),
        pytest.param(Tanh, lambda r, s: 2.0 * r.standard_normal(s), id="tanh"),
    ],
)
def test_activation_gradients(
    layer_cls: type[Layer],
    make_x: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray],
    shape: tuple[int, ...],
) -> None:
    rng = np.random.default_rng(70)
    x = make_x(rng, shape)  # any shape

    check_layer_grads(layer_cls(), x, rng)


def test_relu_gradient_is_the_positive_mask() -> None:
    x = np.array([[-2.0, -0.1, 0.1, 3.0]])  # (1, 4)
    relu = ReLU()
    relu.forward(x, training=True)
    np.testing.assert_array_equal(relu.backward(np.full((1, 4), 7.0)), [[0.0, 0.0, 7.0, 7.0]])
