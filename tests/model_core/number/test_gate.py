"""The gate network asked first (model_core/number/gate.py): which strips it keeps from the
reader's looks, and how a sequence reader file holds it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model_core.nn.ensemble import Ensemble
from model_core.number import gate
from model_core.number.gate import SURE, build_gate, read_gated, split_gate
from model_core.number.sequence import (
    BLANK,
    Look,
    StripReading,
    build_sequence_reader,
    is_sequence_reader,
    reading_of,
)

FRAMES = 10


def frames(digit: int, spike: float) -> np.ndarray:
    """(T, 11) log-probabilities: blank everywhere but the middle frame, where `digit` has
    probability `spike` and blank the rest."""
    logp = np.full((FRAMES, BLANK + 1), math.log(1e-4))  # (T, 11)
    logp[:, BLANK] = math.log(1 - 10 * 1e-4)
    logp[FRAMES // 2] = math.log((1 - spike) / BLANK)
    logp[FRAMES // 2, digit] = math.log(spike)
    return logp


def test_the_gate_reads_alone_the_lone_digits_it_reads_as_one_digit_surely(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sure_three, sure_four, unsure_three = frames(3, 0.99), frames(4, 0.99), frames(3, 0.4)
    two = frames(3, 0.99)
    two[2] = two[FRAMES // 2]  # a second sure 3, apart from the first: reads "33"
    assert StripReading([], [Look(sure_three, 0)]).log_likelihood([3]) >= SURE
    assert StripReading([], [Look(unsure_three, 0)]).log_likelihood([3]) < SURE
    assert StripReading([], [Look(two, 0)]).first_look == [3, 3]
    gate_frames = {0: sure_three, 2: sure_four, 3: unsure_three, 4: two}
    known = [[3], [3, 5], [7], [3], [3]]  # agrees; several digits; one against one; unsure;
    # the gate reads two
    strips = [np.full((28, 40), k, np.float32) for k in range(5)]
    gated: list[list[int]] = []
    asked: list[tuple[list[int], list[list[int]]]] = []

    def gate_look(network: object, some: list[np.ndarray]) -> list[np.ndarray]:
        gated.append([int(s[0, 0]) for s in some])
        return [gate_frames[int(s[0, 0])] for s in some]

    def reader(model: object, some: list[np.ndarray], read: list[list[int]]) -> list[StripReading]:
        asked.append(([int(s[0, 0]) for s in some], read))
        return [reading_of([Look(frames(8, 0.99), 0)]) for _ in some]

    monkeypatch.setattr(gate, "frame_log_probs", gate_look)
    monkeypatch.setattr(gate, "read_strips", reader)

    readings = read_gated(object(), object(), strips, known)  # type: ignore[arg-type]

    assert gated == [[0, 2, 3, 4]]  # the lone digits, in one batch: not the blob of two
    assert asked == [([1, 3, 4], [[3, 5], [3], [3]])]  # the rest, one batch, as before
    assert [[d.digit for d in r.digits] for r in readings] == [[3], [8], [4], [8], [8]]
    assert len(readings[0].looks) == 1 and readings[0].looks[0].logp is sure_three


def test_the_reader_is_not_called_when_the_gate_keeps_every_strip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(gate, "frame_log_probs", lambda network, some: [frames(3, 0.99)] * 2)
    monkeypatch.setattr(gate, "read_strips", lambda *args: pytest.fail("the reader was asked"))
    strips = [np.zeros((28, 40), np.float32)] * 2

    readings = read_gated(object(), object(), strips, [[3], [3]])  # type: ignore[arg-type]

    assert [[d.digit for d in r.digits] for r in readings] == [[3], [3]]


def test_the_gate_is_a_small_reader_network() -> None:
    rng = np.random.default_rng(0)
    small, reader = build_gate(rng), build_sequence_reader(rng, context=7)

    assert is_sequence_reader(small)
    assert small.num_params() < 0.2 * reader.num_params()
    strips = rng.random((2, 28, 44, 1)).astype(np.float32)
    assert small.forward(strips).shape == (2 * 11, 11)  # a frame per 4 columns, 11 classes


def test_a_reader_file_names_its_gate_as_its_last() -> None:
    rng = np.random.default_rng(0)
    nets = [build_sequence_reader(rng), build_sequence_reader(rng), build_gate(rng)]
    joined = Ensemble(nets)

    rest, found = split_gate(joined, {"gate": {"member": 2}})
    assert isinstance(rest, Ensemble) and rest.members == nets[:2] and found is nets[2]
    single, found = split_gate(Ensemble(nets[1:]), {"gate": {"member": 1}})
    assert single is nets[1] and found is nets[2]
    assert split_gate(joined, {}) == (joined, None)
    for entry in ({"member": 1}, {"member": 3}, {"member": "2"}, [2]):
        with pytest.raises(ValueError, match="gate must name the last"):
            split_gate(joined, {"gate": entry})
