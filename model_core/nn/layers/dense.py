"""Fully connected layer."""

from __future__ import annotations

from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer, Shape, column_sums, he_normal


class Dense(Layer):
    """y = x @ W + b, with W of shape (in_features, out_features)."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rng: np.random.Generator | None = None,
        dtype: np.dtype | type = np.float32,
    ) -> None:
        super().__init__()
        if min(in_features, out_features) < 1:
            raise ValueError(f"features must be >= 1, got {in_features}, {out_features}")
        self.in_features, self.out_features = in_features, out_features
        self.params = {
            "weight": he_normal(rng, (in_features, out_features), in_features, dtype),  # (D, F)
            "bias": np.zeros(out_features, dtype=dtype),  # (F,)
        }
        self._init_grads()
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._x = x if training else None  # (N, D)
        out = x @ self.params["weight"]  # (N, F)
        out += self.params["bias"]
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        assert self._x is not None, "backward() needs a forward(training=True) first"
        self.grads["weight"] = self._x.T @ dout  # (D, F)
        self.grads["bias"] = column_sums(dout)  # (F,)
        self._x = None
        if not self.input_grad:
            return None
        return dout @ self.params["weight"].T  # (N, D)

    def output_shape(self, input_shape: Shape) -> Shape:
        if input_shape != (self.in_features,):
            raise ValueError(f"Dense needs ({self.in_features},), got {input_shape}")
        return (self.out_features,)

    def config(self) -> dict[str, Any]:
        return {"in_features": self.in_features, "out_features": self.out_features}
