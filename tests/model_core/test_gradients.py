"""Analytic gradients of every layer, both losses and a whole network against finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from model_core.layers import (
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
    Sigmoid,
    Tanh,
)
from model_core.losses import mse, softmax_cross_entropy
from model_core.network import Sequential
from tests.model_core.gradcheck import check_layer_grads, numerical_grad, rel_error

F64 = np.float64


def distinct_values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values with no ties, at least 0.1 apart: the max is differentiable everywhere."""
    size = int(np.prod(shape))
    return (rng.permutation(size).astype(F64) * 0.1 - 0.05 * size).reshape(shape)


# --- the checker itself -----------------------------------------------------------------------


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


# --- Conv2D -------------------------------------------------------------------------------------

CONV_CASES = [
    # kernel, stride, padding, c_in, c_out, H, W
    pytest.param(1, 1, 0, 2, 3, 5, 4, id="k1-s1-p0"),
    pytest.param(1, 2, 1, 3, 2, 5, 6, id="k1-s2-p1"),
    pytest.param(2, 2, 0, 3, 2, 6, 5, id="k2-s2-p0-uneven-W"),
    pytest.param(2, 1, 1, 2, 2, 4, 5, id="k2-s1-p1"),
    pytest.param(3, 1, 0, 2, 4, 6, 5, id="k3-s1-p0"),
    pytest.param(3, 1, 1, 2, 3, 5, 7, id="k3-s1-p1"),
    pytest.param(3, 2, 1, 3, 2, 7, 6, id="k3-s2-p1-uneven"),
    pytest.param(3, 3, 2, 2, 3, 8, 7, id="k3-s3-p2-uneven"),
    pytest.param(5, 1, 2, 2, 2, 6, 5, id="k5-s1-p2"),
    pytest.param(5, 3, 0, 1, 3, 9, 8, id="k5-s3-p0-uneven"),
    pytest.param(5, 2, 1, 2, 2, 7, 9, id="k5-s2-p1"),
]


@pytest.mark.parametrize(("k", "s", "p", "c_in", "c_out", "h", "w"), CONV_CASES)
def test_conv2d_gradients(k: int, s: int, p: int, c_in: int, c_out: int, h: int, w: int) -> None:
    rng = np.random.default_rng(10 + k * 7 + s * 3 + p)
    layer = Conv2D(c_in, c_out, k, stride=s, padding=p, rng=rng, dtype=F64)
    layer.params["bias"][:] = rng.standard_normal(c_out)  # (C_out,)
    x = rng.standard_normal((2, h, w, c_in))  # (N, H, W, C_in)

    errors = check_layer_grads(layer, x, rng)

    assert set(errors) == {"dx", "weight", "bias"}


# --- pooling ------------------------------------------------------------------------------------

POOL_CASES = [
    # kernel, stride (None = kernel), H, W
    pytest.param(2, None, 4, 6, id="k2-s2"),
    pytest.param(2, None, 5, 7, id="k2-s2-uneven"),
    pytest.param(3, 2, 7, 6, id="k3-s2-overlap"),
    pytest.param(3, 2, 8, 5, id="k3-s2-overlap-uneven"),
    pytest.param(3, 3, 8, 7, id="k3-s3-uneven"),
    pytest.param(3, 1, 5, 4, id="k3-s1-overlap"),
    pytest.param(2, 3, 7, 8, id="k2-s3-gaps"),
    pytest.param(1, 1, 3, 4, id="k1-s1"),
    pytest.param(4, 4, 4, 4, id="k4-global"),
]


@pytest.mark.parametrize(("k", "s", "h", "w"), POOL_CASES)
def test_maxpool_gradients(k: int, s: int | None, h: int, w: int) -> None:
    rng = np.random.default_rng(20 + k * 5 + (s or 0) + h)
    x = distinct_values(rng, (2, h, w, 3))  # (N, H, W, C), no ties

    check_layer_grads(MaxPool2D(k, s), x, rng)


@pytest.mark.parametrize(("k", "s", "h", "w"), POOL_CASES)
def test_avgpool_gradients(k: int, s: int | None, h: int, w: int) -> None:
    rng = np.random.default_rng(30 + k * 5 + (s or 0) + h)
    x = rng.standard_normal((2, h, w, 3))  # (N, H, W, C)

    check_layer_grads(AvgPool2D(k, s), x, rng)


