"""Element-wise activations."""

from __future__ import annotations

import numpy as np

from model_core.nn.layers.base import Layer


class ReLU(Layer):
    """max(x, 0); caches the boolean mask of positive inputs."""

    def __init__(self) -> None:
        super().__init__()
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._mask = x > 0 if training else None  # same shape as x, bool
        return np.maximum(x, 0)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self._mask is not None, "backward() needs a forward(training=True) first"
        dx = dout * self._mask
        self._mask = None
        return dx


class Sigmoid(Layer):
    """1 / (1 + exp(-x)), computed without overflow; caches its output."""

    def __init__(self) -> None:
        super().__init__()
        self._out: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
        out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z)).astype(x.dtype, copy=False)
        self._out = out if training else None
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self._out is not None, "backward() needs a forward(training=True) first"
        out, self._out = self._out, None
        return dout * out * (1.0 - out)


class Tanh(Layer):
    """tanh(x); caches its output."""

    def __init__(self) -> None:
        super().__init__()
        self._out: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.tanh(x)
        self._out = out if training else None
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self._out is not None, "backward() needs a forward(training=True) first"
        out, self._out = self._out, None
        return dout * (1.0 - out * out)
