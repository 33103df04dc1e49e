"""Tests for flatten.py: Flatten gradients against finite differences."""

from __future__ import annotations

import numpy as np

from model_core.nn.layers import Flatten
from tests.model_core.nn.gradcheck import check_layer_grads


def test_flatten_gradients() -> None:
    rng = np.random.default_rng(80)
    x = rng.standard_normal((2, 3, 4, 5))  # (N, H, W, C)

    check_layer_grads(Flatten(), x, rng)
