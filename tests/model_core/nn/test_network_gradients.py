"""Tests for network.py: whole-Sequential gradients, alone and through the loss."""

from __future__ import annotations

import numpy as np

from model_core.nn.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D, ReLU
from model_core.nn.losses import softmax_cross_entropy
from model_core.nn.network import Sequential
from tests.model_core.nn.gradcheck import check_layer_grads, numerical_grad, rel_error
from tests.model_core.nn.layers.helpers import F64


def _small_net(rng: np.random.Generator) -> Sequential:
    layers: list[Layer] = [
        Conv2D(2, 3, 3, padding=1, rng=rng, dtype=F64),  # (6, 5, 3)
        BatchNorm(3, dtype=F64),
        ReLU(),
        MaxPool2D(2),  # (3, 2, 3)
        Flatten(),  # (18,)
        Dense(18, 6, rng=rng, dtype=F64),
        Dropout(0.3, rng=np.random.default_rng(141)),
        Dense(6, 4, rng=rng, dtype=F64),  # (4,)
    ]
    net = Sequential(layers, (6, 5, 2))
    for name, p in net.params.items():
        if name.endswith(("bias", "beta")):
            p[:] = 0.1 * rng.standard_normal(p.shape)
    return net


def test_sequential_gradients_end_to_end() -> None:
    rng = np.random.default_rng(140)
    net = _small_net(rng)
    net.layers[0].input_grad = True
    x = rng.standard_normal((3, 6, 5, 2))  # (N, H, W, C)

    # The conv bias feeds BatchNorm, which subtracts the batch mean: its gradient is exactly 0.
    errors = check_layer_grads(net, x, rng, zero_grads={"0.bias"})

    assert set(errors) == {"dx", *net.params}


def test_sequential_gradients_through_the_loss() -> None:
    """d loss / d param of the full training objective (logits -> softmax cross-entropy)."""
    rng = np.random.default_rng(150)
    net = _small_net(rng)
    x = rng.standard_normal((4, 6, 5, 2))  # (N, H, W, C)
    labels = np.array([0, 3, 2, 1])  # (N,)

    def loss() -> float:
        net.layers[6].rng = np.random.default_rng(7)  # the same dropout mask every time
        return softmax_cross_entropy(net.forward(x, training=True), labels, 0.1)[0]

    net.layers[6].rng = np.random.default_rng(7)
    _, dlogits = softmax_cross_entropy(net.forward(x, training=True), labels, 0.1)  # (N, 4)
    assert net.backward(dlogits) is None  # the first layer's input gradient is switched off
    analytic = {name: g.copy() for name, g in net.grads.items()}

    for name, p in net.params.items():
        numerical = numerical_grad(loss, p)
        if name == "0.bias":  # feeds BatchNorm: the true gradient is identically zero
            assert np.max(np.abs(analytic[name])) < 1e-12
            assert np.max(np.abs(numerical)) < 1e-8
        else:
            assert rel_error(analytic[name], numerical) < 1e-6, name
