"""The vectorised Conv2D and pooling layers against plain nested-loop reference implementations."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.layers import AvgPool2D, Conv2D, MaxPool2D

TOL = 1e-10


def _out(size: int, k: int, s: int, p: int = 0) -> int:
    return (size + 2 * p - k) // s + 1


def _pad(x: np.ndarray, p: int) -> np.ndarray:
    n, h, w, c = x.shape
    xp = np.zeros((n, h + 2 * p, w + 2 * p, c))  # (N, H + 2p, W + 2p, C)
    xp[:, p : p + h, p : p + w, :] = x
    return xp


def conv_forward_loops(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, s: int, p: int
) -> np.ndarray:
    n, h, w, c_in = x.shape
    k, _, _, c_out = weight.shape
    xp = _pad(x, p)  # (N, H + 2p, W + 2p, C_in)
    ho, wo = _out(h, k, s, p), _out(w, k, s, p)
    out = np.zeros((n, ho, wo, c_out))  # (N, Ho, Wo, C_out)
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                for co in range(c_out):
                    total = bias[co]
                    for di in range(k):
                        for dj in range(k):
                            for ci in range(c_in):
                                total += xp[b, i * s + di, j * s + dj, ci] * weight[di, dj, ci, co]
                    out[b, i, j, co] = total
    return out


def conv_backward_loops(
    x: np.ndarray, weight: np.ndarray, dout: np.ndarray, s: int, p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, h, w, c_in = x.shape
    k, _, _, c_out = weight.shape
    xp = _pad(x, p)  # (N, H + 2p, W + 2p, C_in)
    dxp = np.zeros_like(xp)  # (N, H + 2p, W + 2p, C_in)
    dw = np.zeros_like(weight)  # (k, k, C_in, C_out)
    db = np.zeros(c_out)  # (C_out,)
    _, ho, wo, _ = dout.shape
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                for co in range(c_out):
                    g = dout[b, i, j, co]
                    db[co] += g
                    for di in range(k):
                        for dj in range(k):
                            for ci in range(c_in):
                                r, c = i * s + di, j * s + dj
                                dw[di, dj, ci, co] += xp[b, r, c, ci] * g
                                dxp[b, r, c, ci] += weight[di, dj, ci, co] * g
    return dxp[:, p : p + h, p : p + w, :], dw, db


def pool_forward_backward_loops(
    x: np.ndarray, dout: np.ndarray, k: int, s: int, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """Max (gradient to the first maximum in row-major window order) or average pooling."""
    n, h, w, c = x.shape
    ho, wo = _out(h, k, s), _out(w, k, s)
    out = np.zeros((n, ho, wo, c))  # (N, Ho, Wo, C)
    dx = np.zeros_like(x)  # (N, H, W, C)
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                for ch in range(c):
                    if kind == "max":
                        best_r, best_c = i * s, j * s
                        for di in range(k):
                            for dj in range(k):
                                r, cc = i * s + di, j * s + dj
                                if x[b, r, cc, ch] > x[b, best_r, best_c, ch]:  # strict: first
                                    best_r, best_c = r, cc
                        out[b, i, j, ch] = x[b, best_r, best_c, ch]
                        dx[b, best_r, best_c, ch] += dout[b, i, j, ch]
                    else:
                        total = 0.0
                        for di in range(k):
                            for dj in range(k):
                                total += x[b, i * s + di, j * s + dj, ch]
                                dx[b, i * s + di, j * s + dj, ch] += dout[b, i, j, ch] / k**2
                        out[b, i, j, ch] = total / k**2
    return out, dx


CONV_CASES = [
    # kernel, stride, padding, c_in, c_out, H, W
    pytest.param(1, 1, 0, 3, 2, 4, 5, id="k1"),
    pytest.param(3, 1, 0, 2, 3, 6, 5, id="k3-s1-p0"),
    pytest.param(3, 1, 1, 3, 4, 5, 6, id="k3-s1-p1-same"),
    pytest.param(3, 2, 1, 2, 3, 7, 6, id="k3-s2-p1-uneven"),
    pytest.param(2, 2, 0, 2, 2, 5, 8, id="k2-s2-uneven"),
    pytest.param(5, 3, 2, 2, 3, 9, 7, id="k5-s3-p2-uneven"),
    pytest.param(4, 1, 2, 1, 2, 5, 4, id="k4-s1-p2"),
]


@pytest.mark.parametrize(("k", "s", "p", "c_in", "c_out", "h", "w"), CONV_CASES)
def test_conv2d_matches_loops(
    k: int, s: int, p: int, c_in: int, c_out: int, h: int, w: int
) -> None:
    rng = np.random.default_rng(200 + 11 * k + 5 * s + p)
    layer = Conv2D(c_in, c_out, k, stride=s, padding=p, rng=rng, dtype=np.float64)
    layer.params["bias"][:] = rng.standard_normal(c_out)  # (C_out,)
    weight, bias = layer.params["weight"], layer.params["bias"]
    x = rng.standard_normal((2, h, w, c_in))  # (N, H, W, C_in)

    out = layer.forward(x, training=True)  # (N, Ho, Wo, C_out)
    expected_out = conv_forward_loops(x, weight, bias, s, p)  # (N, Ho, Wo, C_out)
    assert out.shape == expected_out.shape == (2, _out(h, k, s, p), _out(w, k, s, p), c_out)
    np.testing.assert_allclose(out, expected_out, rtol=TOL, atol=TOL)

    dout = rng.standard_normal(out.shape)  # (N, Ho, Wo, C_out)
    dx = layer.backward(dout)  # (N, H, W, C_in)
    expected_dx, expected_dw, expected_db = conv_backward_loops(x, weight, dout, s, p)
    assert dx is not None
    np.testing.assert_allclose(dx, expected_dx, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(layer.grads["weight"], expected_dw, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(layer.grads["bias"], expected_db, rtol=TOL, atol=TOL)


POOL_CASES = [
    # kernel, stride, H, W
    pytest.param(2, 2, 4, 6, id="k2-s2"),
    pytest.param(2, 2, 5, 7, id="k2-s2-uneven"),
    pytest.param(3, 2, 7, 6, id="k3-s2-overlap"),
    pytest.param(3, 2, 6, 8, id="k3-s2-overlap-uneven"),
    pytest.param(3, 1, 5, 4, id="k3-s1"),
    pytest.param(2, 3, 8, 7, id="k2-s3-gaps"),
    pytest.param(3, 3, 7, 9, id="k3-s3-uneven"),
]


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize(("k", "s", "h", "w"), POOL_CASES)
def test_maxpool_matches_loops(k: int, s: int, h: int, w: int, ties: bool) -> None:
    rng = np.random.default_rng(300 + 7 * k + s + h)
    if ties:  # few distinct values: most windows hold a tied maximum
        x = rng.integers(0, 3, size=(2, h, w, 3)).astype(np.float64)  # (N, H, W, C)
    else:
        x = rng.standard_normal((2, h, w, 3))  # (N, H, W, C)
    pool = MaxPool2D(k, s)

    out = pool.forward(x, training=True)  # (N, Ho, Wo, C)
    dout = rng.standard_normal(out.shape)  # (N, Ho, Wo, C)
    dx = pool.backward(dout)  # (N, H, W, C)

    expected_out, expected_dx = pool_forward_backward_loops(x, dout, k, s, "max")
    np.testing.assert_allclose(out, expected_out, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(dx, expected_dx, rtol=TOL, atol=TOL)


@pytest.mark.parametrize(("k", "s", "h", "w"), POOL_CASES)
def test_avgpool_matches_loops(k: int, s: int, h: int, w: int) -> None:
    rng = np.random.default_rng(400 + 7 * k + s + h)
    x = rng.standard_normal((2, h, w, 3))  # (N, H, W, C)
    pool = AvgPool2D(k, s)

    out = pool.forward(x, training=True)  # (N, Ho, Wo, C)
    dout = rng.standard_normal(out.shape)  # (N, Ho, Wo, C)
    dx = pool.backward(dout)  # (N, H, W, C)

    expected_out, expected_dx = pool_forward_backward_loops(x, dout, k, s, "avg")
    np.testing.assert_allclose(out, expected_out, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(dx, expected_dx, rtol=TOL, atol=TOL)


def test_conv2d_identity_kernel_copies_the_input() -> None:
    """A hand-built case: a centred one-hot 3x3 kernel with padding 1 is the identity."""
    x = np.random.default_rng(500).standard_normal((1, 4, 5, 2))  # (N, H, W, C)
    layer = Conv2D(2, 2, 3, padding=1, dtype=np.float64)  # no rng: zero weights
    layer.params["weight"][1, 1] = np.eye(2)  # (C_in, C_out) at the kernel centre

    np.testing.assert_array_equal(layer.forward(x), x)
