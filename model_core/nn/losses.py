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


def uniform_cross_entropy(logits: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy against the uniform distribution, mean over the batch: what outlier
    exposure asks of a non-digit (no class more likely than another). Its gradient is
    (softmax - 1/K) / N."""
    n, k = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, K)
    log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, 1)
    loss = float((log_z - shifted.mean(axis=1, keepdims=True)).sum() / n)
    dlogits = np.exp(shifted - log_z)  # (N, K) softmax
    dlogits -= 1.0 / k
    dlogits /= n
    return loss, dlogits


def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over every element, and its gradient."""
    diff = pred - target
    return float(np.mean(diff * diff)), diff * (2.0 / diff.size)
