"""Tests for rejection.py: the rule a model's metadata carries, read or refused."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model_core.rejection import (
    METADATA_KEY,
    TOUCHING_SCALE,
    RejectRule,
    bottom_span,
    filled_blob,
    ink_shape,
    rule_from_metadata,
)

# Three readings: sure, torn between two digits, flat (what a non-digit should get).
PROBABILITIES = np.array([[0.01] * 9 + [0.91], [0.45, 0.45] + [0.0125] * 8, [0.1] * 10])  # (3, 10)


def _bars(*sizes: tuple[int, int]) -> np.ndarray:
    """(N, 28, 28) images, each a bar of (rows, columns) ink centred in the frame."""
    images = np.zeros((len(sizes), 28, 28))
    for image, (rows, columns) in zip(images, sizes, strict=True):
        top, left = (28 - rows) // 2, (28 - columns) // 2
        image[top : top + rows, left : left + columns] = 0.9
    return images


DIGIT_SHAPED = _bars((20, 10), (20, 13), (20, 4))  # (3, 28, 28): digit-sized, not round


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
    flags = RejectRule("max_probability", threshold).is_digit(PROBABILITIES, DIGIT_SHAPED)
    assert flags.dtype == bool and flags.tolist() == expected


def test_the_ink_shapes_aspect_is_the_inks_height_over_its_width() -> None:
    images = _bars((20, 10), (4, 20), (1, 1), (20, 1))  # (4, 28, 28)
    images[1, 2, 3] = 0.1  # faint, not ink
    blank = np.zeros((1, 28, 28))
    np.testing.assert_allclose(ink_shape(images)[0], [2.0, 0.2, 1.0, 20.0])
    np.testing.assert_allclose(ink_shape(blank)[0], [1.0])


@pytest.mark.parametrize(
    ("min_aspect", "expected"),
    [(None, [True, True, True]), (0.0, [True, True, True]), (0.4, [True, False, True]),
     (0.6, [True, False, False])],
)  # fmt: skip
def test_ink_flatter_than_min_aspect_is_not_a_digit_however_sure(
    min_aspect: float | None, expected: list[bool]
) -> None:
    sure = np.tile(PROBABILITIES[:1], (3, 1))  # (3, 10): 0.91 each, well above the threshold
    images = _bars((20, 10), (6, 20), (10, 20))  # (3, 28, 28): ratios 2, 0.3, 0.5
    rule = RejectRule("max_probability", 0.3, min_aspect)
    assert rule.is_digit(sure, images).tolist() == expected


def test_the_ink_shapes_gaps_are_the_emptiest_share_of_its_boxs_rows_or_columns() -> None:
    images = _bars((20, 10), (1, 1))  # (2, 28, 28): no gap
    apart = np.zeros((2, 28, 28))
    apart[0, 2:4, 4:24] = apart[0, 20:22, 4:24] = 0.9  # two bars, 16 empty rows of 20 between
    apart[1, 4:24, 4:6] = apart[1, 4:24, 12:14] = 0.9  # side by side: 6 empty columns of 10
    np.testing.assert_allclose(ink_shape(np.concatenate([images, apart]))[1], [0.0, 0.0, 0.8, 0.6])
    np.testing.assert_allclose(ink_shape(np.zeros((1, 28, 28)))[1], [0.0])


def test_things_apart_over_most_of_their_box_are_not_a_digit_however_sure() -> None:
    sure = np.tile(PROBABILITIES[:1], (2, 1))  # (2, 10): 0.91 each
    images = np.zeros((2, 28, 28))
    images[0, 4:24, 10:14] = 0.9  # a 1
    images[1, 4:6, 4:20] = images[1, 22:24, 8:14] = 0.9  # a heading and a button, no digit
    assert RejectRule("max_probability", 0.3, 0.4).is_digit(sure, images).tolist() == [True, False]
    assert RejectRule("max_probability", 0.3).is_digit(sure, images).tolist() == [True, True]


def _v_and_ring() -> np.ndarray:
    """(2, 28, 28): a V coming to a point at the bottom (a heart's lower half) and a ring."""
    images = np.zeros((2, 28, 28))
    for row in range(4, 25):
        step = round((24 - row) / 2)  # each arm 10 columns across 20 rows
        images[0, row, 13 - step : 15 - step] = images[0, row, 13 + step : 15 + step] = 0.9
    rows, columns = np.mgrid[0:28, 0:28]
    images[1][np.abs(np.hypot(rows - 14, columns - 14) - 9) < 1.2] = 0.9
    return images


def test_the_bottom_span_is_the_share_of_the_width_its_lowest_rows_reach() -> None:
    spans = bottom_span(np.concatenate([_v_and_ring(), np.zeros((1, 28, 28))]))
    assert spans[0] <= 0.3 < 0.5 <= spans[1]  # a point, a round bottom
    assert spans[2] == 1.0  # blank


def test_a_zero_pointed_at_the_bottom_is_a_heart_and_no_digit() -> None:
    zero, seven = np.eye(10)[[0, 0]] * 0.9 + 0.01, np.eye(10)[[7, 7]] * 0.9 + 0.01  # (2, 10)
    rule = RejectRule("max_probability", 0.3, 0.4)
    assert rule.is_digit(zero, _v_and_ring()).tolist() == [False, True]  # a heart; a 0
    assert rule.is_digit(seven, _v_and_ring()).tolist() == [True, True]  # a pointed 7 is fine
    assert RejectRule("max_probability", 0.3).is_digit(zero, _v_and_ring()).all()  # no shape test


def test_a_filled_round_blob_is_no_digit_however_sure() -> None:
    rows, columns = np.mgrid[0:28, 0:28]
    disc = np.where(np.hypot(rows - 14, columns - 14) < 9, 0.9, 0.0)[None]  # (1, 28, 28)
    ring = _v_and_ring()[1:]  # a 0 drawn with a pen
    images = np.concatenate([disc, ring, _bars((20, 6), (14, 14), (14, 8))])  # a 1, a square
    assert filled_blob(images).tolist() == [True, False, False, True, False]
    sure = np.eye(10)[[0, 0, 1, 8, 1]] * 0.9 + 0.01  # (5, 10)
    rule = RejectRule("max_probability", 0.3, 0.4)
    assert rule.is_digit(sure, images).tolist() == [False, True, True, False, True]
    assert RejectRule("max_probability", 0.3).is_digit(sure, images).all()  # no shape test


def test_the_explanation_names_the_test_each_image_failed() -> None:
    rule = RejectRule("max_probability", 0.3, 0.4)
    low = "max_probability 0.1000 is below the model's threshold 0.3"
    assert rule.explain(PROBABILITIES[2:]) == low
    shape = (
        "its ink is no digit's shape (under 0.4 times as tall as it is wide, things apart, a"
        " blob, or a 0 pointed at the bottom like a heart)"
    )
    assert rule.explain(PROBABILITIES[:1]) == shape
    both = rule.explain(PROBABILITIES[[2, 2, 0]])
    assert both == "max_probability 0.1000, 0.1000 are below the model's threshold 0.3 and " + shape


def test_a_digit_touching_others_is_held_to_a_laxer_score_threshold() -> None:
    rule = RejectRule("max_probability", 0.6, 0.4)
    torn = PROBABILITIES[[1, 1, 2]]  # (3, 10): 0.45, 0.45, 0.1
    touching = np.array([False, True, True])
    assert TOUCHING_SCALE * 0.6 < 0.45  # the torn reading passes the laxer threshold only
    assert rule.is_digit(torn, DIGIT_SHAPED[:3], touching).tolist() == [False, True, False]
    assert rule.is_digit(torn, DIGIT_SHAPED[:3]).tolist() == [False, False, False]
    flagged = [0, 2]
    assert rule.explain(torn[flagged], touching[flagged]) == (
        "max_probability 0.4500 is below the model's threshold 0.6 and max_probability"
        f" 0.1000 is below the threshold for touching digits {TOUCHING_SCALE * 0.6:g}"
    )


def test_a_good_entry_gives_its_rule_and_other_figures_are_ignored() -> None:
    entry = {"score": "max_probability", "threshold": 0.62, "validation": {"flagged": 0.97}}
    assert rule_from_metadata({METADATA_KEY: entry, "preset": "x"}) == RejectRule(
        "max_probability", 0.62
    )
    integer = rule_from_metadata({METADATA_KEY: {"score": "max_probability", "threshold": 1}})
    assert integer is not None and integer.threshold == 1.0
    assert isinstance(integer.threshold, float)
    shaped = {"score": "max_probability", "threshold": 0.3, "min_aspect": 0.4}
    assert rule_from_metadata({METADATA_KEY: shaped}) == RejectRule("max_probability", 0.3, 0.4)
    plain = rule_from_metadata({METADATA_KEY: entry})
    assert plain is not None and plain.min_aspect is None


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
        ({"score": "max_probability", "threshold": 0.3, "min_aspect": "0.4"}, "'min_aspect' must"),
        ({"score": "max_probability", "threshold": 0.3, "min_aspect": True}, "'min_aspect' must"),
        ({"score": "max_probability", "threshold": 0.3, "min_aspect": 2}, r"min_aspect must be in"),
    ],
)
def test_a_malformed_entry_is_refused_saying_what_is_wrong(entry: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rule_from_metadata({METADATA_KEY: entry})
