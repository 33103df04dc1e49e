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
    lattice = _Lattice(logits, labels, lengths, blank)
    alpha, total = lattice.forward()  # (N, T, S), (N,)
    beta = np.full(alpha.shape, NEVER)  # (N, T, S) the rest of the path after t
    np.put_along_axis(beta[:, -1], lattice.ends, 0.0, axis=1)
    for t in range(frames - 2, -1, -1):
        beta[:, t] = _leave(beta[:, t + 1] + lattice.emit[:, t + 1], lattice.skip)

    occupancy = np.exp(alpha + beta - total[:, None, None])  # (N, T, S) posterior of each state
    onehot = lattice.extended[:, :, None] == np.arange(logits.shape[2])  # (N, S, K)
    posterior = np.einsum("nts,nsk->ntk", occupancy, onehot)  # (N, T, K)
    grad = np.exp(lattice.logp) - posterior  # (N, T, K)
    grad[lattice.padding] = 0.0
    return float(-total.mean()), (grad / n).astype(logits.dtype)


def ctc_log_likelihood(
    logits: np.ndarray, labels: Sequence[Sequence[int]], lengths: np.ndarray, blank: int
) -> np.ndarray:
    """(N, T, K) frame logits, N label sequences and (N,) frame counts -> (N,)
    log p(labels | frames): the forward pass of ctc_loss alone, no gradient.

    A sequence of one label or none, the most asked for by far, is summed in closed form
    (`_one_or_none`): the recursion would take a dozen passes over the lattice a frame."""
    lengths = np.asarray(lengths)
    total = np.empty(len(labels))  # (N,)
    short = [i for i, seq in enumerate(labels) if len(seq) <= 1]
    longer = [i for i, seq in enumerate(labels) if len(seq) > 1]
    if short:
        logp = log_softmax(logits[short].astype(np.float64))  # (n, T, K)
        for i, each in zip(short, logp, strict=True):
            total[i] = _one_or_none(each[: lengths[i]], labels[i], blank)
    if longer:
        lattice = _Lattice(logits[longer], [labels[i] for i in longer], lengths[longer], blank)
        total[longer] = lattice.forward()[1]
    return total


def _one_or_none(logp: np.ndarray, labels: Sequence[int], blank: int) -> float:
    """log p(labels | frames) for (T, K) frame log-probabilities and one label or none.

    No label: every frame blank. One label: blank frames before frame a, the label from a to
    b, blank after b, for every a <= b. With B and L the running sums of the blank's and the
    label's log-probabilities (B[0] = L[0] = 0), that path's log-probability is
    (B[a] - L[a]) + (L[b + 1] - B[b + 1]) + B[T], and its sum over a <= b one running
    log-sum-exp over a."""
    blanks = np.concatenate(([0.0], np.cumsum(logp[:, blank])))  # (T + 1,)
    if not labels:
        return float(blanks[-1])
    marks = np.concatenate(([0.0], np.cumsum(logp[:, labels[0]])))  # (T + 1,)
    starts = np.logaddexp.accumulate(blanks[:-1] - marks[:-1])  # (T,) summed over a <= b
    ends = marks[1:] - blanks[1:]  # (T,) for each b
    return float(blanks[-1] + np.logaddexp.reduce(starts + ends))


class _Lattice:
    """The extended labels of a batch (blank, l1, blank, l2, ..., blank) over its frames."""

    def __init__(
        self, logits: np.ndarray, labels: Sequence[Sequence[int]], lengths: np.ndarray, blank: int
    ) -> None:
        n, frames, _ = logits.shape
        logp = log_softmax(logits.astype(np.float64))  # (N, T, K)
        self.padding = np.arange(frames)[None, :] >= np.asarray(lengths)[:, None]  # (N, T)
        logp[self.padding] = NEVER
        logp[self.padding, blank] = 0.0
        self.logp = logp
        longest = max((len(seq) for seq in labels), default=0)
        states = 2 * max(longest, 1) + 1  # room for one label: every shift stays in bounds
        extended = np.full((n, states), blank, dtype=np.int64)  # (N, S)
        for i, seq in enumerate(labels):
            extended[i, 1 : 2 * len(seq) : 2] = seq
        self.extended = extended
        self.counts = np.array([len(seq) for seq in labels])  # (N,)
        valid = np.arange(states)[None, :] <= 2 * self.counts[:, None]  # (N, S)
        self.skip = np.zeros((n, states), dtype=bool)  # (N, S) s may be reached from s - 2
        self.skip[:, 2:] = (extended[:, 2:] != blank) & (extended[:, 2:] != extended[:, :-2])
        emit = np.take_along_axis(logp, extended[:, None, :].repeat(frames, axis=1), axis=2)
        self.emit = np.where(valid[:, None, :], emit, NEVER)  # (N, T, S) each state's log-prob
        last_label = np.maximum(2 * self.counts - 1, 0)
        self.ends = np.stack([2 * self.counts, last_label], axis=1)  # (N, 2) final states

    def forward(self) -> tuple[np.ndarray, np.ndarray]:
        """(N, T, S) log-probability of the paths up to t ending in s, and (N,) of them all."""
        n, frames, states = self.emit.shape
        alpha = np.full((n, frames, states), NEVER)
        alpha[:, 0, :2] = self.emit[:, 0, :2]
        for t in range(1, frames):
            alpha[:, t] = _arrive(alpha[:, t - 1], self.skip) + self.emit[:, t]
        last = np.take_along_axis(alpha[:, -1], self.ends, axis=1)  # (N, 2)
        last[self.counts == 0, 1] = NEVER  # an empty sequence ends only on its one blank
        return alpha, np.logaddexp(last[:, 0], last[:, 1])


def _arrive(previous: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """(N, S) log-probabilities at t - 1 -> (N, S) summed over the states that lead to each."""
    step = np.full_like(previous, NEVER)  # (N, S) from s - 1
    step[:, 1:] = previous[:, :-1]
    jump = np.full_like(previous, NEVER)  # (N, S) from s - 2, where skipping is allowed
    jump[:, 2:] = np.where(skip[:, 2:], previous[:, :-2], NEVER)
    return np.logaddexp(np.logaddexp(previous, step), jump)


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
