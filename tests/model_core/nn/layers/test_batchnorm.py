"""Tests for batchnorm.py: training and inference gradients, PyTorch-style running statistics."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.layers import BatchNorm
from tests.model_core.nn.gradcheck import check_layer_grads, numerical_grad, rel_error
from tests.model_core.nn.layers.helpers import F64


def _batchnorm(rng: np.random.Generator, c: int) -> BatchNorm:
    bn = BatchNorm(c, dtype=F64)
    bn.params["gamma"][:] = rng.uniform(0.5, 2.0, c)  # (C,)
    bn.params["beta"][:] = rng.standard_normal(c)  # (C,)
    bn.state["running_mean"][:] = rng.standard_normal(c)  # (C,)
    bn.state["running_var"][:] = rng.uniform(0.5, 2.0, c)  # (C,)
    return bn


@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4, 3)], ids=["NC", "NHWC"])
def test_batchnorm_gradients_training(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(100)
    bn = _batchnorm(rng, shape[-1])
    x = 1.5 * rng.standard_normal(shape) + 0.7  # (N, C) or (N, H, W, C)

    errors = check_layer_grads(bn, x, rng)

    assert set(errors) == {"dx", "gamma", "beta"}


@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4, 3)], ids=["NC", "NHWC"])
def test_batchnorm_gradients_inference(shape: tuple[int, ...]) -> None:
    """Inference mode is the affine map y = gamma (x - mean) / sqrt(var + eps) + beta.

    The engine only back-propagates after a training forward (inference caches nothing), so
    the closed-form gradients of that map are checked against finite differences of the
    engine's inference forward.
    """
    rng = np.random.default_rng(110)
    bn = _batchnorm(rng, shape[-1])
    x = rng.standard_normal(shape)  # (N, C) or (N, H, W, C)
    dout = rng.standard_normal(shape)  # same shape as x
    axes = tuple(range(len(shape) - 1))
    running_before = {k: v.copy() for k, v in bn.state.items()}

    def objective() -> float:
        return float(np.sum(bn.forward(x, training=False) * dout))

    inv_std = 1.0 / np.sqrt(bn.state["running_var"] + bn.eps)  # (C,)
    xhat = (x - bn.state["running_mean"]) * inv_std  # same shape as x
    expected = {
        "dx": dout * bn.params["gamma"] * inv_std,
        "gamma": np.sum(dout * xhat, axis=axes),
        "beta": np.sum(dout, axis=axes),
    }
    numerical = {
        "dx": numerical_grad(objective, x),
        "gamma": numerical_grad(objective, bn.params["gamma"]),
        "beta": numerical_grad(objective, bn.params["beta"]),
    }
    for name in expected:
        assert rel_error(expected[name], numerical[name]) < 1e-6, name
    for name, before in running_before.items():  # inference never touches the statistics
        np.testing.assert_array_equal(bn.state[name], before)


def test_batchnorm_running_stats_follow_pytorch() -> None:
    """running = (1 - momentum) running + momentum batch, with the UNBIASED batch variance."""
    rng = np.random.default_rng(190)
    bn = BatchNorm(3, momentum=0.2, dtype=F64)
    bn.state["running_mean"][:] = [0.5, -1.0, 2.0]
    bn.state["running_var"][:] = [1.5, 0.5, 2.0]
    x = 2.0 * rng.standard_normal((2, 3, 2, 3)) + 1.0  # (N, H, W, C): 12 values per channel
    flat = x.reshape(-1, 3)  # (12, 3)

    bn.forward(x, training=True)

    np.testing.assert_allclose(
        bn.state["running_mean"], 0.8 * np.array([0.5, -1.0, 2.0]) + 0.2 * flat.mean(axis=0)
    )
    np.testing.assert_allclose(
        bn.state["running_var"], 0.8 * np.array([1.5, 0.5, 2.0]) + 0.2 * flat.var(axis=0, ddof=1)
    )
