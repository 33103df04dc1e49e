"""Tests for the Layer.input_grad switch: off returns no dx and leaves parameter gradients equal."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from model_core.nn.layers import Conv2D, Dense, Layer
from tests.model_core.nn.layers.helpers import F64


@pytest.mark.parametrize(
    ("make_layer", "x_shape"),
    [
        pytest.param(
            lambda rng: Conv2D(2, 3, 3, stride=2, padding=1, rng=rng, dtype=F64),
            (2, 5, 6, 2),
            id="conv2d",
        ),
        pytest.param(lambda rng: Dense(5, 3, rng=rng, dtype=F64), (4, 5), id="dense"),
    ],
)
def test_input_grad_off_returns_none_and_same_param_grads(
    make_layer: Callable[[np.random.Generator], Layer], x_shape: tuple[int, ...]
) -> None:
    rng = np.random.default_rng(160)
    layer = make_layer(rng)
    x = rng.standard_normal(x_shape)  # (N, ...)
    dout = rng.standard_normal(layer.forward(x).shape)  # (N, ...) output shape

    layer.forward(x, training=True)
    dx = layer.backward(dout)
    with_dx = {name: g.copy() for name, g in layer.grads.items()}
    for g in layer.grads.values():
        g[...] = np.nan  # stale values must be overwritten, not kept

    layer.input_grad = False
    layer.forward(x, training=True)
    assert layer.backward(dout) is None

    assert dx is not None and dx.shape == x.shape
    assert set(layer.grads) == set(with_dx)
    for name, g in with_dx.items():
        np.testing.assert_array_equal(layer.grads[name], g)
