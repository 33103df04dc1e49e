"""Tests for ctc.py: the loss against a sum over every frame path, gradients, decoding."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from model_core.nn.ctc import best_path, ctc_log_likelihood, ctc_loss, log_softmax
from tests.model_core.nn.gradcheck import numerical_grad, rel_error

BLANK = 3


def _by_every_path(logits: np.ndarray, labels: list[int], length: int) -> float:
    """-log p(labels) summed over every frame path of the first `length` frames."""
    logp = log_softmax(logits[:length])  # (T, K)
    total = -math.inf
    for path in itertools.product(range(logits.shape[1]), repeat=length):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if [c for c in merged if c != BLANK] == labels:
            total = np.logaddexp(total, sum(logp[t, c] for t, c in enumerate(path)))
    return -float(total)


CASES = [[0, 1], [2, 2], [], [1, 0, 1]]  # a repeat needs a blank between; empty is all blank
LENGTHS = np.array([6, 5, 3, 6])


def test_loss_is_minus_log_of_every_path_spelling_the_labels() -> None:
    logits = np.random.default_rng(0).standard_normal((4, 6, 4))  # (N, T, K)

    loss, _ = ctc_loss(logits, CASES, LENGTHS, BLANK)

    expected = np.mean([_by_every_path(logits[i], CASES[i], LENGTHS[i]) for i in range(4)])
    assert loss == pytest.approx(expected, rel=1e-10)


def test_a_batch_of_empty_sequences_is_all_blank() -> None:
    logits = np.random.default_rng(5).standard_normal((2, 4, 4))  # (N, T, K)

    loss, grad = ctc_loss(logits, [[], []], np.array([4, 2]), BLANK)

    blank = log_softmax(logits)[:, :, BLANK]  # (N, T)
    assert loss == pytest.approx(-(blank[0].sum() + blank[1, :2].sum()) / 2, rel=1e-12)
    assert not grad[1, 2:].any()


def test_gradient_matches_finite_differences() -> None:
    logits = np.random.default_rng(1).standard_normal((4, 6, 4))  # (N, T, K)

    _, grad = ctc_loss(logits, CASES, LENGTHS, BLANK)
    numerical = numerical_grad(lambda: ctc_loss(logits, CASES, LENGTHS, BLANK)[0], logits)

    assert rel_error(grad, numerical) < 1e-6
    assert not grad[1, 5:].any() and not grad[2, 3:].any()  # padding frames learn nothing


def test_impossible_labels_are_far_more_costly_than_possible_ones() -> None:
    logits = np.zeros((1, 2, 4))  # two frames cannot spell "1 1", which needs a blank between

    possible, _ = ctc_loss(logits, [[1, 2]], np.array([2]), BLANK)
    impossible, _ = ctc_loss(logits, [[1, 1]], np.array([2]), BLANK)

    assert possible == pytest.approx(-math.log(1 / 16), rel=1e-12)  # one path of 4 x 4
    assert impossible > 1e6


def test_best_path_merges_repeats_and_drops_blanks() -> None:
    frames = [BLANK, 1, 1, BLANK, 1, 2, 2, BLANK]
    logp = np.log(np.full((len(frames), 4), 0.1))  # (T, K)
    logp[np.arange(len(frames)), frames] = np.log(0.7)

    assert best_path(logp, BLANK) == [(1, 1, 2), (1, 4, 4), (2, 5, 6)]


def test_log_likelihood_is_each_examples_minus_loss() -> None:
    logits = np.random.default_rng(2).standard_normal((4, 6, 4))  # (N, T, K)

    each = ctc_log_likelihood(logits, CASES, LENGTHS, BLANK)  # (N,)

    for i in range(4):
        expected = -_by_every_path(logits[i], CASES[i], LENGTHS[i])
        assert each[i] == pytest.approx(expected, rel=1e-10)
    assert -each.mean() == pytest.approx(ctc_loss(logits, CASES, LENGTHS, BLANK)[0], rel=1e-12)


@pytest.mark.parametrize("scale", [1.0, 40.0])
def test_one_label_or_none_in_closed_form_is_every_paths_sum(scale: float) -> None:
    rng = np.random.default_rng(3)
    logits = scale * rng.standard_normal((5, 6, 4))  # (N, T, K)
    labels, lengths = [[2], [0], [], [1], [1]], np.array([6, 4, 5, 1, 6])

    each = ctc_log_likelihood(logits, labels, lengths, BLANK)  # (N,)

    for i in range(5):
        expected = -_by_every_path(logits[i], labels[i], lengths[i])
        assert each[i] == pytest.approx(expected, rel=1e-10)
        lattice, _ = ctc_loss(logits[i : i + 1], labels[i : i + 1], lengths[i : i + 1], BLANK)
        assert each[i] == pytest.approx(-lattice, rel=1e-10)  # the recursion's own sum


def test_short_and_longer_sequences_in_one_batch_keep_their_places() -> None:
    logits = np.random.default_rng(4).standard_normal((4, 6, 4))  # (N, T, K)
    labels, lengths = [[0, 1], [2], [1, 1], []], np.array([6, 6, 5, 3])

    each = ctc_log_likelihood(logits, labels, lengths, BLANK)  # (N,)

    for i in range(4):
        expected = -_by_every_path(logits[i], labels[i], lengths[i])
        assert each[i] == pytest.approx(expected, rel=1e-10)
