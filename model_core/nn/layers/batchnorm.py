"""Batch normalisation over the last (channel or feature) axis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from model_core.nn.layers.base import Layer, Shape, column_sums


class BatchNorm(Layer):
    """Normalises each channel over every other axis.

    Channels-last makes one class serve both conv feature maps (N, H, W, C) and dense
    features (N, C). Running statistics follow PyTorch: an exponential average with weight
    `momentum` on the new batch, using the unbiased batch variance.

    Under data parallelism (model_core/nn/parallel.py) a layer sees one shard of the batch:
    `all_reduce` then sums each batch statistic over every shard, and only one shard's layer
    `tracks_running` statistics.
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
        self._cache: tuple[np.ndarray, np.ndarray, int] | None = None
        self.all_reduce: Callable[[np.ndarray], np.ndarray] | None = None
        self.tracks_running = True

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:
            scale = gamma / np.sqrt(self.state["running_var"] + self.eps)  # (C,)
            shift = beta - self.state["running_mean"] * scale  # (C,)
            out = x * scale
            out += shift
            return out
        x2 = x.reshape(-1, self.num_features)  # (M, C)
        count = np.array([x2.shape[0]], dtype=x2.dtype)  # (1,) M, summed with the columns
        sums = self._batch_total(np.concatenate([column_sums(x2), count]))  # (C + 1,)
        m = int(sums[-1])
        mean = sums[:-1] / m  # (C,)
        xc = x2 - mean  # (M, C)
        var = self._batch_total(np.einsum("mc,mc->c", xc, xc)) / m  # (C,)
        inv_std = 1.0 / np.sqrt(var + self.eps)  # (C,)
        if self.tracks_running:
            self._update_running(mean, var * (m / max(m - 1, 1)))
        self._cache = (xc, inv_std, m)
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
        xc, inv_std, m = self._cache
        self._cache = None
        d2 = dout.reshape(-1, self.num_features)  # (M, C)
        local = np.stack([column_sums(d2), np.einsum("mc,mc->c", d2, xc)])  # (2, C)
        self.grads["gamma"], self.grads["beta"] = local[1] * inv_std, local[0]  # this shard's
        sums = self._batch_total(local)  # (2, C) the whole batch's: dx needs them
        dbeta = sums[0]  # (C,)
        dgamma = sums[1] * inv_std  # (C,): sum of dout * xhat
        # dx = gamma * inv_std * (dout - mean(dout) - xhat * mean(dout * xhat))
        dx = xc * (inv_std * dgamma / m)  # (M, C): xhat * mean(dout * xhat)
        np.subtract(d2, dx, out=dx)
        dx -= dbeta / m
        dx *= self.params["gamma"] * inv_std
        return dx.reshape(dout.shape)

    def _batch_total(self, local: np.ndarray) -> np.ndarray:
        """A per-channel sum over this shard's samples -> the same over the whole batch."""
        return local if self.all_reduce is None else self.all_reduce(local)

    def output_shape(self, input_shape: Shape) -> Shape:
        if input_shape[-1:] != (self.num_features,):
            raise ValueError(
                f"BatchNorm needs {self.num_features} channels last, got {input_shape}"
            )
        return input_shape

    def config(self) -> dict[str, Any]:
        return {"num_features": self.num_features, "momentum": self.momentum, "eps": self.eps}
