"""Columns of a feature map as frames: what a sequence loss (CTC) reads left to right."""

from __future__ import annotations

from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer, Shape, column_sums, he_normal


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


class FrameConv(Layer):
    """(N, H, W, C) -> (N*W, F): each column's frame read with its neighbours, a convolution
    along the width whose kernel spans every row.

    Where ToFrames and a Dense layer read each column alone, this reads `width` columns
    centred on it (zero frames past either end), so a frame sees the strokes either side
    of its own: whether a stroke is a 1 of its own or part of the digit beside it. The
    weight is (width, H*C, F); the frames of `width` neighbours side by side meet it in one
    (N*W, width*H*C) @ (width*H*C, F) product."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        width: int,
        *,
        rng: np.random.Generator | None = None,
        dtype: np.dtype | type = np.float32,
    ) -> None:
        super().__init__()
        if min(in_features, out_features) < 1 or width < 1 or width % 2 == 0:
            raise ValueError(
                f"features must be >= 1 and width odd, got {in_features}, {out_features}, {width}"
            )
        self.in_features, self.out_features, self.width = in_features, out_features, width
        fan_in = width * in_features
        self.params = {
            "weight": he_normal(rng, (width, in_features, out_features), fan_in, dtype),
            "bias": np.zeros(out_features, dtype=dtype),  # (F,)
        }
        self._init_grads()
        self._cache: tuple[np.ndarray, Shape] | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        n, h, w, c = x.shape
        half = self.width // 2
        padded = np.zeros((n, w + 2 * half, h * c), dtype=x.dtype)  # (N, W + k - 1, H*C)
        padded[:, half : half + w] = x.transpose(0, 2, 1, 3).reshape(n, w, h * c)
        windows = np.lib.stride_tricks.sliding_window_view(padded, w, axis=1)  # (N, k, D, W)
        cols = np.ascontiguousarray(windows.transpose(0, 3, 1, 2)).reshape(n * w, -1)
        out = cols @ self.params["weight"].reshape(-1, self.out_features)  # (N*W, F)
        out += self.params["bias"]
        self._cache = (cols, x.shape) if training else None
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        assert self._cache is not None, "backward() needs a forward(training=True) first"
        cols, (n, h, w, c) = self._cache
        self._cache = None
        self.grads["weight"] = (cols.T @ dout).reshape(self.params["weight"].shape)  # (k, D, F)
        self.grads["bias"] = column_sums(dout)  # (F,)
        if not self.input_grad:
            return None
        dcols = (dout @ self.params["weight"].reshape(-1, self.out_features).T).reshape(
            n, w, self.width, h * c
        )  # (N, W, k, D)
        padded = np.zeros((n, w + self.width - 1, h * c), dtype=dout.dtype)  # (N, W + k - 1, D)
        for j in range(self.width):  # the frame j - half columns away from each output
            padded[:, j : j + w] += dcols[:, :, j]
        half = self.width // 2
        dx = padded[:, half : half + w].reshape(n, w, h, c)  # (N, W, H, C)
        return dx.transpose(0, 2, 1, 3)  # (N, H, W, C)

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3 or input_shape[0] * input_shape[2] != self.in_features:
            raise ValueError(f"FrameConv needs (H, W, C) with H*C = {self.in_features}")
        return (self.out_features,)

    def config(self) -> dict[str, Any]:
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "width": self.width,
        }
