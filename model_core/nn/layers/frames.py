"""Columns of a feature map as frames: what a sequence loss (CTC) reads left to right."""

from __future__ import annotations

import numpy as np

from model_core.nn.layers.base import Layer, Shape


class ToFrames(Layer):
    """(N, H, W, C) -> (N*W, H*C): each column, all its rows and channels, is one frame.

    The frames of a strip become rows of the batch, so the Dense layers after it read each
    column on its own; `frames_of` turns their (N*W, K) output back into (N, W, K). The
    per-sample output shape is one frame's, (H*C,)."""

    def __init__(self) -> None:
        super().__init__()
        self._shape: Shape | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        n, h, w, c = x.shape
        self._shape = x.shape if training else None
        return x.transpose(0, 2, 1, 3).reshape(n * w, h * c)  # (N*W, H*C)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self._shape is not None, "backward() needs a forward(training=True) first"
        n, h, w, c = self._shape
        self._shape = None
        return dout.reshape(n, w, h, c).transpose(0, 2, 1, 3)  # (N, H, W, C)

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise ValueError(f"ToFrames needs (H, W, C), got {input_shape}")
        h, _, c = input_shape
        return (h * c,)


def frames_of(out: np.ndarray, strips: int) -> np.ndarray:
    """(N*W, K) per-frame outputs of `strips` strips -> (N, W, K)."""
    return out.reshape(strips, -1, out.shape[-1])
