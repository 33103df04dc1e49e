"""Softmax, softmax cross-entropy and MSE: values by hand, extreme logits, gradients, dtypes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model_core.nn.losses import mse, softmax, softmax_cross_entropy, uniform_cross_entropy
from tests.model_core.nn.gradcheck import numerical_grad, rel_error


def test_two_class_example_by_hand() -> None:
    # logits (2, 0): p(class 0) = e^2 / (e^2 + 1), so -log p = log(1 + e^-2).
    logits = np.array([[2.0, 0.0]])  # (1, 2)

    loss0, grad0 = softmax_cross_entropy(logits, np.array([0]))
    loss1, _ = softmax_cross_entropy(logits, np.array([1]))

    assert loss0 == pytest.approx(math.log1p(math.exp(-2.0)), rel=1e-12)
    assert loss1 == pytest.approx(math.log1p(math.exp(2.0)), rel=1e-12)
    p0 = math.exp(2.0) / (math.exp(2.0) + 1.0)
    np.testing.assert_allclose(grad0, [[p0 - 1.0, 1.0 - p0]], rtol=1e-12)


def test_loss_is_the_mean_over_the_batch() -> None:
    # Rows: (2, 0) with label 0, (0, 0) with label 1, (1, 3) with label 1.
    logits = np.array([[2.0, 0.0], [0.0, 0.0], [1.0, 3.0]])  # (3, 2)
    per_row = [math.log1p(math.exp(-2.0)), math.log(2.0), math.log1p(math.exp(-2.0))]

    loss, grad = softmax_cross_entropy(logits, np.array([0, 1, 1]))  # grad (3, 2)

    assert loss == pytest.approx(sum(per_row) / 3, rel=1e-12)
    p = 1.0 / (1.0 + math.exp(-2.0))  # the larger probability in rows 0 and 2
    expected = np.array([[p - 1.0, 1.0 - p], [0.5, -0.5], [1.0 - p, p - 1.0]]) / 3  # (3, 2)
    np.testing.assert_allclose(grad, expected, rtol=1e-12)


def test_label_smoothing_by_hand() -> None:
    # K = 2, smoothing 0.2: target (0.9, 0.1) for label 0.
    logits = np.array([[2.0, 0.0]])  # (1, 2)
    log_p0 = -math.log1p(math.exp(-2.0))
    log_p1 = -math.log1p(math.exp(2.0))

    loss, grad = softmax_cross_entropy(logits, np.array([0]), label_smoothing=0.2)

    assert loss == pytest.approx(-(0.9 * log_p0 + 0.1 * log_p1), rel=1e-12)
    np.testing.assert_allclose(grad, [[math.exp(log_p0) - 0.9, math.exp(log_p1) - 0.1]], rtol=1e-12)


def test_huge_logits_stay_finite_and_exact() -> None:
    logits = np.array(
        [
            [1e4, -1e4, 0.0],  # label 0: certain and right, loss 0
            [1e4, -1e4, 0.0],  # label 1: certain and wrong by 2e4
            [-1e4, 1e4, 1e4],  # label 2: a tie between two classes, loss log 2
        ]
    )  # (3, 3)
    labels = np.array([0, 1, 2])  # (3,)

    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grad = softmax_cross_entropy(logits, labels)  # grad (3, 3)
        probs = softmax(logits)  # (3, 3)

    assert math.isfinite(loss)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(probs))
    assert loss == pytest.approx((0.0 + 2e4 + math.log(2.0)) / 3, rel=1e-12)
    expected_grad = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 0.0], [0.0, 0.5, -0.5]]) / 3
    np.testing.assert_allclose(grad, expected_grad, atol=1e-12)
    np.testing.assert_allclose(probs, [[1, 0, 0], [1, 0, 0], [0, 0.5, 0.5]], atol=1e-12)


def test_huge_logits_float32() -> None:
    logits = np.array([[3e4, -3e4], [-3e4, 3e4]], dtype=np.float32)  # (2, 2)

    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grad = softmax_cross_entropy(logits, np.array([1, 1]))  # grad (2, 2)

    assert loss == pytest.approx(6e4 / 2, rel=1e-6)
    np.testing.assert_allclose(grad, [[0.5, -0.5], [0.0, 0.0]], atol=1e-6)


@pytest.mark.parametrize("scale", [1.0, 50.0, 1e4])
def test_softmax_rows_sum_to_one(scale: float) -> None:
    logits = scale * np.random.default_rng(600).standard_normal((6, 10))  # (N, K)

    probs = softmax(logits)  # (N, K)

    assert probs.shape == logits.shape
    assert np.all(probs >= 0.0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(probs.argmax(axis=1), logits.argmax(axis=1))


def test_softmax_by_hand_and_shift_invariant() -> None:
    logits = np.array([[0.0, math.log(3.0)]])  # (1, 2): exp -> (1, 3)

    np.testing.assert_allclose(softmax(logits), [[0.25, 0.75]], rtol=1e-12)
    np.testing.assert_allclose(softmax(logits + 1000.0), [[0.25, 0.75]], rtol=1e-12)


def test_softmax_does_not_modify_its_input() -> None:
    logits = np.array([[1.0, 2.0, 3.0]])  # (1, 3)
    softmax(logits)
    softmax_cross_entropy(logits, np.array([2]), 0.1)
    np.testing.assert_array_equal(logits, [[1.0, 2.0, 3.0]])


def test_mse_by_hand() -> None:
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])  # (2, 2)
    target = np.array([[1.0, 0.0], [0.0, 0.0]])  # (2, 2)

    loss, grad = mse(pred, target)  # grad (2, 2)

    assert loss == pytest.approx((0 + 4 + 9 + 16) / 4, rel=1e-12)
    np.testing.assert_allclose(grad, [[0.0, 1.0], [1.5, 2.0]], rtol=1e-12)


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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_keep_dtype(dtype: type) -> None:
    rng = np.random.default_rng(180)
    logits = rng.standard_normal((4, 3)).astype(dtype)  # (N, K)

    _, dlogits = softmax_cross_entropy(logits, np.array([0, 1, 2, 0]), 0.1)  # (N, K)
    _, dpred = mse(logits, np.zeros_like(logits))  # (N, K)

    assert dlogits.dtype == dtype
    assert dpred.dtype == dtype


def test_uniform_cross_entropy_by_hand_and_its_gradient() -> None:
    # Equal logits already give the uniform distribution: the loss is log K, the gradient 0.
    loss, grad = uniform_cross_entropy(np.zeros((2, 4)))
    assert loss == pytest.approx(math.log(4), rel=1e-12)
    np.testing.assert_allclose(grad, 0.0, atol=1e-15)
    rng = np.random.default_rng(140)
    logits = 3.0 * rng.standard_normal((5, 10))  # (N, K)
    loss, dlogits = uniform_cross_entropy(logits)
    numerical = numerical_grad(lambda: uniform_cross_entropy(logits)[0], logits)
    assert loss > math.log(10)  # any other distribution is further from uniform
    assert rel_error(dlogits, numerical) < 1e-6
