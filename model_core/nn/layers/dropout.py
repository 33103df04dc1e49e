"""Inverted dropout: active in training only, the identity at inference."""

from __future__ import annotations

from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer


class Dropout(Layer):
    """Zeroes each activation with probability `rate` and scales the rest by 1 / (1 - rate)."""

    def __init__(self, rate: float, *, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.rng = rng  # needed only to train; a loaded model for inference has none
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        if self.rng is None:
            raise ValueError("Dropout needs an explicit np.random.Generator (rng=) to train")
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.rate  # bool, like x
        self._mask = keep * np.asarray(1.0 / (1.0 - self.rate), dtype=x.dtype)
        return x * self._mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        if self._mask is None:
            return dout
        dx = dout * self._mask
        self._mask = None
        return dx

    def config(self) -> dict[str, Any]:
        return {"rate": self.rate}
