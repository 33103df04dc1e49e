"""Connectionist temporal classification (Graves et al. 2006): a loss over label sequences.

A network that reads a strip of ink left to right gives each frame (a few columns) a
distribution over the classes and a BLANK. A reading is any frame path that, once repeats are
merged and blanks dropped, spells the labels; the loss is minus the log of the summed
probability of all such paths, found by the forward-backward recursions over the labels
with blanks between them (the extended labels), in log space.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NEVER = -1e30  # log of a probability of 0 that stays finite under addition


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """(..., K) -> (..., K) log-probabilities, shifted by the maximum so exp never overflows."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def ctc_loss(
    logits: np.ndarray, labels: Sequence[Sequence[int]], lengths: np.ndarray, blank: int
) -> tuple[float, np.ndarray]:
    """(N, T, K) frame logits, N label sequences (possibly empty) and (N,) frame counts ->
    the mean over the batch of -log p(labels | frames), and its (N, T, K) gradient.

    Frames past an example's length are padding: they may only be blank, at no cost, and get
    no gradient."""
    n, frames, _ = logits.shape
    logp = log_softmax(logits.astype(np.float64))  # (N, T, K)
    padding = np.arange(frames)[None, :] >= np.asarray(lengths)[:, None]  # (N, T)
    logp[padding] = NEVER
    logp[padding, blank] = 0.0
    states = 2 * max((len(seq) for seq in labels), default=0) + 1
    extended = np.full((n, states), blank, dtype=np.int64)  # (N, S) blank, l1, blank, l2 ...
    for i, seq in enumerate(labels):
        extended[i, 1 : 2 * len(seq) : 2] = seq
    counts = np.array([len(seq) for seq in labels])  # (N,)
    valid = np.arange(states)[None, :] <= 2 * counts[:, None]  # (N, S)
    skip = np.zeros((n, states), dtype=bool)  # (N, S) state s may be reached from s - 2
    skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
    emit = np.take_along_axis(logp, extended[:, None, :].repeat(frames, axis=1), axis=2)
    emit = np.where(valid[:, None, :], emit, NEVER)  # (N, T, S) each state's log-probability

    alpha = np.full((n, frames, states), NEVER)  # (N, T, S) paths up to t ending in s
    alpha[:, 0, :2] = emit[:, 0, :2]
    for t in range(1, frames):
        alpha[:, t] = _arrive(alpha[:, t - 1], skip) + emit[:, t]
    ends = np.stack([2 * counts, np.maximum(2 * counts - 1, 0)], axis=1)  # (N, 2) final states
    last = np.take_along_axis(alpha[:, -1], ends, axis=1)  # (N, 2)
    last[counts == 0, 1] = NEVER  # an empty sequence ends only on its one blank
    total = np.logaddexp(last[:, 0], last[:, 1])  # (N,) log p(labels | frames)

    beta = np.full((n, frames, states), NEVER)  # (N, T, S) the rest of the path after t
    np.put_along_axis(beta[:, -1], ends, 0.0, axis=1)
    for t in range(frames - 2, -1, -1):
        beta[:, t] = _leave(beta[:, t + 1] + emit[:, t + 1], skip)

    occupancy = np.exp(alpha + beta - total[:, None, None])  # (N, T, S) posterior of each state
    onehot = extended[:, :, None] == np.arange(logits.shape[2])  # (N, S, K)
    posterior = np.einsum("nts,nsk->ntk", occupancy, onehot)  # (N, T, K)
    grad = np.exp(logp) - posterior  # (N, T, K)
    grad[padding] = 0.0
    return float(-total.mean()), (grad / n).astype(logits.dtype)


def _arrive(previous: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """(N, S) log-probabilities at t - 1 -> (N, S) summed over the states that lead to each."""
    stay = previous
    step = np.pad(previous[:, :-1], ((0, 0), (1, 0)), constant_values=NEVER)
    jump = np.pad(previous[:, :-2], ((0, 0), (2, 0)), constant_values=NEVER)
    return np.logaddexp(np.logaddexp(stay, step), np.where(skip, jump, NEVER))


def _leave(following: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """(N, S) log-probabilities from t + 1 on -> (N, S) summed over the states each leads to."""
    step = np.pad(following[:, 1:], ((0, 0), (0, 1)), constant_values=NEVER)
    jumped = np.where(skip, following, NEVER)[:, 2:]  # reaching s + 2 from s
    jump = np.pad(jumped, ((0, 0), (0, 2)), constant_values=NEVER)
    return np.logaddexp(np.logaddexp(following, step), jump)


def best_path(logp: np.ndarray, blank: int) -> list[tuple[int, int, int]]:
    """(T, K) one strip's frame log-probabilities -> its greedy reading: each label with the
    first and last frame (inclusive) of its run, repeats merged and blanks dropped."""
    best = logp.argmax(axis=1)  # (T,)
    runs: list[tuple[int, int, int]] = []
    for t, label in enumerate(best.tolist()):
        if runs and runs[-1][0] == label and runs[-1][2] == t - 1:
            runs[-1] = (label, runs[-1][1], t)
        elif label != blank:
            runs.append((label, t, t))
    return runs
