"""`is_digit` and `strict` on /predict/number (app/strict.py): the digits of a number the rule
or the number reader takes for no digit, named in the refusal, on the tiny model saved with a
rule (tests/app/conftest.py). Single images and batches: test_strict.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.strict import not_a_number
from model_core.classifier import DigitClassifier
from model_core.number.reader import DigitReading
from model_core.number.upload import NumberUpload
from model_core.rejection import TOUCHING_SCALE
from tests.app.routes.test_predict import assert_error, distinct_shapes
from tests.app.test_strict import NUMBER, between, post
from tests.samples import bars_array, png_bytes


def shapes_page() -> bytes:
    """The four distinct shapes of test_predict, dark on white, side by side: four digits."""
    page = np.full((48, 180), 255, dtype=np.uint8)
    for index, shape in enumerate(distinct_shapes()):
        page[10:38, 10 + 40 * index : 38 + 40 * index] = 255 - shape
    return png_bytes(page)


def read_digits_as(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[int, DigitReading], DigitReading]
) -> None:
    """Every number the classifier reads comes back with digit i replaced by change(i, digit)."""
    reading = DigitClassifier.read_number

    def changed(self: DigitClassifier, *args: object, **kwargs: object) -> NumberUpload:
        upload = reading(self, *args, **kwargs)  # type: ignore[arg-type]
        digits = [change(i, digit) for i, digit in enumerate(upload.reading.digits)]
        return replace(upload, reading=replace(upload.reading, digits=digits))

    monkeypatch.setattr(DigitClassifier, "read_number", changed)


@pytest.mark.parametrize("path", NUMBER)
def test_strict_refuses_a_number_naming_the_digits_not_read_as_digits(
    make_client: Callable[..., TestClient],
    rule_model: Callable[..., Path],
    tiny_model_path: Path,
    path: str,
) -> None:
    data = shapes_page()
    digits = DigitClassifier.load(tiny_model_path).read_number(data).reading.digits
    confidences = [digit.confidence for digit in digits]
    assert len(confidences) == 4
    threshold = between(confidences)
    client = make_client(model_path=rule_model(threshold))
    answer = post(client, path, data)
    assert answer.status_code == 200, answer.text
    read = [digit["is_digit"] for digit in answer.json()["digits"]]
    assert read == [confidence >= threshold for confidence in confidences]
    first, second = [index + 1 for index, ok in enumerate(read) if not ok]
    scores = ", ".join(f"{c:.4f}" for c in confidences if c < threshold)
    response = post(client, path, data, "true")
    assert_error(response, 422, "not_a_digit", f"digits {first} and {second} of 4 (from the left)",
                 f"max_probability {scores} are below", f"threshold {threshold:g}",
                 "strict=false")  # fmt: skip
    assert post(client, path, data, "false").status_code == 200


@pytest.mark.parametrize("path", NUMBER)
def test_a_digit_whose_shape_the_number_reader_sees_no_digit_in_is_flagged_saying_so(
    make_client: Callable[..., TestClient],
    rule_model: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    read_digits_as(monkeypatch, lambda i, d: replace(d, unseen=i == 1))
    client = make_client(model_path=rule_model(0.0))  # the rule flags no digit
    answer = post(client, path, shapes_page())
    assert answer.status_code == 200, answer.text
    assert [digit["is_digit"] for digit in answer.json()["digits"]] == [True, False, True, True]
    response = post(client, path, shapes_page(), "true")
    assert_error(response, 422, "not_a_digit", "digit 2 of 4 (from the left) does not look like",
                 "in digit 2 the number reader sees no digit", "strict=false")  # fmt: skip


@pytest.mark.parametrize("path", NUMBER)
def test_digits_cut_from_touching_ink_are_held_to_a_laxer_threshold(
    make_client: Callable[..., TestClient],
    rule_model: Callable[..., Path],
    tiny_model_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    data = shapes_page()
    digits = DigitClassifier.load(tiny_model_path).read_number(data).reading.digits
    lowest = min(digit.confidence for digit in digits)
    read_digits_as(monkeypatch, lambda i, d: replace(d, touching=True))
    laxer = (lowest + lowest / TOUCHING_SCALE) / 2  # over the lowest, half of it under
    assert laxer < 1
    answer = post(make_client(model_path=rule_model(laxer)), path, data, "true")
    assert answer.status_code == 200, answer.text
    assert all(digit["is_digit"] for digit in answer.json()["digits"])
    strict = min(1.0, 1.1 * lowest / TOUCHING_SCALE)  # its half over the lowest
    response = post(make_client(model_path=rule_model(strict)), path, data, "true")
    assert_error(response, 422, "not_a_digit", f"below the threshold for touching digits"
                 f" {TOUCHING_SCALE * strict:g}", "strict=false")  # fmt: skip


def test_a_number_flagged_by_the_rule_and_the_reader_gives_both_reasons(
    rule_model: Callable[..., Path],
) -> None:
    rule = DigitClassifier.load(rule_model(0.5)).rule
    low, high = [0.3] + [0.7 / 9] * 9, [0.9] + [0.1 / 9] * 9
    error = not_a_number(rule, [low, high, high], [0, 1], [False, True, False])
    assert "digits 1 and 2 of 3 (from the left) do not look like handwritten digits" in error.detail
    assert "digit 1: max_probability 0.3000 is below the model's threshold 0.5" in error.detail
    assert "in digit 2 the number reader sees no digit" in error.detail


def test_a_number_with_one_flagged_digit_says_so_in_the_singular(
    make_client: Callable[..., TestClient], flagging_model_path: Path
) -> None:
    client = make_client(model_path=flagging_model_path)
    response = post(client, "/predict/number", png_bytes(bars_array(1)), "true")
    assert_error(response, 422, "not_a_digit", "digit 1 of 1 (from the left) does not look like")
