"""inference_network: the same outputs as evaluation mode, with BatchNorm and Dropout gone."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from model_core.nn import presets
from model_core.nn.folding import inference_network
from model_core.nn.layers import BatchNorm, Dropout, MaxPool2D, ReLU
from model_core.nn.network import Sequential


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
