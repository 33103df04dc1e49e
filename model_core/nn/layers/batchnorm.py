"""Batch normalisation over the last (channel or feature) axis."""

from __future__ import annotations

from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer, Shape, column_sums


class BatchNorm(Layer):
    """Normalises each channel over every other axis.

    Channels-last makes one class serve both conv feature maps (N, H, W, C) and dense
    features (N, C). Running statistics follow PyTorch: an exponential average with weight
    `momentum` on the new batch, using the unbiased batch variance.
    """

    def __init__(
        self,
        num_features: int,
        momentum: float = 0.1,
        eps: float = 1e-5,
        *,
        dtype: np.dtype | type = np.float32,
    ) -> None:
        super().__init__()
        self.num_features, self.momentum, self.eps = num_features, momentum, eps
        self.params = {
            "gamma": np.ones(num_features, dtype=dtype),  # (C,)
            "beta": np.zeros(num_features, dtype=dtype),  # (C,)
        }
        self.state = {
            "running_mean": np.zeros(num_features, dtype=dtype),  # (C,)
            "running_var": np.ones(num_features, dtype=dtype),  # (C,)
        }
        self._init_grads()
        self._cache: tuple[np.ndarray, np.ndarray] | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:
            scale = gamma / np.sqrt(self.state["running_var"] + self.eps)  # (C,)
            shift = beta - self.state["running_mean"] * scale  # (C,)
            out = x * scale
            out += shift
            return out
        x2 = x.reshape(-1, self.num_features)  # (M, C)
        m = x2.shape[0]
        mean = column_sums(x2) / m  # (C,)
        xc = x2 - mean  # (M, C)
        var = np.einsum("mc,mc->c", xc, xc) / m  # (C,)
        inv_std = 1.0 / np.sqrt(var + self.eps)  # (C,)
        self._update_running(mean, var * (m / max(m - 1, 1)))
        self._cache = (xc, inv_std)
        out = xc * (gamma * inv_std)  # (M, C): xhat * gamma without building xhat
        out += beta
        return out.reshape(x.shape)

    def _update_running(self, mean: np.ndarray, unbiased_var: np.ndarray) -> None:
        for name, batch_value in (("running_mean", mean), ("running_var", unbiased_var)):
            running = self.state[name]
            running *= 1.0 - self.momentum
            running += self.momentum * batch_value.astype(running.dtype)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        assert self._cache is not None, "backward() needs a forward(training=True) first"
        xc, inv_std = self._cache
        self._cache = None
        d2 = dout.reshape(-1, self.num_features)  # (M, C)
        m = d2.shape[0]
        dbeta = column_sums(d2)  # (C,)
        dgamma = np.einsum("mc,mc->c", d2, xc) * inv_std  # (C,): sum of dout * xhat
        self.grads["gamma"], self.grads["beta"] = dgamma, dbeta
        # dx = gamma * inv_std * (dout - mean(dout) - xhat * mean(dout * xhat))
        dx = xc * (inv_std * dgamma / m)  # (M, C): xhat * mean(dout * xhat)
        np.subtract(d2, dx, out=dx)
        dx -= dbeta / m
        dx *= self.params["gamma"] * inv_std
        return dx.reshape(dout.shape)

    def output_shape(self, input_shape: Shape) -> Shape:
        if input_shape[-1:] != (self.num_features,):
            raise ValueError(
                f"BatchNorm needs {self.num_features} channels last, got {input_shape}"
            )
        return input_shape

    def config(self) -> dict[str, Any]:
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}
