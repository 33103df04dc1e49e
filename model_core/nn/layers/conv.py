"""2-D convolution over channels-last images: im2col and a matrix product, a cache-sized part
of the batch at a time."""

from __future__ import annotations

from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer, Shape, batch_slices, column_sums, he_normal
from model_core.nn.layers.windows import col2im, im2col, out_size

CHUNK_BYTES = 2**21  # a part of the batch's im2col columns: about one core's L2 cache


class Conv2D(Layer):
    """Square-kernel convolution with stride, zero padding and a bias per output channel
    (none with `bias=False`: its params then hold the weight alone).

    The weight is (k, k, C_in, C_out), so a window row of im2col, laid out (k, k, C_in),
    meets it in a single (N*Ho*Wo, k*k*C_in) @ (k*k*C_in, C_out) product whose result is
    already the channels-last output: no transposes anywhere.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        padding: int = 0,
        *,
        rng: np.random.Generator | None = None,
        dtype: np.dtype | type = np.float32,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if min(in_channels, out_channels, kernel_size, stride) < 1 or padding < 0:
            raise ValueError(
                f"channels, kernel_size and stride must be >= 1 and padding >= 0, got"
                f" {in_channels}, {out_channels}, {kernel_size}, {stride}, {padding}"
            )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        fan_in = kernel_size * kernel_size * in_channels
        self.params = {
            "weight": he_normal(
                rng, (kernel_size, kernel_size, in_channels, out_channels), fan_in, dtype
            ),  # (k, k, C_in, C_out)
        }
        if bias:
            self.params["bias"] = np.zeros(out_channels, dtype=dtype)  # (C_out,)
        self._init_grads()
        self._cache: np.ndarray | None = None  # the input, (N, H, W, C_in)
        widest = kernel_size * kernel_size * max(in_channels, out_channels)
        self._window_bytes = widest * self.params["weight"].itemsize  # one im2col row at most

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        n, h, w, _ = x.shape
        k, s, p = self.kernel_size, self.stride, self.padding
        ho, wo = out_size(h, k, s, p), out_size(w, k, s, p)  # shapes were checked when built
        weight, bias = self._weight_matrix(), self.params.get("bias")
        parts = self._chunks(n, ho * wo)
        if len(parts) == 1:  # a small batch (inference): the product is the output
            out = im2col(x, k, s, p) @ weight  # (N*Ho*Wo, C_out)
            if bias is not None:
                out += bias
        else:
            out = np.empty((n * ho * wo, self.out_channels), dtype=x.dtype)
            for part in parts:
                rows = out[part.start * ho * wo : part.stop * ho * wo]  # (n*Ho*Wo, C_out)
                np.matmul(im2col(x[part], k, s, p), weight, out=rows)
                if bias is not None:
                    rows += bias
        self._cache = x if training else None
        return out.reshape(n, ho, wo, self.out_channels)  # (N, Ho, Wo, C_out)

    def _weight_matrix(self) -> np.ndarray:
        return self.params["weight"].reshape(-1, self.out_channels)  # (K, C_out)

    def _chunks(self, n: int, positions: int) -> list[slice]:
        """The batch cut into parts whose widest im2col columns (the forward's, k*k*C_in, or
        the input gradient's, k*k*C_out) fit in CHUNK_BYTES: each part is copied out and
        multiplied while it is still in the core's cache, instead of the whole batch's columns
        going out to memory and back (tens of MB at batch 64)."""
        return batch_slices(n, positions * self._window_bytes, CHUNK_BYTES)

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        assert self._cache is not None, "backward() needs a forward(training=True) first"
        x, self._cache = self._cache, None
        n, ho, wo, f = dout.shape
        k, s, p = self.kernel_size, self.stride, self.padding
        weight_grad = np.zeros((k * k * self.in_channels, f), dtype=dout.dtype)  # (K, C_out)
        bias_grad = np.zeros(f, dtype=dout.dtype) if "bias" in self.params else None  # (C_out,)
        dx = np.empty_like(x) if self.input_grad else None  # (N, H, W, C_in)
        for part in self._chunks(n, ho * wo):
            d2 = dout[part].reshape(-1, f)  # (n*Ho*Wo, C_out)
            weight_grad += im2col(x[part], k, s, p).T @ d2  # the columns again, in cache
            if bias_grad is not None:
                bias_grad += column_sums(d2)
            if dx is not None:
                self._input_grad(dout[part], dx[part])
        self.grads["weight"] = weight_grad.reshape(self.params["weight"].shape)  # (k, k, C, F)
        if bias_grad is not None:
            self.grads["bias"] = bias_grad
        return dx

    def _input_grad(self, dout: np.ndarray, dx: np.ndarray) -> None:
        """Write the input gradient of a part of the batch into its part of dx."""
        k, s, p = self.kernel_size, self.stride, self.padding
        if s == 1 and p < k:
            # as a convolution itself: dout padded by k - 1 - p, windowed, against the kernel
            # turned 180 degrees with its channel axes swapped. One im2col copy and one
            # product instead of a (N*Ho*Wo, k*k*C_in) product and col2im's k*k scatter-adds:
            # about half the time for the 3x3 layers of vgg_bn
            turned = self.params["weight"][::-1, ::-1].swapaxes(2, 3)  # (k, k, C_out, C_in)
            cols = im2col(dout, k, 1, k - 1 - p)  # (n*H*W, k*k*C_out)
            np.matmul(cols, turned.reshape(-1, self.in_channels), out=dx.reshape(len(cols), -1))
            return
        dcols = dout.reshape(-1, self.out_channels) @ self._weight_matrix().T  # (n*Ho*Wo, K)
        dx[...] = col2im(dcols, dx.shape, k, s, p)

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3 or input_shape[2] != self.in_channels:
            raise ValueError(f"Conv2D needs (H, W, {self.in_channels}), got {input_shape}")
        h, w, _ = input_shape
        k, s, p = self.kernel_size, self.stride, self.padding
        if min(out_size(h, k, s, p), out_size(w, k, s, p)) < 1:
            raise ValueError(f"a {k}x{k} kernel does not fit input {input_shape}")
        return (out_size(h, k, s, p), out_size(w, k, s, p), self.out_channels)

    def config(self) -> dict[str, Any]:
        return {
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            # only when left out: the architectures saved before the option read the same
            **({} if "bias" in self.params else {"bias": False}),
        }
