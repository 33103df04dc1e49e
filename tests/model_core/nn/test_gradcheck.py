"""Tests for gradcheck.py: the finite-difference checker is exact and catches wrong gradients."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.layers import Dense
from tests.model_core.nn.gradcheck import check_layer_grads, numerical_grad, rel_error
from tests.model_core.nn.layers.helpers import F64


def test_numerical_grad_matches_known_derivative_and_restores_input() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))  # (3, 4)
    before = x.copy()  # (3, 4)

    grad = numerical_grad(lambda: float(np.sum(np.sin(x) * x**2)), x)  # (3, 4)

    expected = np.cos(x) * x**2 + 2 * x * np.sin(x)  # d/dx sin(x) x^2
    np.testing.assert_allclose(grad, expected, rtol=1e-7, atol=1e-9)
    assert np.array_equal(x, before)


def test_rel_error_is_scale_free_and_zero_safe() -> None:
    a = np.array([1.0, -2.0, 4.0])  # (3,)
    assert rel_error(a, a) == 0.0
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(1e6 * a, 1e6 * 1.01 * a) == pytest.approx(rel_error(a, 1.01 * a))
    assert rel_error(a, 1.01 * a) == pytest.approx(0.04 / (4.0 + 4.04))


class _ScaledDx(Dense):
    """A Dense whose input gradient is 1% too large."""

    scale = 1.01

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        dx = super().backward(dout)
        return None if dx is None else self.scale * dx


class _ScaledWeightGrad(Dense):
    scale = 1.01

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        dx = super().backward(dout)
        self.grads["weight"] = self.grads["weight"] * self.scale
        return dx


class _ScaledBiasGrad(Dense):
    scale = 1.01

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        dx = super().backward(dout)
        self.grads["bias"] = self.grads["bias"] * self.scale
        return dx


@pytest.mark.parametrize(
    ("cls", "culprit"),
    [(_ScaledDx, "dx"), (_ScaledWeightGrad, "weight"), (_ScaledBiasGrad, "bias")],
)
@pytest.mark.parametrize("scale", [1.01, 1.0 + 1e-4])
def test_checker_catches_a_wrong_gradient(
    cls: type[Dense], culprit: str, scale: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cls, "scale", scale)
    layer = cls(5, 3, rng=np.random.default_rng(1), dtype=F64)
    layer.params["bias"][:] = np.random.default_rng(2).standard_normal(3)  # (3,)
    x = np.random.default_rng(3).standard_normal((4, 5))  # (4, 5)

    with pytest.raises(AssertionError, match=culprit):
        check_layer_grads(layer, x, np.random.default_rng(4))

    # The same data with the correct layer passes: the failure above is the scaled gradient.
    good = Dense(5, 3, rng=np.random.default_rng(1), dtype=F64)
    good.params["bias"][:] = layer.params["bias"]
    errors = check_layer_grads(good, x, np.random.default_rng(4))
    assert set(errors) == {"dx", "weight", "bias"}


def test_checker_zero_grads_rejects_a_nonzero_gradient() -> None:
    """`zero_grads` (for structurally zero gradients) is not a way to skip a parameter."""
    layer = Dense(5, 3, rng=np.random.default_rng(1), dtype=F64)
    x = np.random.default_rng(3).standard_normal((4, 5))  # (4, 5)

    with pytest.raises(AssertionError, match="bias"):
        check_layer_grads(layer, x, np.random.default_rng(4), zero_grads={"bias"})
    with pytest.raises(KeyError):
        check_layer_grads(layer, x, np.random.default_rng(4), zero_grads={"no_such_param"})
