"""Max and average pooling over channels-last images, looping over kernel offsets only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer, Shape, batch_slices
from model_core.nn.layers.windows import out_size

PART_BYTES = 2**19  # a part of the batch's input pooled at a time, its passes in cache


def batch_parts(x: np.ndarray) -> list[slice]:
    """The batch axis of x cut into parts of about PART_BYTES."""
    return batch_slices(len(x), x.nbytes // max(len(x), 1), PART_BYTES)


class _Pool2D(Layer):
    """Shared geometry: a k x k window moved by `stride` (default k), no padding."""

    def __init__(self, kernel_size: int, stride: int | None = None) -> None:
        super().__init__()
        if kernel_size < 1 or (stride is not None and stride < 1):
            raise ValueError(f"kernel_size and stride must be >= 1, got {kernel_size}, {stride}")
        self.kernel_size = kernel_size
        self.stride = stride or kernel_size

    def _offsets(self, x: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
        """Each kernel offset's strided (N, Ho, Wo, C) view of x, with the offset's index."""
        _, h, w, _ = x.shape
        k, s = self.kernel_size, self.stride
        ho, wo = out_size(h, k, s), out_size(w, k, s)
        for i in range(k):
            for j in range(k):
                yield i * k + j, x[:, i : i + s * ho : s, j : j + s * wo : s, :]

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3 or min(input_shape[:2]) < self.kernel_size:
            raise ValueError(
                f"a {self.kernel_size}x{self.kernel_size} pool needs (H, W, C), got {input_shape}"
            )
        h, w, c = input_shape
        k, s = self.kernel_size, self.stride
        return (out_size(h, k, s), out_size(w, k, s), c)

    def config(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel_size, "stride": self.stride}


class MaxPool2D(_Pool2D):
    """Max over each window; the gradient goes to the first maximum, as in PyTorch."""

    def __init__(self, kernel_size: int, stride: int | None = None) -> None:
        super().__init__(kernel_size, stride)
        self._cache: tuple[np.ndarray, Shape] | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        parts = batch_parts(x)
        if len(parts) == 1:  # a small batch (inference): its arrays are the output
            out, argmax = self._pool(x, training)
        else:
            n, h, w, c = x.shape
            k, s = self.kernel_size, self.stride
            out = np.empty((n, out_size(h, k, s), out_size(w, k, s), c), dtype=x.dtype)
            argmax = np.empty(out.shape, np.min_scalar_type(k * k - 1)) if training else None
            for part in parts:
                self._pool(x[part], training, out[part], None if argmax is None else argmax[part])
        self._cache = (argmax, x.shape) if argmax is not None else None
        return out

    def _pool(
        self,
        x: np.ndarray,
        training: bool,
        out: np.ndarray | None = None,
        argmax: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The maxima of x's windows, and with `training` their first-argmax, into the
        arrays given (parts of the whole batch's) or new ones."""
        if not training and self._tiles(x.shape):
            return self._tiled_max(x, out), None
        views = [view for _, view in self._offsets(x)]
        if len(views) > 1:
            out = np.maximum(views[0], views[1], out=out)  # (n, Ho, Wo, C)
        elif out is None:
            out = views[0].copy()
        else:
            out[...] = views[0]
        for view in views[2:]:
            np.maximum(out, view, out=out)
        if not training:
            return out, None
        return out, self._first_argmax(views, out, argmax)

    def _tiles(self, shape: Shape) -> bool:
        """Whether k x k windows moved by k cover an (N, H, W, C) input exactly."""
        k = self.kernel_size
        return k > 1 and self.stride == k and shape[1] % k == 0 and shape[2] % k == 0

    def _tiled_max(self, x: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        """The maxima of windows that tile x: of each window's k rows first, over a view of x
        whose row holds k neighbouring pixels' channels, then of those k channel groups; 2 (k
        - 1) passes over contiguous rows, where the offsets' strided views take k^2 - 1. For
        inference: training's first-argmax reads the offsets' views, and a batch-64 training
        pass took 1.065x as long with this (alternated)."""
        n, h, w, c = x.shape
        k = self.kernel_size
        rows = x.reshape(n, h // k, k, w // k, k * c)  # (N, Ho, k, Wo, k C)
        tall = np.maximum(rows[:, :, 0], rows[:, :, 1])  # (N, Ho, Wo, k C)
        for i in range(2, k):
            np.maximum(tall, rows[:, :, i], out=tall)
        if out is None:
            out = np.empty((n, h // k, w // k, c), x.dtype)  # (N, Ho, Wo, C)
        np.maximum(tall[..., :c], tall[..., c : 2 * c], out=out)
        for j in range(2, k):
            np.maximum(out, tall[..., j * c : (j + 1) * c], out=out)
        return out

    @staticmethod
    def _first_argmax(
        views: list[np.ndarray], out: np.ndarray, argmax: np.ndarray | None
    ) -> np.ndarray:
        """Index of the first offset holding each window's maximum: the count of offsets
        before it, summed as "no maximum seen yet" flags (boolean passes, no np.where)."""
        if argmax is None:
            argmax = np.zeros(out.shape, np.min_scalar_type(len(views) - 1))  # uint8 to 16x16
        else:
            argmax[...] = 0
        not_seen = np.ones(out.shape, dtype=bool)
        for view in views[:-1]:
            not_seen &= view != out
            argmax += not_seen
        return argmax

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self._cache is not None, "backward() needs a forward(training=True) first"
        argmax, x_shape = self._cache
        self._cache = None
        k, s = self.kernel_size, self.stride
        overlapping = s < k
        tiled = s == k and x_shape[1] % k == 0 and x_shape[2] % k == 0  # windows cover x
        dx = (np.empty if tiled else np.zeros)(x_shape, dtype=dout.dtype)  # (N, H, W, C)
        for part in batch_parts(dx):
            for offset, view in self._offsets(dx[part]):  # each view (n, Ho, Wo, C)
                if overlapping:
                    view += dout[part] * (argmax[part] == offset)
                else:
                    np.multiply(dout[part], argmax[part] == offset, out=view)
        return dx


class AvgPool2D(_Pool2D):
    """Mean over each window."""

    def __init__(self, kernel_size: int, stride: int | None = None) -> None:
        super().__init__(kernel_size, stride)
        self._x_shape: Shape | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        views = self._offsets(x)
        _, first = next(views)
        out = first.copy()  # (N, Ho, Wo, C)
        for _, view in views:
            out += view
        out *= 1.0 / self.kernel_size**2
        self._x_shape = x.shape if training else None
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self._x_shape is not None, "backward() needs a forward(training=True) first"
        dx = np.zeros(self._x_shape, dtype=dout.dtype)  # (N, H, W, C)
        self._x_shape = None
        share = dout * (1.0 / self.kernel_size**2)  # (N, Ho, Wo, C)
        for _, view in self._offsets(dx):
            view += share
        return dx