@pytest.mark.parametrize(
    "max_at",
    [(0, 0), (15, 0), (15, 1), (16, 16)],
    ids=["offset0", "offset255", "offset256", "offset288"],
)
def test_maxpool_gradient_large_window(max_at: tuple[int, int]) -> None:
    """A 17x17 window (global pooling) has 289 offsets: more than a uint8 index can count."""
    rng = np.random.default_rng(40)
    x = distinct_values(rng, (1, 17, 17, 2))  # (N, H, W, C)
    for c in range(2):
        top = np.unravel_index(np.argmax(x[0, :, :, c]), (17, 17))
        x[0, top[0], top[1], c], x[0, max_at[0], max_at[1], c] = (
            x[0, max_at[0], max_at[1], c],
            x[0, top[0], top[1], c],
        )
    pool = MaxPool2D(17)
    out = pool.forward(x, training=True)  # (1, 1, 1, 2)
    dx = pool.backward(np.array([[[[2.0, -3.0]]]]))  # (1, 17, 17, 2)

    expected = np.zeros_like(x)  # (1, 17, 17, 2)
    expected[0, max_at[0], max_at[1]] = [2.0, -3.0]
    np.testing.assert_array_equal(out[0, 0, 0], x[0, max_at[0], max_at[1]])
    np.testing.assert_array_equal(dx, expected)


@pytest.mark.parametrize(("k", "s", "h"), [(2, None, 4), (3, 2, 5), (2, 1, 3), (3, 3, 6)])
def test_maxpool_all_equal_window_routes_to_top_left(k: int, s: int | None, h: int) -> None:
    """Ties go to the FIRST maximum in row-major window order, like PyTorch."""
    stride = s or k
    x = np.full((2, h, h, 3), 0.5)  # (N, H, W, C), every window one big tie
    pool = MaxPool2D(k, s)
    out = pool.forward(x, training=True)  # (N, Ho, Wo, C)
    ho = out.shape[1]
    dout = np.random.default_rng(50).standard_normal(out.shape)  # (N, Ho, Wo, C)

    dx = pool.backward(dout)  # (N, H, W, C)

    expected = np.zeros_like(x)  # (N, H, W, C)
    for i in range(ho):
        for j in range(ho):
            expected[:, i * stride, j * stride, :] += dout[:, i, j, :]
    np.testing.assert_array_equal(dx, expected)


def test_maxpool_partial_tie_routes_to_first_maximum() -> None:
    window = np.array([[1.0, 3.0], [3.0, 2.0]])  # maximum 3 at (0, 1) and (1, 0)
    x = window[None, :, :, None]  # (1, 2, 2, 1)
    pool = MaxPool2D(2)
    pool.forward(x, training=True)

    dx = pool.backward(np.array([[[[5.0]]]]))  # (1, 2, 2, 1)

    np.testing.assert_array_equal(dx[0, :, :, 0], [[0.0, 5.0], [0.0, 0.0]])


# --- dense, activations, flatten, dropout -------------------------------------------------------


def test_dense_gradients() -> None:
    rng = np.random.default_rng(60)
    layer = Dense(7, 4, rng=rng, dtype=F64)
    layer.params["bias"][:] = rng.standard_normal(4)  # (F,)
    x = rng.standard_normal((5, 7))  # (N, D)

    check_layer_grads(layer, x, rng)


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    magnitude = rng.uniform(0.05, 2.0, size=shape)
    return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 4, 2)], ids=["2d", "4d"])
@pytest.mark.parametrize(
    ("layer_cls", "make_x"),
    [
        pytest.param(ReLU, _away_from_zero, id="relu"),
        pytest.param(Sigmoid, lambda r, s: 3.0 * r.standard_normal(s), id="sigmoid"),
        pytest.param(Tanh, lambda r, s: 2.0 * r.standard_normal(s), id="tanh"),
    ],
)
def test_activation_gradients(
    layer_cls: type[Layer],
    make_x: Callable[[np.random.Generator, tuple[int, ...]], np.ndarray],
    shape: tuple[int, ...],
) -> None:
    rng = np.random.default_rng(70)
    x = make_x(rng, shape)  # any shape

    check_layer_grads(layer_cls(), x, rng)


def test_relu_gradient_is_the_positive_mask() -> None:
    x = np.array([[-2.0, -0.1, 0.1, 3.0]])  # (1, 4)
    relu = ReLU()
    relu.forward(x, training=True)
    np.testing.assert_array_equal(relu.backward(np.full((1, 4), 7.0)), [[0.0, 0.0, 7.0, 7.0]])


