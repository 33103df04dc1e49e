"""A learnt value added per channel: a bias on its own, where it is cheapest to add."""

from __future__ import annotations

from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer, Shape, column_sums


class Bias(Layer):
    """x + bias along the last axis (channels-last images or features).

    It carries the bias of a Conv2D built with `bias=False`: model_core/nn/folding.py adds a
    convolution's bias after the max pooling that follows it, on a quarter of the values.
    """

    def __init__(self, channels: int, dtype: np.dtype | type = np.float32) -> None:
        super().__init__()
        if channels < 1:
            raise ValueError(f"channels must be >= 1, got {channels}")
        self.channels = channels
        self.params = {"bias": np.zeros(channels, dtype=dtype)}  # (C,)
        self._init_grads()

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return x + self.params["bias"]  # (..., C)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        self.grads["bias"] = column_sums(dout.reshape(-1, self.channels))  # (C,)
        return dout

    def output_shape(self, input_shape: Shape) -> Shape:
        if not input_shape or input_shape[-1] != self.channels:
            raise ValueError(f"Bias needs {self.channels} channels last, got {input_shape}")
        return input_shape

    def config(self) -> dict[str, Any]:
        return {"channels": self.channels}
