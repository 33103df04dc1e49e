"""The sequence reader's training strips: blobs of synthetic numbers and their digits."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.number import strip_data
from model_core.number.candidates import Blobs
from model_core.number.strip_data import nondigit_strips, richer_draw, strip_examples
from model_core.number.strips import STRIP_ROWS
from model_core.preprocessing.errors import SeveralLinesError


def test_richer_draws_hold_more_ones_and_more_equal_neighbours() -> None:
    labels = np.random.default_rng(0).integers(0, 10, 5000)  # (N,) uniform digits
    rng = np.random.default_rng(1)
    plain = np.stack([labels[rng.integers(0, len(labels), 5)] for _ in range(3000)])  # (M, 5)
    ones = np.stack([labels[richer_draw(labels, 5, 0.2, 0.0, rng)] for _ in range(3000)])
    equal = np.stack([labels[richer_draw(labels, 5, 0.0, 0.2, rng)] for _ in range(3000)])

    def shares(drawn: np.ndarray) -> tuple[float, float]:
        """The share of 1s, and of digits equal to the one before."""
        return float(np.mean(drawn == 1)), float(np.mean(drawn[:, 1:] == drawn[:, :-1]))

    assert np.allclose(shares(plain), (0.1, 0.1), atol=0.01)
    assert np.allclose(shares(ones)[0], 0.2 + 0.8 * 0.1, atol=0.01)  # made a 1, or drawn one
    assert np.allclose(shares(equal)[1], 0.2 + 0.8 * 0.1, atol=0.01)


def test_strips_are_labelled_with_their_digits_and_richer_only_when_asked() -> None:
    images = np.zeros((40, 28, 28), np.uint8)  # (N, 28, 28) a bar per digit, label = index % 10
    labels = np.arange(40) % 10
    for index in range(40):
        images[index, 6:22, 10 + index % 8 : 14 + index % 8] = 255

    plain = strip_examples(images, labels, 12, np.random.default_rng(3))
    again = strip_examples(images, labels, 12, np.random.default_rng(3), 0.0, 0.0)
    richer = strip_examples(images, labels, 12, np.random.default_rng(3), 0.9, 0.0)

    assert plain[1] == again[1]  # the default draw is unchanged
    assert all(strip.shape[0] == 28 for strip in plain[0])
    assert len(plain[0]) == len(plain[1]) > 0
    digits = [d for sequence in richer[1] for d in sequence]
    assert np.mean(np.array(digits) == 1) > 0.6


def test_a_number_the_reading_refuses_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    images = np.zeros((40, 28, 28), np.uint8)  # (N, 28, 28) a bar per digit
    images[:, 6:22, 12:16] = 255
    labels = np.arange(40) % 10
    found = strip_data.line_blobs
    calls = 0

    def every_other_refused(gray: np.ndarray, most: int) -> Blobs:
        nonlocal calls
        calls += 1
        if calls % 2:
            raise SeveralLinesError("2 lines")
        return found(gray, most)

    monkeypatch.setattr(strip_data, "line_blobs", every_other_refused)
    strips, sequences = strip_examples(images, labels, 6, np.random.default_rng(3))

    assert calls == 6 and 0 < len(strips) == len(sequences)  # three numbers read, three not


def test_non_digit_strips_are_one_blob_each_and_hold_no_digits() -> None:
    strips, sequences = nondigit_strips(8, np.random.default_rng(5))

    assert len(strips) == 8 and sequences == [[]] * 8
    assert all(strip.shape[0] == STRIP_ROWS and strip.dtype == np.float32 for strip in strips)
    assert all(strip.max() > 0.5 for strip in strips)  # each has ink
    again, _ = nondigit_strips(8, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(strips, again, strict=True))