def test_flatten_gradients() -> None:
    rng = np.random.default_rng(80)
    x = rng.standard_normal((2, 3, 4, 5))  # (N, H, W, C)

    check_layer_grads(Flatten(), x, rng)


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_gradients_in_training(rate: float) -> None:
    rng = np.random.default_rng(90)
    layer = Dropout(rate, rng=np.random.default_rng(91))
    x = rng.standard_normal((6, 10))  # (N, D)

    check_layer_grads(layer, x, rng)

    # The check was not trivial: the mask really zeroed some activations and scaled the rest.
    out = layer.forward(x, training=True)  # (N, D)
    dropped = out == 0.0
    assert 0 < dropped.sum() < x.size
    np.testing.assert_allclose(out[~dropped], x[~dropped] / (1.0 - rate), rtol=1e-15)


# --- BatchNorm ----------------------------------------------------------------------------------


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


# --- losses -------------------------------------------------------------------------------------


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 0.3])
def test_softmax_cross_entropy_gradient(label_smoothing: float) -> None:
    rng = np.random.default_rng(120)
    logits = 3.0 * rng.standard_normal((5, 4))  # (N, K)
    labels = np.array([0, 3, 1, 1, 2])  # (N,)

    _, dlogits = softmax_cross_entropy(logits, labels, label_smoothing)  # (N, K)
    numerical = numerical_grad(
        lambda: softmax_cross_entropy(logits, labels, label_smoothing)[0], logits
    )

    assert rel_error(dlogits, numerical) < 1e-6


def test_mse_gradient() -> None:
    rng = np.random.default_rng(130)
    pred = rng.standard_normal((3, 4))  # (N, K)
    target = rng.standard_normal((3, 4))  # (N, K)

    _, dpred = mse(pred, target)  # (N, K)
    numerical = numerical_grad(lambda: mse(pred, target)[0], pred)

    assert rel_error(dpred, numerical) < 1e-6


# --- a whole network ----------------------------------------------------------------------------


def _small_net(rng: np.random.Generator) -> Sequential:
    layers: list[Layer] = [
        Conv2D(2, 3, 3, padding=1, rng=rng, dtype=F64),  # (6, 5, 3)
        BatchNorm(3, dtype=F64),
        ReLU(),
        MaxPool2D(2),  # (3, 2, 3)
        Flatten(),  # (18,)
        Dense(18, 6, rng=rng, dtype=F64),
        Dropout(0.3, rng=np.random.default_rng(141)),
        Dense(6, 4, rng=rng, dtype=F64),  # (4,)
    ]
    net = Sequential(layers, (6, 5, 2))
    for name, p in net.params.items():
        if name.endswith(("bias", "beta")):
            p[:] = 0.1 * rng.standard_normal(p.shape)
    return net


def test_sequential_gradients_end_to_end() -> None:
    rng = np.random.default_rng(140)
    net = _small_net(rng)
    net.layers[0].input_grad = True
    x = rng.standard_normal((3, 6, 5, 2))  # (N, H, W, C)

    # The conv bias feeds BatchNorm, which subtracts the batch mean: its gradient is exactly 0.
    errors = check_layer_grads(net, x, rng, zero_grads={"0.bias"})

    assert set(errors) == {"dx", *net.params}


def test_sequential_gradients_through_the_loss() -> None:
    """d loss / d param of the full training objective (logits -> softmax cross-entropy)."""
    rng = np.random.default_rng(150)
    net = _small_net(rng)
    x = rng.standard_normal((4, 6, 5, 2))  # (N, H, W, C)
    labels = np.array([0, 3, 2, 1])  # (N,)

    def loss() -> float:
        net.layers[6].rng = np.random.default_rng(7)  # the same dropout mask every time
        return softmax_cross_entropy(net.forward(x, training=True), labels, 0.1)[0]

    net.layers[6].rng = np.random.default_rng(7)
    _, dlogits = softmax_cross_entropy(net.forward(x, training=True), labels, 0.1)  # (N, 4)
    assert net.backward(dlogits) is None  # the first layer's input gradient is switched off
    analytic = {name: g.copy() for name, g in net.grads.items()}

    for name, p in net.params.items():
        numerical = numerical_grad(loss, p)
        if name == "0.bias":  # feeds BatchNorm: the true gradient is identically zero
            assert np.max(np.abs(analytic[name])) < 1e-12
            assert np.max(np.abs(numerical)) < 1e-8
        else:
            assert rel_error(analytic[name], numerical) < 1e-6, name


