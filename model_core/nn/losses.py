"""Losses: each returns the mean loss over the batch and its gradient with respect to the input."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    z = logits - logits.max(axis=1, keepdims=True)  # (N, K)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def softmax_cross_entropy(
    logits: np.ndarray, labels: np.ndarray, label_smoothing: float = 0.0
) -> tuple[float, np.ndarray]:
    """Fused softmax and cross-entropy against integer labels, mean over the batch.

    Computed from log-softmax (log-sum-exp with the max shift), so it stays finite for any
    logits; the fused gradient is (softmax - target) / N.
    """
    n, k = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, K)
    log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, 1)
    log_probs = shifted - log_z  # (N, K)
    target = np.full((n, k), label_smoothing / k, dtype=logits.dtype)  # (N, K)
    target[np.arange(n), labels] += 1.0 - label_smoothing
    loss = float(-(target * log_probs).sum() / n)
    dlogits = np.exp(log_probs)  # (N, K) softmax
    dlogits -= target
    dlogits /= n
    return loss, dlogits


def soft_cross_entropy(logits: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy of softmax(logits) against target distributions (N, K), mean over the
    batch, and its gradient (softmax - target) / N."""
    n = len(logits)
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, K)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, K)
    loss = float(-(target * log_probs).sum() / n)
    dlogits = np.exp(log_probs)  # (N, K) softmax
    dlogits -= target
    dlogits /= n
    return loss, dlogits


def distillation_loss(
    logits: np.ndarray,
    labels: np.ndarray,
    teacher: np.ndarray,
    temperature: float,
    weight: float,
    label_smoothing: float = 0.0,
) -> tuple[float, np.ndarray]:
    """Knowledge distillation (Hinton et al., 2015): the labels' cross-entropy, weighted
    1 - weight, plus weight * T^2 times the cross-entropy of the student's softmax at
    temperature T against the teacher's probabilities at T (`teacher`, (N, K)).

    T^2 keeps the soft term's gradient on the scale of the hard one's as T changes: the
    gradient of the soft term with respect to the logits is T * (softmax(z / T) - teacher) / N.
    """
    hard, dhard = softmax_cross_entropy(logits, labels, label_smoothing)
    soft, dsoft = soft_cross_entropy(logits / temperature, teacher)
    loss = (1.0 - weight) * hard + weight * temperature**2 * soft
    dhard *= 1.0 - weight
    dhard += (weight * temperature) * dsoft
    return loss, dhard


def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over every element, and its gradient."""
    diff = pred - target
    return float(np.mean(diff * diff)), diff * (2.0 / diff.size)
