"""Named architectures: build a network from a short name."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from model_core.nn.layers import (
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
)
from model_core.nn.network import Sequential

MNIST_SHAPE = (28, 28, 1)
DType = np.dtype | type


def seed(rng: np.random.Generator, dtype: DType = np.float32) -> list[Layer]:
    """The original design: Conv 8 3x3 (28->26), MaxPool 2 (->13x13x8), Dense 1352->10."""
    return [
        Conv2D(1, 8, 3, rng=rng, dtype=dtype),  # (26, 26, 8)
        MaxPool2D(2),  # (13, 13, 8)
        Flatten(),  # (1352,)
        Dense(13 * 13 * 8, 10, rng=rng, dtype=dtype),  # (10,)
    ]


def lenet(rng: np.random.Generator, dtype: DType = np.float32) -> list[Layer]:
    """The benchmark reference: two conv blocks of 32 and 64 filters, then 128 hidden units."""
    return [
        Conv2D(1, 32, 3, padding=1, rng=rng, dtype=dtype),  # (28, 28, 32)
        ReLU(),
        MaxPool2D(2),  # (14, 14, 32)
        Conv2D(32, 64, 3, padding=1, rng=rng, dtype=dtype),  # (14, 14, 64)
        ReLU(),
        MaxPool2D(2),  # (7, 7, 64)
        Flatten(),  # (3136,)
        Dense(7 * 7 * 64, 128, rng=rng, dtype=dtype),
        ReLU(),
        Dense(128, 10, rng=rng, dtype=dtype),  # (10,)
    ]


def conv_block(
    c_in: int, c_out: int, kernel: int, rng: np.random.Generator, dtype: DType = np.float32
) -> list[Layer]:
    """A same-size convolution, batch-normalised, then ReLU: the presets' and the number
    readers' building block."""
    return [
        Conv2D(c_in, c_out, kernel, padding=kernel // 2, rng=rng, dtype=dtype),
        BatchNorm(c_out, dtype=dtype),
        ReLU(),
    ]


def lenet_bn(rng: np.random.Generator, dtype: DType = np.float32) -> list[Layer]:
    """lenet with BatchNorm after every conv and dense layer, and dropout before the classifier."""
    return [
        *conv_block(1, 32, 3, rng, dtype),  # (28, 28, 32)
        MaxPool2D(2),  # (14, 14, 32)
        *conv_block(32, 64, 3, rng, dtype),  # (14, 14, 64)
        MaxPool2D(2),  # (7, 7, 64)
        Flatten(),  # (3136,)
        Dense(7 * 7 * 64, 128, rng=rng, dtype=dtype),
        BatchNorm(128, dtype=dtype),
        ReLU(),
        Dropout(0.3, rng=rng),
        Dense(128, 10, rng=rng, dtype=dtype),  # (10,)
    ]


def _vgg(
    widths: tuple[int, int], hidden: int, rng: np.random.Generator, dtype: DType
) -> list[Layer]:
    """Two VGG-style blocks of two 3x3 conv + BatchNorm + ReLU (widths[0] filters at 28x28,
    widths[1] at 14x14), each followed by 2x2 max pooling, then a hidden dense layer with
    BatchNorm and dropout."""
    first, second = widths
    return [
        *conv_block(1, first, 3, rng, dtype),  # (28, 28, first)
        *conv_block(first, first, 3, rng, dtype),
        MaxPool2D(2),  # (14, 14, first)
        *conv_block(first, second, 3, rng, dtype),  # (14, 14, second)
        *conv_block(second, second, 3, rng, dtype),
        MaxPool2D(2),  # (7, 7, second)
        Flatten(),  # (49 * second,)
        Dense(7 * 7 * second, hidden, rng=rng, dtype=dtype),
        BatchNorm(hidden, dtype=dtype),
        ReLU(),
        Dropout(0.4, rng=rng),
        Dense(hidden, 10, rng=rng, dtype=dtype),  # (10,)
    ]


def vgg_bn(rng: np.random.Generator, dtype: DType = np.float32) -> list[Layer]:
    """VGG-style: 32 filters at 28x28, 64 at 14x14, 256 hidden units (~19 M multiply-adds)."""
    return _vgg((32, 64), 256, rng, dtype)


def vgg_lite(rng: np.random.Generator, dtype: DType = np.float32) -> list[Layer]:
    """vgg_bn at half the width: 16 filters at 28x28, 32 at 14x14 (~5 M multiply-adds)."""
    return _vgg((16, 32), 256, rng, dtype)


PRESETS: dict[str, Callable[[np.random.Generator, DType], list[Layer]]] = {
    "seed": seed,
    "lenet": lenet,
    "lenet_bn": lenet_bn,
    "vgg_bn": vgg_bn,
    "vgg_lite": vgg_lite,
}
DEFAULT_PRESET = "vgg_lite"  # trained as an ensemble of three (train/config.py)


def build(name: str, rng: np.random.Generator, dtype: DType = np.float32) -> Sequential:
    """A freshly initialised network for a preset name."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    return Sequential(PRESETS[name](rng, dtype), MNIST_SHAPE)
