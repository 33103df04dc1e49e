"""The distillation loss: its parts by definition, and its gradient against numerical ones."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.losses import (
    distillation_loss,
    soft_cross_entropy,
    softmax,
    softmax_cross_entropy,
)
from tests.model_core.nn.gradcheck import TOL, numerical_grad, rel_error


def batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, (6, 10))  # (N, K) float64
    labels = rng.integers(0, 10, 6)  # (N,)
    teacher = softmax(rng.normal(0, 2, (6, 10)))  # (N, K) a distribution per row
    return logits, labels, teacher


def test_soft_targets_that_are_one_hot_give_the_plain_cross_entropy() -> None:
    logits, labels, _ = batch()
    loss, grad = soft_cross_entropy(logits, np.eye(10)[labels])
    expected_loss, expected_grad = softmax_cross_entropy(logits, labels)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-15)


def test_the_loss_is_the_weighted_sum_of_its_two_terms() -> None:
    logits, labels, teacher = batch(1)
    temperature, weight = 3.0, 0.7
    loss, _ = distillation_loss(logits, labels, teacher, temperature, weight)
    hard = softmax_cross_entropy(logits, labels)[0]
    soft = -np.mean(np.sum(teacher * np.log(softmax(logits / temperature)), axis=1))
    assert loss == pytest.approx(0.3 * hard + 0.7 * 9.0 * soft, rel=1e-12)
    assert distillation_loss(logits, labels, teacher, temperature, 0.0)[0] == pytest.approx(hard)


@pytest.mark.parametrize(("temperature", "weight"), [(1.0, 0.5), (4.0, 0.5), (2.5, 1.0)])
def test_gradient_matches_numerical(temperature: float, weight: float) -> None:
    logits, labels, teacher = batch(2)
    _, grad = distillation_loss(logits, labels, teacher, temperature, weight, 0.1)
    numeric = numerical_grad(
        lambda: distillation_loss(logits, labels, teacher, temperature, weight, 0.1)[0], logits
    )
    assert rel_error(grad, numeric) < TOL
