"""Tests for dense.py: Dense gradients against finite differences."""

from __future__ import annotations

import numpy as np

from model_core.nn.layers import Dense
from tests.model_core.nn.gradcheck import check_layer_grads
from tests.model_core.nn.layers.helpers import F64


def test_dense_gradients() -> None:
    rng = np.random.default_rng(60)
    layer = Dense(7, 4, rng=rng, dtype=F64)
    layer.params["bias"][:] = rng.standard_normal(4)  # (F,)
    x = rng.standard_normal((5, 7))  # (N, D)

    check_layer_grads(layer, x, rng)
