"""The verifier's examples: candidates of synthetic numbers, labelled digit or garbage."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model_core.data.mnist import load_mnist
from model_core.number.verifier import build_verifier, is_verifier
from model_core.number.verifier_data import GARBAGE, candidate_examples


def test_examples_are_labelled_candidates_and_repeat_for_a_seed(mnist_dir: Path) -> None:
    images, labels = load_mnist(mnist_dir, "train")
    x, y = candidate_examples(images[:500], labels[:500], 8, np.random.default_rng(1))
    again, classes = candidate_examples(images[:500], labels[:500], 8, np.random.default_rng(1))
    assert np.array_equal(x, again) and np.array_equal(y, classes)
    assert x.dtype == np.uint8 and x.shape == (len(y), 28, 28) and y.dtype == np.int64
    assert set(np.unique(y)) <= set(range(GARBAGE + 1))
    assert 0 < np.mean(y == GARBAGE) < 1  # both kinds
    assert (x.reshape(len(x), -1).max(axis=1) > 200).all()  # every one has ink
    digits = set(labels[:500].tolist())
    assert set(y[y != GARBAGE].tolist()) <= digits


def test_the_verifier_maps_a_digit_image_to_eleven_classes() -> None:
    net = build_verifier(np.random.default_rng(0))
    assert is_verifier(net)
    out = net.predict_proba(np.zeros((3, 28, 28, 1), np.float32))  # (3, 11)
    assert out.shape == (3, GARBAGE + 1)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-5)
