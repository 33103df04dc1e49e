"""Tests for strips.py and sequence.py: blobs as strips, and a strip read by a network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model_core.nn.ctc import ctc_log_likelihood, log_softmax
from model_core.nn.ensemble import Ensemble
from model_core.nn.layers import FrameConv
from model_core.nn.network import Sequential
from model_core.nn.serialization import load_model, save_model
from model_core.number.sequence import (
    BLANK,
    SHIFTS,
    Look,
    StripReading,
    build_sequence_reader,
    frame_log_probs,
    is_sequence_reader,
    read_strips,
    reading_of,
)
from model_core.number.strips import (
    DIGIT_ROWS,
    FRAME,
    STRIP_ROWS,
    batch_strips,
    level,
    strip_image,
)


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


def tilted_rings(slope: float, line: int = 40, count: int = 4) -> np.ndarray:
    """(h, w) `count` touching rings `line` px tall side by side, their baseline rising
    `slope` rows a column to the right (negative: falling)."""
    width = count * line
    rise = round(abs(slope) * width)
    ink = np.zeros((line + rise + 2, width), np.float32)  # (h, w)
    rows, columns = np.mgrid[0:line, 0:line]  # (line, line) one ring's box
    distance = np.hypot(rows - (line - 1) / 2, columns - (line - 1) / 2)
    ring = np.abs(distance - line * 0.42) < line * 0.08  # (line, line) a 0's stroke
    for index in range(count):
        for column in range(line):
            x = index * line + column
            top = round(rise - slope * x) if slope > 0 else round(-slope * x)
            ink[top + 1 : top + 1 + line, x] = np.maximum(ink[top + 1 : top + 1 + line, x],
                                                          ring[:, column])  # fmt: skip
    return ink


@pytest.mark.parametrize("slope", [0.18, -0.27])
def test_a_tilted_blob_is_levelled_keeping_its_columns(slope: float) -> None:
    ink = tilted_rings(slope)

    levelled, line = level(ink, 40)

    assert levelled.shape[1] == ink.shape[1]  # every column kept
    assert levelled.shape[0] <= 40 + 4 < 0.85 * ink.shape[0]  # as tall as one ring again
    assert line == 40
    assert np.allclose(levelled.sum(axis=0), ink.sum(axis=0), atol=0.05 * ink.sum(axis=0).max())


def test_a_level_blob_and_a_narrow_one_stand() -> None:
    flat = tilted_rings(0.0)
    assert level(flat, 40)[0] is flat
    narrow = tilted_rings(0.3, count=1)  # one digit, tilted: read as it stands
    assert level(narrow, 40)[0] is narrow


def test_a_line_of_one_tilted_blob_is_read_at_its_levelled_height() -> None:
    ink = tilted_rings(0.2)
    levelled, line = level(ink, ink.shape[0])  # the blob was the line: its height the line's
    assert line == levelled.shape[0] < ink.shape[0]


def test_strips_are_padded_to_the_widest_and_keep_their_frame_counts() -> None:
    strips = [np.ones((STRIP_ROWS, 8), np.float32), np.ones((STRIP_ROWS, 20), np.float32)]

    batch, lengths = batch_strips(strips)  # (2, 28, 20, 1), (2,)

    assert batch.shape == (2, STRIP_ROWS, 20, 1)
    assert lengths.tolist() == [2, 5]
    assert not batch[0, :, 8:].any()


def greedy(logp: np.ndarray) -> list[int]:
    """The most likely class per frame, repeats merged and blanks dropped."""
    best = logp.argmax(axis=1)  # (T,)
    return [int(c) for i, c in enumerate(best) if (i == 0 or c != best[i - 1]) and c != BLANK]


def test_a_strip_is_read_as_the_proposal_its_looks_find_most_likely() -> None:
    net = build_sequence_reader(np.random.default_rng(0))
    strip = np.random.default_rng(1).random((STRIP_ROWS, 64), dtype=np.float32)  # (28, 64)
    shifted = np.zeros((STRIP_ROWS, 64 + FRAME), np.float32)  # (28, 68)
    shifted[:, SHIFTS[1] : SHIFTS[1] + 64] = strip

    looks = [frame_log_probs(net, [each])[0] for each in (strip, shifted)]  # (16, 11), (17, 11)
    (reading,) = read_strips(net, [strip])

    assert is_sequence_reader(net) and looks[0].shape == (64 // FRAME, BLANK + 1)
    np.testing.assert_allclose(np.exp(looks[0]).sum(axis=1), 1.0, rtol=1e-5)
    for mine, theirs in zip(reading.looks, looks, strict=True):
        np.testing.assert_allclose(mine.logp, theirs, rtol=1e-5, atol=1e-6)
    proposals = [greedy(logp) for logp in looks]
    read = [d.digit for d in reading.digits]
    assert read in proposals and all(
        reading.log_likelihood(read) >= reading.log_likelihood(labels) for labels in proposals
    )
    for labels in filter(None, proposals):  # CTC over each look, then their mean
        each = [
            ctc_log_likelihood(logp[None], [labels], np.array([len(logp)]), BLANK)[0]
            for logp in looks
        ]
        assert reading.log_likelihood(labels) == pytest.approx(np.mean(each), rel=1e-6)
    look = proposals.index(read)
    for digit in reading.digits:  # each at the frame of its run that reads it best
        first, end = ((column + SHIFTS[look]) // FRAME for column in digit.columns)
        at = first + int(looks[look][first:end, digit.digit].argmax())
        expected = np.exp(log_softmax(looks[look][at, :BLANK]))
        np.testing.assert_allclose(digit.probabilities, expected, rtol=1e-5)


def frames(sure: dict[int, int], count: int) -> np.ndarray:
    """(count, 11) log-probabilities: blank at 0.9, but digit d at 0.9 on frame f for f: d."""
    logp = np.full((count, BLANK + 1), np.log(0.01))  # (T, 11)
    logp[:, BLANK] = np.log(0.9)
    for frame, digit in sure.items():
        logp[frame] = np.log(0.01)
        logp[frame, digit] = np.log(0.9)
    return logp


def test_the_proposal_both_looks_find_likelier_is_read_and_placed_by_its_look() -> None:
    doubtful = frames({3: 1, 5: 2}, 12)  # the first look proposes "12" ...
    doubtful[5] = np.log(np.r_[np.full(7, 0.01), 0.3, 0.01, 0.01, 0.32])  # ... its 2 barely
    sure = frames({2: 1, 4: 7}, 13)  # the second proposes "17" at frames 2 and 4

    reading = reading_of([Look(doubtful, SHIFTS[0]), Look(sure, SHIFTS[1])])

    assert [d.digit for d in reading.digits] == [1, 7]
    assert reading.log_likelihood([1, 7]) > reading.log_likelihood([1, 2])
    shift = SHIFTS[1]  # the second look's columns, back on the strip's own
    assert [d.columns for d in reading.digits] == [
        (2 * FRAME - shift, 3 * FRAME - shift),
        (4 * FRAME - shift, 5 * FRAME - shift),
    ]
    blank = [Look(frames({}, 8), SHIFTS[0]), Look(frames({}, 9), SHIFTS[1])]
    assert reading_of(blank).digits == []  # all blank: no digit


def test_each_network_of_a_reader_looks_from_each_shift() -> None:
    members = [build_sequence_reader(np.random.default_rng(seed)) for seed in (0, 1)]
    reader = Ensemble(members)
    strip = np.random.default_rng(2).random((STRIP_ROWS, 48), dtype=np.float32)  # (28, 48)

    (reading,) = read_strips(reader, [strip])

    assert is_sequence_reader(reader)
    views = [(member, shift) for shift in SHIFTS for member in members]  # the first first
    assert [look.shift for look in reading.looks] == [shift for _, shift in views]
    for look, (member, shift) in zip(reading.looks, views, strict=True):
        wider = np.zeros((STRIP_ROWS, 48 + (FRAME if shift else 0)), np.float32)
        wider[:, shift : shift + 48] = strip
        np.testing.assert_allclose(look.logp, frame_log_probs(member, [wider])[0], atol=1e-6)
    assert not np.allclose(reading.looks[0].logp, reading.looks[1].logp)  # two networks


def test_a_strip_read_as_the_caller_reads_it_is_looked_at_once() -> None:
    net = build_sequence_reader(np.random.default_rng(0))
    strips = [np.random.default_rng(i).random((STRIP_ROWS, 48), dtype=np.float32) for i in (1, 2)]
    first = [greedy(logp) for logp in frame_log_probs(net, strips)]

    readings = read_strips(net, strips, known=[first[0], [*first[1], 7]])

    assert [len(reading.looks) for reading in readings] == [1, len(SHIFTS)]
    assert [d.digit for d in readings[0].digits] == first[0]


def test_a_strip_read_as_one_digit_where_the_caller_read_one_is_looked_at_once() -> None:
    net = build_sequence_reader(np.random.default_rng(0))
    last = net.layers[-1]
    last.params["weight"][...] = 0.0
    last.params["bias"][...] = np.where(np.arange(BLANK + 1) == 3, 5.0, 0.0)  # every frame: 3
    strips = [np.random.default_rng(i).random((STRIP_ROWS, 48), dtype=np.float32) for i in (1, 2)]

    readings = read_strips(net, strips, known=[[5], [5, 5]])

    assert [[d.digit for d in reading.digits] for reading in readings] == [[3], [3]]
    assert [len(reading.looks) for reading in readings] == [1, len(SHIFTS)]  # the caller's 5


def test_a_reader_whose_frames_see_their_neighbours_is_a_reader_that_saves(
    tmp_path: Path,
) -> None:
    net = build_sequence_reader(np.random.default_rng(0), context=7)
    strip = np.random.default_rng(1).random((STRIP_ROWS, 64), dtype=np.float32)  # (28, 64)
    path = tmp_path / "reader.npz"
    save_model(path, net, {"kind": "sequence_reader"})

    loaded = load_model(path).network
    assert isinstance(loaded, Sequential)

    assert is_sequence_reader(net) and is_sequence_reader(Ensemble([net, loaded]))
    assert any(isinstance(layer, FrameConv) for layer in loaded.layers)
    np.testing.assert_array_equal(
        frame_log_probs(loaded, [strip])[0], frame_log_probs(net, [strip])[0]
    )  # (16, 11) each
    lit = strip.copy()
    lit[:, 28:32] = 1.0  # frame 7's columns: the convolutions carry it 4 frames either way
    for reader, reach in ((build_sequence_reader(np.random.default_rng(0)), 4), (net, 7)):
        before, after = (frame_log_probs(reader, [s])[0] for s in (strip, lit))  # (16, 11)
        changed = np.flatnonzero(np.abs(after - before).max(axis=1) > 0)
        assert list(changed) == list(range(7 - reach, min(7 + reach, 15) + 1))


def test_candidates_are_scored_over_looks_of_any_length_as_each_look_alone() -> None:
    looks = [frames({3: 1, 5: 2}, 12), frames({2: 1, 4: 7}, 13), frames({1: 4}, 9)]
    reading = StripReading([], [Look(logp, SHIFTS[0]) for logp in looks])
    candidates = [[], [4], [1, 7], [1, 2], [1, 1], [7, 4, 1, 7]]

    together = reading.log_likelihoods(candidates)  # (6,) one CTC pass, shorter looks padded

    alone = [
        [ctc_log_likelihood(logp[None], [labels], np.array([len(logp)]), BLANK)[0]
         for labels in candidates]
        for logp in looks
    ]  # fmt: skip
    np.testing.assert_array_equal(together, np.mean(alone, axis=0))
