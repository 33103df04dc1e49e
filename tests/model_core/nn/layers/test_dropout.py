"""Tests for dropout.py: training gradients against finite differences, identity at inference."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.layers import Dropout
from tests.model_core.nn.gradcheck import check_layer_grads


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_gradients_in_training(rate: float) -> None:
    rng = np.random.default_rng(90)
    layer = Dropout(rate, rng=np.random.default_rng(91))
    x = rng.standard_normal((6, 10))  # (N, D)

    check_layer_grads(layer, x, rng)

    # The check was not trivial: the mask really zeroed some activations and scaled the rest.
    out = layer.forward(x, training=True)  # (N, D)
    dropped = out == 0.0
    assert 0 < dropped.sum() < x.size
    np.testing.assert_allclose(out[~dropped], x[~dropped] / (1.0 - rate), rtol=1e-15)


def test_dropout_is_the_identity_at_inference() -> None:
    x = np.random.default_rng(195).standard_normal((4, 6))  # (N, D)
    layer = Dropout(0.5, rng=np.random.default_rng(196))

    assert layer.forward(x, training=False) is x
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))
