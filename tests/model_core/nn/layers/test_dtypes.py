"""Tests that every layer keeps its input dtype (float32, float64) in outputs, grads and state."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from model_core.nn.layers import (
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)

LayerFactory = Callable[[np.random.Generator, type], Layer]

DTYPE_CASES = [
    pytest.param(lambda r, d: Conv2D(2, 3, 3, 2, 1, rng=r, dtype=d), (2, 5, 6, 2), id="conv2d"),
    pytest.param(lambda r, d: MaxPool2D(2), (2, 4, 5, 3), id="maxpool"),
    pytest.param(lambda r, d: MaxPool2D(3, 2), (2, 5, 5, 3), id="maxpool-overlap"),
    pytest.param(lambda r, d: AvgPool2D(2), (2, 4, 5, 3), id="avgpool"),
    pytest.param(lambda r, d: AvgPool2D(3, 2), (2, 5, 5, 3), id="avgpool-overlap"),
    pytest.param(lambda r, d: Dense(5, 3, rng=r, dtype=d), (4, 5), id="dense"),
    pytest.param(lambda r, d: ReLU(), (2, 3, 4, 2), id="relu"),
    pytest.param(lambda r, d: Sigmoid(), (2, 3, 4, 2), id="sigmoid"),
    pytest.param(lambda r, d: Tanh(), (4, 5), id="tanh"),
    pytest.param(lambda r, d: Flatten(), (2, 3, 4, 2), id="flatten"),
    pytest.param(lambda r, d: Dropout(0.5, rng=r), (4, 6), id="dropout"),
    pytest.param(lambda r, d: BatchNorm(5, dtype=d), (4, 5), id="batchnorm-NC"),
    pytest.param(lambda r, d: BatchNorm(2, dtype=d), (2, 3, 4, 2), id="batchnorm-NHWC"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("make_layer", "x_shape"), DTYPE_CASES)
def test_layer_keeps_input_dtype(
    make_layer: LayerFactory, x_shape: tuple[int, ...], dtype: type
) -> None:
    rng = np.random.default_rng(170)
    layer = make_layer(rng, dtype)
    x = rng.standard_normal(x_shape).astype(dtype)  # (N, ...)

    inference = layer.forward(x, training=False)
    out = layer.forward(x, training=True)
    dx = layer.backward(rng.standard_normal(out.shape).astype(dtype))  # same shape as x

    assert inference.dtype == dtype
    assert out.dtype == dtype
    assert dx is not None and dx.dtype == dtype and dx.shape == x.shape
    for name in layer.params:
        assert layer.params[name].dtype == dtype, name
        assert layer.grads[name].dtype == dtype, name
        assert layer.grads[name].shape == layer.params[name].shape, name
    for name, array in layer.state.items():
        assert array.dtype == dtype, name
