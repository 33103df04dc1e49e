"""Tests for bias.py: the Bias layer's values, gradients and shape checks."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.layers import Bias
from tests.model_core.nn.gradcheck import check_layer_grads
from tests.model_core.nn.layers.helpers import F64


def test_bias_adds_one_value_per_channel() -> None:
    layer = Bias(3, dtype=F64)
    layer.params["bias"][...] = [1.0, -2.0, 0.5]
    x = np.zeros((2, 4, 5, 3))  # (N, H, W, C)

    out = layer.forward(x)

    np.testing.assert_array_equal(out[1, 3, 4], [1.0, -2.0, 0.5])
    np.testing.assert_array_equal(out[0, 0, 0], out[1, 2, 3])


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5, 4)], ids=["features", "images"])
def test_bias_gradients(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(520)
    layer = Bias(shape[-1], dtype=F64)
    layer.params["bias"][...] = rng.standard_normal(shape[-1])

    errors = check_layer_grads(layer, rng.standard_normal(shape), rng)

    assert set(errors) == {"dx", "bias"}


def test_bias_refuses_another_channel_count() -> None:
    with pytest.raises(ValueError, match="4 channels"):
        Bias(4).output_shape((5, 5, 3))
    with pytest.raises(ValueError, match="channels must be"):
        Bias(0)
