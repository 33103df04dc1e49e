"""Tests for pooling.py: MaxPool2D/AvgPool2D gradients, tie routing and nested-loop references."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.layers import AvgPool2D, MaxPool2D, pooling
from tests.model_core.nn.gradcheck import check_layer_grads
from tests.model_core.nn.layers.helpers import F64, TOL, pool_forward_backward_loops


def distinct_values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values with no ties, at least 0.1 apart: the max is differentiable everywhere."""
    size = int(np.prod(shape))
    return (rng.permutation(size).astype(F64) * 0.1 - 0.05 * size).reshape(shape)


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


LOOP_CASES = [
    # kernel, stride, H, W
    pytest.param(2, 2, 4, 6, id="k2-s2"),
    pytest.param(2, 2, 5, 7, id="k2-s2-uneven"),
    pytest.param(3, 2, 7, 6, id="k3-s2-overlap"),
    pytest.param(3, 2, 6, 8, id="k3-s2-overlap-uneven"),
    pytest.param(3, 1, 5, 4, id="k3-s1"),
    pytest.param(2, 3, 8, 7, id="k2-s3-gaps"),
    pytest.param(3, 3, 7, 9, id="k3-s3-uneven"),
    pytest.param(3, 3, 6, 9, id="k3-s3-tiled"),
]


@pytest.mark.parametrize("in_parts", [False, True], ids=["whole", "image-by-image"])
@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize(("k", "s", "h", "w"), LOOP_CASES)
def test_maxpool_matches_loops(
    k: int, s: int, h: int, w: int, ties: bool, in_parts: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(300 + 7 * k + s + h)
    if ties:  # few distinct values: most windows hold a tied maximum
        x = rng.integers(0, 3, size=(3, h, w, 3)).astype(np.float64)  # (N, H, W, C)
    else:
        x = rng.standard_normal((3, h, w, 3))  # (N, H, W, C)
    pool = MaxPool2D(k, s)
    if in_parts:
        monkeypatch.setattr(pooling, "PART_BYTES", x[0].nbytes)
        assert len(pooling.batch_parts(x)) == 3

    out = pool.forward(x, training=True)  # (N, Ho, Wo, C)
    dout = rng.standard_normal(out.shape)  # (N, Ho, Wo, C)
    dx = pool.backward(dout)  # (N, H, W, C)

    expected_out, expected_dx = pool_forward_backward_loops(x, dout, k, s, "max")
    np.testing.assert_allclose(out, expected_out, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(dx, expected_dx, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("in_parts", [False, True], ids=["whole", "image-by-image"])
@pytest.mark.parametrize(("k", "s", "h", "w"), LOOP_CASES)
def test_maxpool_inference_gives_the_loops_maxima(
    k: int, s: int, h: int, w: int, in_parts: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = np.random.default_rng(350 + 7 * k + s + h).standard_normal((3, h, w, 3))  # (N, H, W, C)
    if in_parts:
        monkeypatch.setattr(pooling, "PART_BYTES", x[0].nbytes)

    out = MaxPool2D(k, s).forward(x, training=False)  # (N, Ho, Wo, C)

    expected_out, _ = pool_forward_backward_loops(x, np.zeros_like(out), k, s, "max")
    np.testing.assert_array_equal(out, expected_out)


@pytest.mark.parametrize(("k", "s", "h", "w"), LOOP_CASES)
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
