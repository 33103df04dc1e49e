"""Finite-difference gradient checking shared by the model_core tests.

`numerical_grad` perturbs an array in place (central differences, float64) and restores it.
`check_layer_grads` compares a layer's (or a whole network's) analytic `backward` with the
numerical gradient of the scalar `sum(forward(x) * dout)` for a random upstream `dout`: the
input gradient and every parameter gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import numpy as np

TOL = 1e-6
# Finite differences of an O(1) objective carry ~1e-10 of rounding noise (1e-16 / eps), so a
# gradient that is identically zero is judged on absolute values instead of relative error.
ZERO_ANALYTIC = 1e-12
ZERO_NUMERICAL = 1e-8
_DROPOUT_SEED = 1234


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """max|a - b| / max(1e-8, max|a| + max|b|): scale-free, safe for all-zero gradients."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise AssertionError(f"shape mismatch: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(1e-8, float(np.max(np.abs(a)) + np.max(np.abs(b))))
    return float(np.max(np.abs(a - b))) / scale


def numerical_grad(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences; `f()` reads `x`, which is perturbed in place.

    Every element is restored exactly (the saved value is written back, not re-subtracted).
    """
    if x.dtype != np.float64:
        raise TypeError(f"numerical gradients need float64, got {x.dtype}")
    grad = np.zeros_like(x)  # same shape as x
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + eps
        f_plus = float(f())
        x[idx] = saved - eps
        f_minus = float(f())
        x[idx] = saved
        grad[idx] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _reseed_dropout(model: Any) -> None:
    """Give every layer that draws randomness (an `rng` Generator) the same fresh stream."""
    for layer in getattr(model, "layers", [model]):
        if isinstance(getattr(layer, "rng", None), np.random.Generator):
            layer.rng = np.random.default_rng(_DROPOUT_SEED)


def check_layer_grads(
    layer: Any,
    x: np.ndarray,
    rng: np.random.Generator,
    training: bool = True,
    tol: float = TOL,
    eps: float = 1e-6,
    zero_grads: Collection[str] = (),
) -> dict[str, float]:
    """Assert that `layer.backward` matches finite differences; return every relative error.

    Works for a single layer or a `Sequential` (anything with forward/backward/params/grads).
    The input gradient is checked when backward returns one (it is None when the layer's
    `input_grad` is off). Running statistics (`state`) are restored afterwards. Raises
    AssertionError naming each gradient whose relative error is >= tol.

    `zero_grads` names parameters whose true gradient is identically zero (a conv bias
    followed by BatchNorm): both gradients must then be zero up to rounding, and the error
    reported for them is the largest absolute value.
    """
    if x.dtype != np.float64:
        raise TypeError(f"gradient checks run in float64, got {x.dtype}")
    state = getattr(layer, "state", {})
    saved_state = {name: array.copy() for name, array in state.items()}

    _reseed_dropout(layer)
    out = layer.forward(x, training=training)
    dout = rng.standard_normal(out.shape)  # same shape as the output
    dx = layer.backward(dout)
    analytic = {name: g.copy() for name, g in layer.grads.items()}

    def objective() -> float:
        _reseed_dropout(layer)
        return float(np.sum(layer.forward(x, training=training) * dout))

    errors: dict[str, float] = {}
    if dx is not None:
        errors["dx"] = rel_error(dx, numerical_grad(objective, x, eps))
    params = layer.params
    if set(params) != set(analytic):
        raise AssertionError(f"params {sorted(params)} and grads {sorted(analytic)} differ")
    unknown = set(zero_grads) - set(params)
    if unknown:
        raise KeyError(f"zero_grads names no parameter: {sorted(unknown)}")
    for name, p in params.items():
        numerical = numerical_grad(objective, p, eps)
        if name in zero_grads:
            errors[name] = max(
                float(np.max(np.abs(analytic[name]))), float(np.max(np.abs(numerical)))
            )
        else:
            errors[name] = rel_error(analytic[name], numerical)

    for name, array in state.items():
        array[...] = saved_state[name]

    bad = {
        name: err
        for name, err in errors.items()
        if not err < (ZERO_NUMERICAL if name in zero_grads else tol)
    }
    bad |= {
        name: errors[name]
        for name in zero_grads
        if not np.max(np.abs(analytic[name])) < ZERO_ANALYTIC
    }
    if bad:
        raise AssertionError(f"gradient check failed (tol {tol:g}): {bad}")
    return errors
