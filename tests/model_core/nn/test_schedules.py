"""The learning-rate schedules: constant, step decay, cosine, warm-up, and by name."""

from __future__ import annotations

import itertools
import math

import pytest

from model_core.nn.schedules import Constant, Cosine, StepDecay, Warmup, make_schedule


def test_constant_schedule() -> None:
    schedule = Constant(0.05)
    assert [schedule(s) for s in (0, 1, 100, 10**6)] == [0.05] * 4


def test_step_decay() -> None:
    schedule = StepDecay(1.0, step_size=3, gamma=0.5)
    got = [schedule(s) for s in range(8)]
    assert got == pytest.approx([1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25], rel=1e-12)


def test_cosine_endpoints_midpoint_and_hold() -> None:
    schedule = Cosine(1.0, total_steps=10, min_lr=0.1)
    assert schedule(0) == pytest.approx(1.0, rel=1e-12)
    assert schedule(5) == pytest.approx(0.55, rel=1e-12)  # halfway: the mean of the two
    assert schedule(10) == pytest.approx(0.1, rel=1e-12)
    assert schedule(25) == pytest.approx(0.1, rel=1e-12)  # held at min_lr afterwards
    # A quarter of the way: min + (lr - min) (1 + cos(pi / 4)) / 2.
    quarter = Cosine(1.0, total_steps=8)(2)
    assert quarter == pytest.approx((1 + math.sqrt(0.5)) / 2, rel=1e-12)
    values = [schedule(s) for s in range(11)]
    assert all(a > b for a, b in itertools.pairwise(values))


def test_warmup_ramp_then_base_schedule() -> None:
    schedule = Warmup(Constant(0.1), warmup_steps=4)
    got = [schedule(s) for s in range(6)]
    assert got == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1], rel=1e-12)

    cosine = Warmup(Cosine(1.0, total_steps=10), warmup_steps=2)
    assert [cosine(s) for s in (0, 1, 2)] == pytest.approx([0.5, 1.0, 1.0], rel=1e-12)
    assert cosine(7) == pytest.approx(0.5, rel=1e-12)  # cosine midpoint, shifted by 2
    assert cosine(12) == pytest.approx(0.0, abs=1e-15)


def test_make_schedule() -> None:
    assert make_schedule("constant", 0.3, total_steps=100) == Constant(0.3)
    assert make_schedule("step", 1.0, total_steps=100, step_size=7) == StepDecay(1.0, 7)
    assert make_schedule("step", 1.0, total_steps=9) == StepDecay(1.0, 3)  # a third of the run
    assert make_schedule("cosine", 1.0, total_steps=100) == Cosine(1.0, 100)
    warm = make_schedule("cosine", 1.0, total_steps=12, warmup_steps=2)
    assert warm == Warmup(Cosine(1.0, 10), 2)
    assert make_schedule("step", 1.0, total_steps=100)(40) == pytest.approx(0.1, rel=1e-12)


def test_make_schedule_unknown_name() -> None:
    with pytest.raises(ValueError, match="'linear'"):
        make_schedule("linear", 0.1, total_steps=10)
