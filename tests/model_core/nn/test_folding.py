"""inference_network: the same outputs as evaluation mode, with BatchNorm and Dropout gone."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from model_core.nn import presets
from model_core.nn.folding import inference_network
from model_core.nn.layers import (
    BatchNorm,
    Bias,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPool2D,
    ReLU,
)
from model_core.nn.network import Sequential
from model_core.nn.reorder import training_network


def trained_looking(name: str, rng: np.random.Generator) -> Sequential:
    """A float64 preset whose BatchNorm layers hold non-trivial learnt values and statistics."""
    net = presets.build(name, rng, dtype=np.float64)
    for layer in net.layers:
        if isinstance(layer, BatchNorm):
            size = layer.num_features
            layer.params["gamma"][...] = rng.uniform(0.5, 2.0, size)
            layer.params["beta"][...] = rng.normal(0.0, 0.5, size)
            layer.state["running_mean"][...] = rng.normal(0.0, 0.5, size)
            layer.state["running_var"][...] = rng.uniform(0.1, 3.0, size)
    for name_, bias in net.params.items():
        if name_.endswith(".bias"):
            bias[...] = rng.normal(0.0, 0.3, bias.shape)
    return net


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_inference_network_matches_evaluation_mode(name: str) -> None:
    rng = np.random.default_rng(3)
    net = trained_looking(name, rng)
    x = rng.normal(size=(5, 28, 28, 1))  # (N, 28, 28, 1)
    expected = net.forward(x, training=False)  # (N, 10)
    np.testing.assert_allclose(inference_network(net).forward(x), expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ["lenet_bn", "vgg_bn"])
def test_inference_network_folds_norms_drops_dropout_and_pools_before_relu(name: str) -> None:
    net = trained_looking(name, np.random.default_rng(0))
    fast = inference_network(net)
    kinds = [type(layer) for layer in fast.layers]
    assert BatchNorm not in kinds and Dropout not in kinds
    assert len(fast.layers) < len(net.layers)
    for before, after in itertools.pairwise(kinds):
        assert not (before is ReLU and after is MaxPool2D)
    assert fast.num_params() < net.num_params()


def test_inference_network_leaves_the_original_untouched() -> None:
    net = trained_looking("vgg_lite", np.random.default_rng(1))
    before = {name: array.copy() for name, array in (net.params | net.state).items()}
    kinds = [type(layer) for layer in net.layers]
    inference_network(net)
    assert [type(layer) for layer in net.layers] == kinds
    assert set(net.params | net.state) == set(before)  # no bias taken out of the original
    for name, array in (net.params | net.state).items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)


def test_inference_network_keeps_float32_weights() -> None:
    net = presets.build("vgg_lite", np.random.default_rng(2))  # float32
    fast = inference_network(net)
    assert {array.dtype for array in fast.params.values()} == {np.dtype(np.float32)}
    x = np.random.default_rng(2).normal(size=(2, 28, 28, 1)).astype(np.float32)
    assert fast.forward(x).dtype == np.float32


def test_inference_network_shares_the_weights_it_does_not_fold() -> None:
    net = trained_looking("vgg_lite", np.random.default_rng(3))  # ends BatchNorm, ..., Dense
    fast = inference_network(net)
    head, fast_head = net.layers[-1], fast.layers[-1]
    assert fast_head.params["weight"] is head.params["weight"]  # held once
    assert fast.layers[0].params["weight"] is not net.layers[0].params["weight"]  # folded
    fast_head.grads["weight"] = np.ones(1)  # a twin's grads are its own
    assert head.grads["weight"].shape == head.params["weight"].shape


def test_a_convolutions_bias_moves_after_its_pooling_and_the_values_stay_exact() -> None:
    """lenet in float32, biases non-zero: only the bias moves (no folding rounds anything),
    so the values are bit for bit those of the network run in pool-first order."""
    rng = np.random.default_rng(4)
    net = presets.build("lenet", rng)  # float32, no BatchNorm
    for name, bias in net.params.items():
        if name.endswith(".bias"):
            bias[...] = rng.normal(0.0, 0.3, bias.shape)
    x = rng.normal(size=(6, 28, 28, 1)).astype(np.float32)  # (N, 28, 28, 1)

    fast = inference_network(net)

    kinds = [type(layer) for layer in fast.layers]
    assert kinds[:4] == [Conv2D, MaxPool2D, Bias, ReLU]
    assert kinds.count(Bias) == 2
    for conv, pool, bias in zip(fast.layers, fast.layers[1:], fast.layers[2:], strict=False):
        if isinstance(pool, MaxPool2D):
            assert isinstance(conv, Conv2D) and "bias" not in conv.params
            assert isinstance(bias, Bias)
    expected = training_network(net).forward(x, training=False)  # pool first, bias in the conv
    np.testing.assert_array_equal(fast.forward(x), expected)


def test_a_norm_after_a_convolution_without_bias_folds_into_one() -> None:
    rng = np.random.default_rng(5)
    net = Sequential(
        [
            Conv2D(1, 4, 3, padding=1, rng=rng, dtype=np.float64, bias=False),
            BatchNorm(4, dtype=np.float64),
            ReLU(),
            MaxPool2D(2),
            Flatten(),
            Dense(4 * 4 * 4, 3, rng=rng, dtype=np.float64),
        ],
        (8, 8, 1),
    )
    norm = net.layers[1]
    norm.params["beta"][...] = rng.normal(0.0, 0.5, 4)
    norm.state["running_mean"][...] = rng.normal(0.0, 0.5, 4)
    norm.state["running_var"][...] = rng.uniform(0.1, 3.0, 4)
    x = rng.normal(size=(3, 8, 8, 1))  # (N, 8, 8, 1)

    fast = inference_network(net)

    assert BatchNorm not in [type(layer) for layer in fast.layers]
    np.testing.assert_allclose(
        fast.forward(x), net.forward(x, training=False), rtol=1e-10, atol=1e-10
    )
