"""Flatten per-sample feature maps into vectors."""

from __future__ import annotations

import math

import numpy as np

from model_core.nn.layers.base import Layer, Shape


class Flatten(Layer):
    """(N, H, W, C) -> (N, H*W*C), in channels-last order."""

    def __init__(self) -> None:
        super().__init__()
        self._shape: Shape | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._shape = x.shape if training else None
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self._shape is not None, "backward() needs a forward(training=True) first"
        shape, self._shape = self._shape, None
        return dout.reshape(shape)

    def output_shape(self, input_shape: Shape) -> Shape:
        return (math.prod(input_shape),)
