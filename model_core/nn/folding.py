"""An inference-only copy of a network that computes the same function with fewer passes.

Four rewrites, each exact in evaluation mode:
- a BatchNorm right after a Conv2D or Dense is folded into that layer's weight and bias
  (its running statistics make it an affine map per channel);
- Dropout, the identity outside training, is left out;
- ReLU followed by MaxPool2D becomes MaxPool2D then ReLU (reorder.py: the same values, and
  the ReLU touches a quarter of them);
- a Conv2D that a MaxPool2D follows adds its bias after the pooling, in a Bias layer:
  max(a + b) == max(a) + b for a bias b per channel, in floating point too (adding b rounds
  monotonically), and the bias touches a quarter of the values.

The copy is for forward passes only; the saved network and its parameter names are untouched.
It shares the arrays of the layers it keeps as they are (a forward pass only reads them), so
a served network's weights are held once, not twice. An ensemble's copy is the ensemble of
its members' copies.
"""

from __future__ import annotations

import copy

import numpy as np

from model_core.nn.ensemble import Ensemble, Model
from model_core.nn.layers import BatchNorm, Bias, Conv2D, Dense, Dropout, Layer, MaxPool2D
from model_core.nn.network import Sequential
from model_core.nn.reorder import pool_first


def inference_model(model: Model) -> Model:
    """An inference copy of a network or of every member of an ensemble."""
    if isinstance(model, Ensemble):
        return Ensemble(inference_network(member) for member in model.members)
    return inference_network(model)


def inference_network(net: Sequential) -> Sequential:
    """A new Sequential equal to `net.forward(x, training=False)`, cheaper to run."""
    layers: list[Layer] = []
    for layer in net.layers:
        previous = layers[-1] if layers else None
        if isinstance(layer, Dropout):
            continue
        if isinstance(layer, BatchNorm) and isinstance(previous, Conv2D | Dense):
            _fold(previous, layer)
        else:
            layers.append(_twin(layer))
    return Sequential(_bias_after_pool(pool_first(layers)), net.input_shape)


def _bias_after_pool(layers: list[Layer]) -> list[Layer]:
    """The layers with the bias of each Conv2D that a MaxPool2D follows moved after it."""
    moved: list[Layer] = []
    for layer in layers:
        previous = moved[-1] if moved else None
        moved.append(layer)
        if (
            isinstance(layer, MaxPool2D)
            and isinstance(previous, Conv2D)
            and "bias" in previous.params
        ):
            moved.append(_take_bias(previous))
    return moved


def _take_bias(conv: Conv2D) -> Bias:
    """A Bias sharing `conv`'s bias array, which `conv` (a twin) no longer adds: its params
    and grads become dicts of the weight alone, as a Conv2D built with bias=False holds."""
    bias = Bias(conv.out_channels, dtype=conv.params["bias"].dtype)
    bias.params["bias"] = conv.params["bias"]
    conv.params = {"weight": conv.params["weight"]}
    conv.grads = {"weight": conv.grads["weight"]}
    return bias


def _twin(layer: Layer) -> Layer:
    """A layer like `layer` sharing its arrays, with a grads dict and caches of its own."""
    twin = copy.copy(layer)
    twin.grads = dict(layer.grads)
    return twin


def _fold(layer: Conv2D | Dense, norm: BatchNorm) -> None:
    """Make `layer` (a twin) output what `norm(layer(x))` did, in arrays of its own."""
    weight = layer.params["weight"]  # (..., C)
    bias = layer.params.get("bias", np.zeros(weight.shape[-1], weight.dtype))  # (C,)
    running_var = norm.state["running_var"].astype(np.float64)  # (C,)
    scale = norm.params["gamma"] / np.sqrt(running_var + norm.eps)  # (C,)
    shift = norm.params["beta"] - norm.state["running_mean"] * scale  # (C,)
    layer.params = {
        "weight": (weight * scale).astype(weight.dtype),  # scales the last axis
        "bias": (bias * scale + shift).astype(bias.dtype),
    }
