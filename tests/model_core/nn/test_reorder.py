"""Tests for reorder.py: pooling before the ReLU changes neither values nor gradients."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.layers import Conv2D, Dense, Flatten, Layer, MaxPool2D, ReLU
from model_core.nn.losses import softmax_cross_entropy
from model_core.nn.network import Sequential
from model_core.nn.reorder import pool_first, training_network
from tests.model_core.nn.layers.helpers import F64


def _net(seed: int = 0) -> Sequential:
    rng = np.random.default_rng(seed)
    layers: list[Layer] = [
        Conv2D(1, 3, 3, padding=1, rng=rng, dtype=F64),  # (6, 6, 3)
        ReLU(),
        MaxPool2D(2),  # (3, 3, 3)
        Flatten(),  # (27,)
        Dense(27, 4, rng=rng, dtype=F64),  # (4,)
    ]
    return Sequential(layers, (6, 6, 1))


def test_pool_first_moves_each_relu_after_the_pooling_it_feeds() -> None:
    relu, pool, dense, other = ReLU(), MaxPool2D(2), Dense(2, 2), ReLU()
    assert pool_first([relu, pool, dense, other]) == [pool, relu, dense, other]
    assert pool_first([pool, relu]) == [pool, relu]


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
def test_the_reordered_network_has_the_same_values_and_gradients(ties: bool) -> None:
    """With ties, many windows hold equal maxima, and whole windows are negative or zero
    (the conv's bias pushes them down), where both orders must give a zero gradient."""
    rng = np.random.default_rng(1)
    net, twin = _net(), training_network(_net())
    assert [type(layer) for layer in twin.layers][1:3] == [MaxPool2D, ReLU]
    if ties:
        x = rng.integers(0, 2, size=(5, 6, 6, 1)).astype(F64)  # (N, H, W, 1)
        for model in (net, twin):
            model.layers[0].params["weight"][...] = 0.5  # (3, 3, 1, 3)
            model.layers[0].params["bias"][...] = [-2.0, 0.0, -4.5]  # (3,)
    else:
        x = rng.standard_normal((5, 6, 6, 1))  # (N, H, W, 1)
    labels = rng.integers(0, 4, size=5)
    grads = []
    for model in (net, twin):
        logits = model.forward(x, training=True)
        _, dlogits = softmax_cross_entropy(logits, labels)
        model.backward(dlogits)
        grads.append((logits, model.grads))
    np.testing.assert_allclose(grads[1][0], grads[0][0], rtol=1e-12)
    assert grads[1][1].keys() == grads[0][1].keys()
    for name, grad in grads[0][1].items():
        np.testing.assert_allclose(grads[1][1][name], grad, rtol=1e-12, atol=1e-15)


def test_training_the_reordered_network_trains_the_network_itself() -> None:
    net = _net()
    twin = training_network(net)
    assert {id(layer) for layer in twin.layers} == {id(layer) for layer in net.layers}
    assert twin.params.keys() == net.params.keys()
    twin.params["0.weight"] += 1.0
    np.testing.assert_array_equal(net.params["0.weight"], twin.params["0.weight"])
