"""Shapes that hold no digit (model_core/number/shapes.py): which blobs the shape network is
asked about, when it flags them, and how a sequence reader file holds it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model_core.nn.ensemble import Ensemble
from model_core.nn.network import Sequential
from model_core.number import read_line
from model_core.number.sequence import BLANK, Look, StripReading, build_sequence_reader
from model_core.number.shapes import UNSEEN_MARGIN, UNSURE, ShapeLook, no_digit_shapes, split_shapes
from model_core.number.strips import FRAME
from tests.model_core.number.stand_ins import threes, unlikely
from tests.model_core.number.test_reread import reads_as
from tests.model_core.number.test_segmentation import canvas, seven, zero

FRAMES = 10


def first_look(own: float) -> StripReading:
    """A reading of no digit whose first look finds that `own` likely (log, CTC): blank in
    every frame at exp(own / FRAMES), the digits sharing the rest."""
    blank = math.exp(own / FRAMES)
    logp = np.full((FRAMES, BLANK + 1), math.log((1 - blank) / BLANK + 1e-12))  # (T, 11)
    logp[:, BLANK] = math.log(blank)
    return StripReading([], [Look(logp, 0)])


def sees_none(margin: float, asked: list[int]) -> ShapeLook:
    """A shape network that sees no digit in any strip, `margin` more likely than a digit 3
    in the middle frame; notes how many strips each call asks about in `asked`."""

    def look(strips: list[np.ndarray]) -> list[np.ndarray]:
        asked.append(len(strips))
        frames = []
        for strip in strips:
            logp = np.full((strip.shape[1] // FRAME, BLANK + 1), -50.0)  # (T, 11)
            logp[:, BLANK] = 0.0
            logp[len(logp) // 2, 3] = -margin
            frames.append(logp)
        return frames

    return look


def strips(count: int) -> list[np.ndarray]:
    return [np.zeros((28, FRAMES * FRAME), np.float32) for _ in range(count)]


def test_only_tall_blobs_the_first_look_is_unsure_of_are_asked_about_in_one_batch() -> None:
    readings = [first_look(UNSURE - 1), first_look(UNSURE + 0.1), first_look(UNSURE - 1)]
    asked: list[int] = []
    look = sees_none(UNSEEN_MARGIN + 1, asked)

    found = no_digit_shapes(strips(3), readings, [[3]] * 3, [True, True, False], look)

    assert found == [0] and asked == [1]  # the sure one and the short one are not asked
    assert no_digit_shapes(strips(3), readings, [[3]] * 3, [False] * 3, look) == []
    assert asked == [1]  # nothing to ask: no call


def test_a_blob_alone_on_its_line_is_asked_about_however_sure_the_first_look_is() -> None:
    sure = [first_look(UNSURE + 0.1)]
    asked: list[int] = []
    look = sees_none(UNSEEN_MARGIN + 1, asked)

    assert no_digit_shapes(strips(1), sure, [[3]], [True], look) == [] and asked == []
    assert no_digit_shapes(strips(1), sure, [[3]], [True], look, alone=True) == [0]
    assert no_digit_shapes(strips(1), sure, [[3]], [False], look, alone=True) == []
    assert asked == [1]  # a short blob is not asked about, alone or not


def test_a_blob_is_flagged_only_where_no_digit_is_far_more_likely_than_the_paths() -> None:
    readings = [first_look(UNSURE - 1)]
    for margin, expected in ((UNSEEN_MARGIN + 0.1, [0]), (UNSEEN_MARGIN - 0.5, [])):
        found = no_digit_shapes(strips(1), readings, [[3]], [True], sees_none(margin, []))
        assert found == expected, margin


def test_a_shape_network_that_reads_a_digit_flags_nothing() -> None:
    def reads_a_three(strips: list[np.ndarray]) -> list[np.ndarray]:
        logp = np.full((FRAMES, BLANK + 1), math.log(0.01))  # (T, 11)
        logp[:, BLANK] = math.log(0.5)
        logp[FRAMES // 2, 3] = math.log(0.9)
        return [logp for _ in strips]

    assert no_digit_shapes(strips(1), [first_look(UNSURE - 1)], [[3]], [True], reads_a_three) == []


def test_the_digits_of_a_shape_that_holds_no_digit_are_read_and_flagged() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" and "7", both full height
    plain = read_line(gray, threes, verifier=unlikely, sequence=reads_as([5], [7]))

    def unsure(strips: list[np.ndarray], known: list[list[int]]) -> list[StripReading]:
        return [first_look(-0.01), first_look(UNSURE - 1)]  # sure of the first blob, not the 7

    flagged = read_line(
        gray, threes, verifier=unlikely, sequence=unsure, shapes=sees_none(10.0, [])
    )

    assert flagged.number == plain.number == "33"  # the reading is not changed
    assert [d.unseen for d in flagged.digits] == [False, True]
    assert not any(d.unseen for d in plain.digits)


def test_a_reader_file_names_its_shape_network_as_its_last() -> None:
    rng = np.random.default_rng(0)
    nets = [build_sequence_reader(rng) for _ in range(3)]
    joined = Ensemble(nets)

    reading, shapes = split_shapes(joined, {"shapes": {"member": 2}})
    assert isinstance(reading, Ensemble) and reading.members == nets[:2] and shapes is nets[2]
    single, shape = split_shapes(Ensemble(nets[:2]), {"shapes": {"member": 1}})
    assert single is nets[0] and isinstance(single, Sequential) and shape is nets[1]
    assert split_shapes(joined, {}) == (joined, None)
    for entry in ({"member": 1}, {"member": 3}, {"member": "2"}, [2]):
        with pytest.raises(ValueError, match="shapes must name the last"):
            split_shapes(joined, {"shapes": entry})
