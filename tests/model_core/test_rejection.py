"""Tests for rejection.py: the rule a model's metadata carries, read or refused."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model_core.rejection import METADATA_KEY, RejectRule, rule_from_metadata

# Three readings: sure, torn between two digits, flat (what a non-digit should get).
PROBABILITIES = np.array([[0.01] * 9 + [0.91], [0.45, 0.45] + [0.0125] * 8, [0.1] * 10])  # (3, 10)


def test_the_score_is_the_largest_probability() -> None:
    rule = RejectRule("max_probability", 0.5)
    np.testing.assert_allclose(rule.scores(PROBABILITIES), [0.91, 0.45, 0.1])


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(0.0, [True, True, True]), (0.45, [True, True, False]), (0.5, [True, False, False]),
     (1.0, [False, False, False])],
)  # fmt: skip
def test_an_image_scoring_below_the_threshold_is_not_a_digit(
    threshold: float, expected: list[bool]
) -> None:
    flags = RejectRule("max_probability", threshold).is_digit(PROBABILITIES)
    assert flags.dtype == bool and flags.tolist() == expected


def test_a_good_entry_gives_its_rule_and_other_figures_are_ignored() -> None:
    entry = {"score": "max_probability", "threshold": 0.62, "validation": {"flagged": 0.97}}
    assert rule_from_metadata({METADATA_KEY: entry, "preset": "x"}) == RejectRule(
        "max_probability", 0.62
    )
    integer = rule_from_metadata({METADATA_KEY: {"score": "max_probability", "threshold": 1}})
    assert integer is not None and integer.threshold == 1.0
    assert isinstance(integer.threshold, float)


def test_a_model_without_an_entry_has_no_rule() -> None:
    assert rule_from_metadata({}) is None
    assert rule_from_metadata({"preset": "seed", METADATA_KEY: None}) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("max_probability", "must be an object, got str"),
        ([0.6], "must be an object, got list"),
        ({"threshold": 0.6}, "needs a string 'score'"),
        ({"score": "max_probability"}, "a number 'threshold'"),
        ({"score": "max_probability", "threshold": "0.6"}, "a number 'threshold'"),
        ({"score": "max_probability", "threshold": True}, "a number 'threshold'"),
        ({"score": 1, "threshold": 0.6}, "needs a string 'score'"),
        ({"score": "energy", "threshold": 0.6}, "unknown score 'energy'"),
        ({"score": "max_probability", "threshold": 1.5}, r"threshold must be in \[0, 1\]"),
        ({"score": "max_probability", "threshold": -0.1}, r"threshold must be in \[0, 1\]"),
    ],
)
def test_a_malformed_entry_is_refused_saying_what_is_wrong(entry: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rule_from_metadata({METADATA_KEY: entry})
