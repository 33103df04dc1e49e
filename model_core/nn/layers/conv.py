"""2-D convolution over channels-last images: im2col and one matrix product."""

from __future__ import annotations

from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer, Shape, column_sums, he_normal
from model_core.nn.layers.windows import col2im, im2col, out_size


class Conv2D(Layer):
    """Square-kernel convolution with stride, zero padding and a bias per output channel.

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
            "bias": np.zeros(out_channels, dtype=dtype),  # (C_out,)
        }
        self._init_grads()
        self._cache: tuple[np.ndarray, Shape] | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        n, h, w, _ = x.shape
        k, s, p = self.kernel_size, self.stride, self.padding
        ho, wo = out_size(h, k, s, p), out_size(w, k, s, p)  # shapes were checked when built
        cols = im2col(x, k, s, p)  # (N*Ho*Wo, K)
        out = cols @ self._weight_matrix()  # (N*Ho*Wo, C_out)
        out += self.params["bias"]
        self._cache = (cols, x.shape) if training else None
        return out.reshape(n, ho, wo, self.out_channels)  # (N, Ho, Wo, C_out)

    def _weight_matrix(self) -> np.ndarray:
        return self.params["weight"].reshape(-1, self.out_channels)  # (K, C_out)

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        assert self._cache is not None, "backward() needs a forward(training=True) first"
        cols, x_shape = self._cache
        d2 = dout.reshape(-1, self.out_channels)  # (N*Ho*Wo, C_out)
        self.grads["weight"] = (cols.T @ d2).reshape(self.params["weight"].shape)  # (k, k, C, F)
        self.grads["bias"] = column_sums(d2)
        self._cache = None
        if not self.input_grad:
            return None
        k, p = self.kernel_size, self.padding
        if self.stride == 1 and p < k:
            return self._transposed_input_grad(dout, x_shape)
        dcols = d2 @ self._weight_matrix().T  # (N*Ho*Wo, K)
        return col2im(dcols, x_shape, k, self.stride, p)

    def _transposed_input_grad(self, dout: np.ndarray, x_shape: Shape) -> np.ndarray:
        """The input gradient of a stride-1 convolution, as a convolution itself: dout padded
        by k - 1 - p, windowed, against the kernel turned 180 degrees with its channel axes
        swapped. One im2col copy and one product instead of a (N*Ho*Wo, k*k*C_in) product and
        col2im's k*k scatter-adds: about half the time for the 3x3 layers of vgg_bn."""
        k = self.kernel_size
        turned = self.params["weight"][::-1, ::-1].swapaxes(2, 3)  # (k, k, C_out, C_in)
        cols = im2col(dout, k, 1, k - 1 - self.padding)  # (N*H*W, k*k*C_out)
        dx = cols @ turned.reshape(-1, self.in_channels)  # (N*H*W, C_in)
        return dx.reshape(x_shape)  # (N, H, W, C_in)

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
        }
