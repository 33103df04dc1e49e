"""Is it a digit at all? The service side of the model's rule (model_core/rejection.py).

Every prediction carries `is_digit`. The query parameter `strict` (default: the STRICT_DIGITS
setting) turns an image the rule flags into a 422 `not_a_digit` whose detail gives the score
and the model's threshold; for a number, a flag on any digit refuses the whole number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
from fastapi import Query
from pydantic import WithJsonSchema

from app.errors import ApiError
from model_core.rejection import RejectRule

Strict = Annotated[
    bool | None,
    WithJsonSchema({"type": "boolean"}),  # absent means the setting; null is not a value to send
    Query(
        description="true: an image the model takes for no handwritten digit at all (a letter,"
        " a symbol, a doodle, a photo) is refused with 422 `not_a_digit` (in a batch, that"
        " item); false: it is read anyway, with `is_digit` false. Default: the STRICT_DIGITS"
        " setting (false unless set)",
    ),
]
ANYWAY = "send strict=false to get the reading anyway"


def flagged(digits: Sequence[bool]) -> list[int]:
    """Positions (from 0) of the readings the rule flags: `is_digit` false."""
    return [index for index, is_digit in enumerate(digits) if not is_digit]


def not_a_digit(rule: RejectRule | None, probabilities: Sequence[float]) -> ApiError:
    """The refusal of one image whose reading has `is_digit` false."""
    return ApiError(
        422,
        "not_a_digit",
        "the image does not look like a handwritten digit: its"
        f" {_reasons(rule, [probabilities])}; {ANYWAY} (is_digit false)",
    )


def not_a_number(
    rule: RejectRule | None,
    probabilities: Sequence[Sequence[float]],
    positions: Sequence[int],
    unseen: Sequence[bool] = (),
    touching: Sequence[bool] = (),
) -> ApiError:
    """The refusal of a number whose digits at `positions` (from 0, left to right, of all the
    digits' `probabilities`) have `is_digit` false: by the rule (laxer for digits `touching`
    others, each digit's, if given), or `unseen` (each digit's, if given): the sequence reader
    sees no digit in its shape."""
    shapes = [position for position in positions if unseen and unseen[position]]
    scored = [position for position in positions if position not in shapes]
    several = len(positions) > 1

    def scores_of(chosen: list[int]) -> str:
        laxer = [position < len(touching) and touching[position] for position in chosen]
        return _reasons(rule, [probabilities[position] for position in chosen], laxer)

    if shapes:
        reasons = [f"in digit{_s(shapes)} {_which(shapes)} the number reader sees no digit"]
        if scored:
            reasons.insert(0, f"digit{_s(scored)} {_which(scored)}: {scores_of(scored)}")
        why = "; ".join(reasons)
    else:
        why = f"{'their' if several else 'its'} {scores_of(list(positions))}"
    return ApiError(
        422,
        "not_a_digit",
        f"digit{_s(positions)} {_which(positions)} of {len(probabilities)} (from the left)"
        f" do{'' if several else 'es'} not look like {'' if several else 'a '}handwritten"
        f" digit{_s(positions)}: {why}; {ANYWAY}, each digit with its is_digit",
    )


def _which(positions: Sequence[int]) -> str:
    """Positions from 0 named from 1: "2", "1 and 3", "1, 2 and 4"."""
    named = [str(position + 1) for position in positions]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


def _s(positions: Sequence[int]) -> str:
    return "s" if len(positions) > 1 else ""


def _reasons(
    rule: RejectRule | None,
    probabilities: Sequence[Sequence[float]],
    touching: Sequence[bool] | None = None,
) -> str:
    """Why the rule flags these readings, e.g. "max_probability 0.4127 is below the model's
    threshold 0.6" (model_core/rejection.py: RejectRule.explain)."""
    if rule is None:  # unreachable: without a rule every image is a digit
        return "reading is flagged by the model"
    found = np.asarray(probabilities, dtype=np.float64).reshape(-1, 10)  # (N, 10)
    return rule.explain(found, None if touching is None else np.array(touching, bool))
