from __future__ import annotations

import numpy as np
import pytest

from model_core.data.splits import blocked_split, split, stratified_split


def test_stratified_split_takes_the_fraction_from_every_class() -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), [100, 50, 30, 200, 10, 40, 60, 70, 80, 90])  # (730,)
    train, val = stratified_split(labels, 0.2, rng)
    assert len(np.intersect1d(train, val)) == 0
    assert len(train) + len(val) == len(labels)
    for digit, count in enumerate(np.bincount(labels)):
        assert np.sum(labels[val] == digit) == round(count * 0.2)


def test_blocked_split_holds_out_whole_contiguous_blocks() -> None:
    train, val = blocked_split(24_345, 0.1, np.random.default_rng(0), block=800)
    assert len(val) == 3 * 800  # round(2434.5 / 800) blocks
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(24_345))
    starts = val[::800]
    assert np.all(starts % 800 == 0)
    for start in starts:
        assert np.array_equal(val[(val >= start) & (val < start + 800)], start + np.arange(800))


def test_blocked_split_draws_different_blocks_for_different_seeds() -> None:
    picks = {
        tuple(blocked_split(10_000, 0.1, np.random.default_rng(s))[1][::800]) for s in range(5)
    }
    assert len(picks) > 1


def test_blocked_split_shrinks_the_block_for_small_sets_and_handles_zero() -> None:
    train, val = blocked_split(300, 0.1, np.random.default_rng(0), block=800)
    assert len(val) == 30 and np.array_equal(val, val[0] + np.arange(30))
    assert len(train) == 270
    train, val = blocked_split(300, 0.0, np.random.default_rng(0))
    assert len(val) == 0 and np.array_equal(train, np.arange(300))
    train, val = blocked_split(1500, 0.99, np.random.default_rng(0), block=800)
    assert np.array_equal(val, np.arange(800)) and len(train) == 700  # the one full block


def test_split_dispatches_by_name_and_rejects_unknown_names() -> None:
    labels = np.repeat(np.arange(10), 100)  # (1000,)
    _, val = split(labels, 0.2, np.random.default_rng(0), "blocked")
    assert np.array_equal(val, val[0] + np.arange(200))  # one block of 200
    _, val = split(labels, 0.2, np.random.default_rng(0), "random")
    assert np.all(np.bincount(labels[val]) == 20)
    with pytest.raises(ValueError, match="unknown validation split"):
        split(labels, 0.2, np.random.default_rng(0), "by-writer")


def test_blocked_split_rejects_a_fraction_outside_0_to_1() -> None:
    with pytest.raises(ValueError, match="fraction"):
        blocked_split(100, 1.0, np.random.default_rng(0))
