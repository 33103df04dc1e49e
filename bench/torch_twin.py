"""The PyTorch twin of a NumPy `Sequential`: the same layers and weights, NCHW input.

Conv2D weights (k, k, C_in, C_out) become (C_out, C_in, k, k); the first Dense after a Flatten
gets its rows permuted from our (H, W, C) flatten order to torch's (C, H, W); BatchNorm copies
gamma, beta, running statistics, eps and momentum. `torch_grads` reads the twin's gradients
back in our names and layouts. Used by bench/torch_parity.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from model_core.nn.network import Sequential

TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


def to_torch(network: Sequential) -> nn.Sequential:
    """The PyTorch twin of `network` (NCHW input), with the same weights and dtype."""
    modules: list[nn.Module] = []
    flattened: tuple[int, ...] | None = None  # (H, W, C) of the last Flatten, until a Dense
    shape = network.input_shape
    for layer, out_shape in zip(network.layers, network.shapes, strict=True):
        kind = type(layer).__name__
        if kind == "Flatten":
            flattened = shape
        elif kind in ("BatchNorm", "Conv2D", "MaxPool2D", "AvgPool2D") and flattened is not None:
            raise ValueError(f"{kind} between Flatten and Dense is not supported")
        modules.append(_module(layer, shape, flattened if kind == "Dense" else None))
        if kind == "Dense":
            flattened = None
        shape = out_shape
    model = nn.Sequential(*modules)
    first = next(iter(network.params.values()))
    return model.to(TORCH_DTYPES[first.dtype])


def _module(layer: Any, in_shape: tuple[int, ...], flattened: tuple[int, ...] | None) -> nn.Module:
    kind = type(layer).__name__
    simple: dict[str, Callable[[], nn.Module]] = {
        "ReLU": nn.ReLU,
        "Sigmoid": nn.Sigmoid,
        "Tanh": nn.Tanh,
        "Flatten": nn.Flatten,
        "MaxPool2D": lambda: nn.MaxPool2d(layer.kernel_size, layer.stride),
        "AvgPool2D": lambda: nn.AvgPool2d(layer.kernel_size, layer.stride),
        "Dropout": lambda: nn.Dropout(layer.rate),
    }
    if kind in simple:
        return simple[kind]()
    if kind == "Conv2D":
        return _conv(layer)
    if kind == "Dense":
        return _linear(layer, flattened)
    if kind == "BatchNorm":
        return _batchnorm(layer, spatial=len(in_shape) == 3)
    raise ValueError(f"no PyTorch twin for layer type {kind}")


def _tensor(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(array))


def _conv(layer: Any) -> nn.Conv2d:
    conv = nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                     stride=layer.stride, padding=layer.padding,
                     bias="bias" in layer.params)  # fmt: skip
    weight = layer.params["weight"].transpose(3, 2, 0, 1)  # (k, k, Ci, Co) -> (Co, Ci, k, k)
    _assign(conv, weight=weight)
    if "bias" in layer.params:
        _assign(conv, bias=layer.params["bias"])
    return conv


def flatten_rows(weight: np.ndarray, hwc: tuple[int, ...]) -> np.ndarray:
    """Dense weight rows in our (H, W, C) flatten order -> torch's (C, H, W) order."""
    height, width, channels = hwc
    out_features = weight.shape[1]
    grid = weight.reshape(height, width, channels, out_features)
    return grid.transpose(2, 0, 1, 3).reshape(-1, out_features)  # (C*H*W, F)


def unflatten_rows(weight: np.ndarray, hwc: tuple[int, ...]) -> np.ndarray:
    """The inverse of `flatten_rows`: torch's (C, H, W) row order back to our (H, W, C)."""
    height, width, channels = hwc
    grid = weight.reshape(channels, height, width, weight.shape[1])
    return grid.transpose(1, 2, 0, 3).reshape(-1, weight.shape[1])


def _linear(layer: Any, flattened: tuple[int, ...] | None) -> nn.Linear:
    linear = nn.Linear(layer.in_features, layer.out_features)
    weight = layer.params["weight"]  # (D, F)
    if flattened is not None and len(flattened) == 3:
        weight = flatten_rows(weight, flattened)
    _assign(linear, weight=weight.T, bias=layer.params["bias"])
    return linear


def _batchnorm(layer: Any, spatial: bool) -> nn.Module:
    kind = nn.BatchNorm2d if spatial else nn.BatchNorm1d
    norm = kind(layer.num_features, eps=layer.eps, momentum=layer.momentum)
    _assign(norm, weight=layer.params["gamma"], bias=layer.params["beta"])
    assert norm.running_mean is not None and norm.running_var is not None  # tracked by default
    with torch.no_grad():
        norm.running_mean.copy_(_tensor(layer.state["running_mean"]))
        norm.running_var.copy_(_tensor(layer.state["running_var"]))
    return norm


def _assign(module: nn.Module, **arrays: np.ndarray) -> None:
    for name, array in arrays.items():
        setattr(module, name, nn.Parameter(_tensor(array).clone()))


def torch_grads(network: Sequential, model: nn.Sequential) -> dict[str, np.ndarray]:
    """The torch model's parameter gradients, named and laid out like `network.grads`."""
    grads: dict[str, np.ndarray] = {}
    flattened: tuple[int, ...] | None = None
    shape = network.input_shape
    for index, (layer, module) in enumerate(zip(network.layers, model, strict=True)):
        kind = type(layer).__name__
        flattened = shape if kind == "Flatten" else flattened
        if kind == "Conv2D":
            grads[f"{index}.weight"] = _numpy(module.weight.grad).transpose(2, 3, 1, 0)
            if module.bias is not None:
                grads[f"{index}.bias"] = _numpy(module.bias.grad)
        elif kind == "Dense":
            weight = _numpy(module.weight.grad).T  # (D, F) in torch's row order
            if flattened is not None and len(flattened) == 3:
                weight = unflatten_rows(weight, flattened)
            grads[f"{index}.weight"], grads[f"{index}.bias"] = weight, _numpy(module.bias.grad)
            flattened = None
        elif kind == "BatchNorm":
            grads[f"{index}.gamma"] = _numpy(module.weight.grad)
            grads[f"{index}.beta"] = _numpy(module.bias.grad)
        shape = layer.output_shape(shape)
    return grads


def _numpy(tensor: object) -> np.ndarray:
    assert isinstance(tensor, torch.Tensor), "no gradient: was backward() called?"
    return tensor.detach().cpu().numpy()


def nchw(x: np.ndarray) -> torch.Tensor:
    return _tensor(x).permute(0, 3, 1, 2)  # (N, H, W, C) -> (N, C, H, W)
