"""Tests for strips.py and sequence.py: blobs as strips, and a strip read by a network."""

from __future__ import annotations

import numpy as np

from model_core.nn.ctc import log_softmax
from model_core.number.sequence import (
    BLANK,
    build_sequence_reader,
    frame_log_probs,
    is_sequence_reader,
    read_strips,
)
from model_core.number.strips import DIGIT_ROWS, FRAME, STRIP_ROWS, batch_strips, strip_image


def test_a_line_high_blob_is_twenty_rows_tall_and_twice_as_wide() -> None:
    ink = np.zeros((60, 90), np.float32)  # (h, w) a 60 px line: a 60 x 90 block of ink
    ink[:, :] = 1.0

    strip = strip_image(ink, line=60)  # (28, W)

    rows = np.flatnonzero(strip.max(axis=1) > 0.5)
    columns = np.flatnonzero(strip.max(axis=0) > 0.5)
    assert strip.shape[0] == STRIP_ROWS and strip.shape[1] % FRAME == 0
    assert len(rows) == DIGIT_ROWS and abs(rows.mean() - (STRIP_ROWS - 1) / 2) <= 0.5
    assert len(columns) == 2 * 30  # 90 px at 20/60, stretched twice


def test_a_blob_taller_than_the_strip_is_shrunk_to_fit() -> None:
    strip = strip_image(np.ones((200, 40), np.float32), line=60)
    assert np.flatnonzero(strip.max(axis=1) > 0.5).size == STRIP_ROWS - 2


def test_strips_are_padded_to_the_widest_and_keep_their_frame_counts() -> None:
    strips = [np.ones((STRIP_ROWS, 8), np.float32), np.ones((STRIP_ROWS, 20), np.float32)]

    batch, lengths = batch_strips(strips)  # (2, 28, 20, 1), (2,)

    assert batch.shape == (2, STRIP_ROWS, 20, 1)
    assert lengths.tolist() == [2, 5]
    assert not batch[0, :, 8:].any()


def test_a_strip_is_read_as_the_best_frames_repeats_merged() -> None:
    net = build_sequence_reader(np.random.default_rng(0))
    strips = [np.random.default_rng(1).random((STRIP_ROWS, 64), dtype=np.float32)]

    (logp,) = frame_log_probs(net, strips)  # (16, 11)
    (reading,) = read_strips(net, strips)

    assert is_sequence_reader(net) and logp.shape == (64 // FRAME, BLANK + 1)
    np.testing.assert_allclose(np.exp(logp).sum(axis=1), 1.0, rtol=1e-5)
    best = logp.argmax(axis=1)
    merged = [int(c) for i, c in enumerate(best) if (i == 0 or c != best[i - 1]) and c != BLANK]
    assert [d.digit for d in reading.digits] == merged
    best_frames = float(logp.max(axis=1).sum())  # the greedy path alone
    assert reading.log_likelihood(merged) >= best_frames - 1e-9  # every path that spells it
    for digit in reading.digits:
        at = digit.frames[0] + int(
            logp[digit.frames[0] : digit.frames[1] + 1, digit.digit].argmax()
        )
        expected = np.exp(log_softmax(logp[at, :BLANK]))
        np.testing.assert_allclose(digit.probabilities, expected, rtol=1e-5)