# --- input_grad switched off ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_layer", "x_shape"),
    [
        pytest.param(
            lambda rng: Conv2D(2, 3, 3, stride=2, padding=1, rng=rng, dtype=F64),
            (2, 5, 6, 2),
            id="conv2d",
        ),
        pytest.param(lambda rng: Dense(5, 3, rng=rng, dtype=F64), (4, 5), id="dense"),
    ],
)
def test_input_grad_off_returns_none_and_same_param_grads(
    make_layer: Callable[[np.random.Generator], Layer], x_shape: tuple[int, ...]
) -> None:
    rng = np.random.default_rng(160)
    layer = make_layer(rng)
    x = rng.standard_normal(x_shape)  # (N, ...)
    dout = rng.standard_normal(layer.forward(x).shape)  # (N, ...) output shape

    layer.forward(x, training=True)
    dx = layer.backward(dout)
    with_dx = {name: g.copy() for name, g in layer.grads.items()}
    for g in layer.grads.values():
        g[...] = np.nan  # stale values must be overwritten, not kept

    layer.input_grad = False
    layer.forward(x, training=True)
    assert layer.backward(dout) is None

    assert dx is not None and dx.shape == x.shape
    assert set(layer.grads) == set(with_dx)
    for name, g in with_dx.items():
        np.testing.assert_array_equal(layer.grads[name], g)


# --- dtypes ---------------------------------------------------------------------------------


LayerFactory = Callable[[np.random.Generator, type], Layer]

DTYPE_CASES = [
    pytest.param(lambda r, d: Conv2D(2, 3, 3, 2, 1, rng=r, dtype=d), (2, 5, 6, 2), id="conv2d"),
    pytest.param(lambda r, d: MaxPool2D(2), (2, 4, 5, 3), id="maxpool"),
    pytest.param(lambda r, d: MaxPool2D(3, 2), (2, 5, 5, 3), id="maxpool-overlap"),
    pytest.param(lambda r, d: AvgPool2D(2), (2, 4, 5, 3), id="avgpool"),
    pytest.param(lambda r, d: AvgPool2D(3, 2), (2, 5, 5, 3), id="avgpool-overlap"),
    pytest.param(lambda r, d: Dense(5, 3, rng=r, dtype=d), (4, 5), id="dense"),
    pytest.param(lambda r, d: ReLU(), (2, 3, 4, 2), id="relu"),
    pytest.param(lambda r, d: Sigmoid(), (2, 3, 4, 2), id="sigmoid"),
    pytest.param(lambda r, d: Tanh(), (4, 5), id="tanh"),
    pytest.param(lambda r, d: Flatten(), (2, 3, 4, 2), id="flatten"),
    pytest.param(lambda r, d: Dropout(0.5, rng=r), (4, 6), id="dropout"),
    pytest.param(lambda r, d: BatchNorm(5, dtype=d), (4, 5), id="batchnorm-NC"),
    pytest.param(lambda r, d: BatchNorm(2, dtype=d), (2, 3, 4, 2), id="batchnorm-NHWC"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("make_layer", "x_shape"), DTYPE_CASES)
def test_layer_keeps_input_dtype(
    make_layer: LayerFactory, x_shape: tuple[int, ...], dtype: type
) -> None:
    rng = np.random.default_rng(170)
    layer = make_layer(rng, dtype)
    x = rng.standard_normal(x_shape).astype(dtype)  # (N, ...)

    inference = layer.forward(x, training=False)
    out = layer.forward(x, training=True)
    dx = layer.backward(rng.standard_normal(out.shape).astype(dtype))  # same shape as x

    assert inference.dtype == dtype
    assert out.dtype == dtype
    assert dx is not None and dx.dtype == dtype and dx.shape == x.shape
    for name in layer.params:
        assert layer.params[name].dtype == dtype, name
        assert layer.grads[name].dtype == dtype, name
        assert layer.grads[name].shape == layer.params[name].shape, name
    for name, array in layer.state.items():
        assert array.dtype == dtype, name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_keep_dtype(dtype: type) -> None:
    rng = np.random.default_rng(180)
    logits = rng.standard_normal((4, 3)).astype(dtype)  # (N, K)

    _, dlogits = softmax_cross_entropy(logits, np.array([0, 1, 2, 0]), 0.1)  # (N, K)
    _, dpred = mse(logits, np.zeros_like(logits))  # (N, K)

    assert dlogits.dtype == dtype
    assert dpred.dtype == dtype


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


def test_dropout_is_the_identity_at_inference() -> None:
    x = np.random.default_rng(195).standard_normal((4, 6))  # (N, D)
    layer = Dropout(0.5, rng=np.random.default_rng(196))

    assert layer.forward(x, training=False) is x
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))
