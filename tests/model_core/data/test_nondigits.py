"""Synthetic non-digits and unusual digits for training: normalised like uploads, seeded."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.data.nondigits import KINDS, SIZE, nondigits, picture
from model_core.data.styled import STYLES, styled_digits


def test_non_digits_are_normalised_images_repeatable_by_seed() -> None:
    first = nondigits(12, np.random.default_rng(3))
    assert first.shape == (12, 28, 28) and first.dtype == np.uint8
    assert np.array_equal(first, nondigits(12, np.random.default_rng(3)))
    assert not np.array_equal(first, nondigits(12, np.random.default_rng(4)))
    assert np.all(first.reshape(12, -1).max(axis=1) > 200)  # every one has ink
    assert np.all(first[:, :2].max(axis=(1, 2)) < 60)  # and a dark frame, as MNIST has
    assert nondigits(0, np.random.default_rng(0)).shape == (0, 28, 28)


def test_a_picture_of_each_kind_is_ink_coverage_before_preprocessing() -> None:
    for kind in KINDS:
        ink = picture(kind, np.random.default_rng(7))
        assert ink.shape == (SIZE, SIZE) and ink.min() >= 0.0 and ink.max() <= 1.0
        assert 0.0 < np.mean(ink > 0.5) < 0.9  # some ink, not all of it
    with pytest.raises(ValueError, match="unknown kind"):
        picture("digit", np.random.default_rng(0))


def test_styled_digits_keep_their_labels(digit_7: np.ndarray) -> None:
    images = np.stack([digit_7] * 4)
    labels = np.full(4, 7)
    made, made_labels = styled_digits(images, labels, 9, np.random.default_rng(0))
    assert made.shape == (9, 28, 28) and made.dtype == np.uint8
    styles = [STYLES[i % len(STYLES)] for i in range(9)]
    redrawn = [i for i, style in enumerate(styles) if style in ("pen", "lowres")]
    assert np.all(made_labels[redrawn] == 7)  # typed digits take a random label
    assert all(made_labels[i] == 1 for i, style in enumerate(styles) if style == "one")
    assert set(made_labels.tolist()) <= set(range(10))
    inked = made.astype(np.float32) / 255
    assert np.all(inked.reshape(9, -1).sum(axis=1) > 10)
