"""Is it a digit at all? `is_digit` on every prediction, `strict` and STRICT_DIGITS on every
prediction endpoint (app/strict.py), on the tiny model saved with a rule (tests/app/conftest.py).
How a number's refusal names its digits: test_strict_number.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from model_core.classifier import DigitClassifier
from tests.app.routes.test_number import assert_number
from tests.app.routes.test_predict import assert_error, assert_prediction, b64, distinct_shapes
from tests.samples import bars_array, png_bytes

SINGLE = ("/predict", "/predict/base64")
NUMBER = ("/predict/number", "/predict/number/base64")


def post(client: TestClient, path: str, data: bytes, strict: str | None = None) -> httpx.Response:
    """`data` to `path` as that endpoint takes it (multipart or base64 JSON), `?strict=...`."""
    params = {} if strict is None else {"strict": strict}
    if path.endswith("/base64"):
        return client.post(path, json={"image": b64(data)}, params=params)
    return client.post(path, files={"file": ("image.png", data, "image/png")}, params=params)


def between(confidences: list[float]) -> float:
    """A threshold halfway between the second and third lowest of four distinct confidences."""
    low = sorted(confidences)
    assert low[1] < low[2], low
    return (low[1] + low[2]) / 2


@pytest.mark.parametrize(("threshold", "expected"), [(0.0, True), (1.0, False)])
def test_every_prediction_says_whether_it_is_a_digit(
    make_client: Callable[..., TestClient],
    rule_model: Callable[..., Path],
    digit_png: bytes,
    threshold: float,
    expected: bool,
) -> None:
    client = make_client(model_path=rule_model(threshold))
    for path in SINGLE:
        response = post(client, path, digit_png)
        assert response.status_code == 200, response.text
        assert_prediction(response.json())
        assert response.json()["is_digit"] is expected
    files = [("files", (f"{i}.png", digit_png, "image/png")) for i in range(2)]
    items = client.post("/predict/batch", files=files).json()["results"]
    assert [item["prediction"]["is_digit"] for item in items] == [expected, expected]
    for path in NUMBER:
        response = post(client, path, png_bytes(bars_array(3)))
        assert response.status_code == 200, response.text
        assert_number(response.json(), 128, 40)
        assert [digit["is_digit"] for digit in response.json()["digits"]] == [expected] * 3


def test_a_model_without_a_rule_takes_every_image_for_a_digit(
    client: TestClient, digit_png: bytes
) -> None:
    for path in SINGLE:
        assert post(client, path, digit_png, "true").json()["is_digit"] is True
    number = post(client, "/predict/number", png_bytes(bars_array(2)), "true").json()
    assert [digit["is_digit"] for digit in number["digits"]] == [True, True]


@pytest.mark.parametrize("path", SINGLE)
def test_strict_refuses_a_non_digit_giving_its_score_and_the_threshold(
    make_client: Callable[..., TestClient],
    flagging_model_path: Path,
    digit_png: bytes,
    path: str,
) -> None:
    client = make_client(model_path=flagging_model_path)
    score = DigitClassifier.load(flagging_model_path).predict(digit_png).confidence
    response = post(client, path, digit_png, "true")
    assert_error(response, 422, "not_a_digit", "does not look like a handwritten digit",
                 f"max_probability {score:.4f}", "threshold 1", "strict=false")  # fmt: skip
    answer = post(client, path, digit_png, "false")
    assert answer.status_code == 200 and answer.json()["is_digit"] is False
    assert answer.json()["confidence"] == pytest.approx(score, abs=1e-6)


@pytest.mark.parametrize("path", SINGLE)
def test_strict_refuses_ink_far_wider_than_tall_saying_so(
    make_client: Callable[..., TestClient], rule_model: Callable[..., Path], path: str
) -> None:
    """A dash passes the score (threshold 0) but not the shape test; a digit passes both."""
    client = make_client(model_path=rule_model(0.0, 0.4))
    dash = np.zeros((28, 28), dtype=np.uint8)
    dash[12:16, 2:26] = 255  # 4 rows by 24 columns
    response = post(client, path, png_bytes(dash), "true")
    assert_error(response, 422, "not_a_digit", "does not look like a handwritten digit",
                 "under 0.4 times as tall as it is wide", "strict=false")  # fmt: skip
    assert post(client, path, png_bytes(dash), "false").json()["is_digit"] is False
    assert post(client, path, png_bytes(bars_array(1)), "true").status_code == 200


def test_strict_passes_what_the_rule_takes_for_a_digit(
    make_client: Callable[..., TestClient], rule_model: Callable[..., Path], digit_png: bytes
) -> None:
    client = make_client(model_path=rule_model(0.0))
    for path in SINGLE:
        response = post(client, path, digit_png, "true")
        assert response.status_code == 200 and response.json()["is_digit"] is True
    for path in NUMBER:
        assert post(client, path, png_bytes(bars_array(2)), "true").status_code == 200


@pytest.mark.parametrize("path", SINGLE + NUMBER)
def test_the_strict_digits_setting_is_the_default_and_the_query_overrides_it(
    make_client: Callable[..., TestClient], flagging_model_path: Path, path: str
) -> None:
    data = png_bytes(bars_array(2))
    lenient = make_client(model_path=flagging_model_path)
    strict = make_client(model_path=flagging_model_path, strict_digits=True)
    assert post(lenient, path, data).status_code == 200
    assert_error(post(strict, path, data), 422, "not_a_digit", "strict=false")
    assert post(strict, path, data, "false").status_code == 200
    assert_error(post(lenient, path, data, "true"), 422, "not_a_digit")


def test_a_strict_batch_refuses_only_its_non_digits(
    make_client: Callable[..., TestClient],
    rule_model: Callable[..., Path],
    tiny_model_path: Path,
    blank_png: bytes,
) -> None:
    images = [png_bytes(shape) for shape in distinct_shapes()]
    confidences = [p.confidence for p in DigitClassifier.load(tiny_model_path).predict_many(images)]
    threshold = between(confidences)
    expected = [confidence >= threshold for confidence in confidences]
    client = make_client(model_path=rule_model(threshold))
    files = [("files", (f"{i}.png", data, "image/png")) for i, data in enumerate(images)]
    files.append(("files", ("blank.png", blank_png, "image/png")))

    answered = client.post("/predict/batch", files=files).json()
    assert (answered["succeeded"], answered["failed"]) == (4, 1)
    assert [item["prediction"]["is_digit"] for item in answered["results"][:4]] == expected

    response = client.post("/predict/batch", files=files, params={"strict": "true"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["succeeded"], body["failed"]) == (5, 2, 3)
    statuses = [200 if ok else 422 for ok in expected] + [422]
    assert [item["status"] for item in body["results"]] == statuses
    codes = [None if ok else "not_a_digit" for ok in expected] + ["no_digit"]
    assert [item["error"] and item["error"]["code"] for item in body["results"]] == codes
    for item, ok, confidence in zip(body["results"], expected, confidences, strict=False):
        if ok:
            assert_prediction(item["prediction"])
            assert item["prediction"]["is_digit"] is True and item["error"] is None
        else:
            assert item["prediction"] is None
            assert f"max_probability {confidence:.4f}" in item["error"]["detail"]


def test_a_strict_value_that_is_not_a_boolean_is_422(client: TestClient, digit_png: bytes) -> None:
    for path in (*SINGLE, *NUMBER):
        response = post(client, path, digit_png, "maybe")
        assert_error(response, 422, "validation_error", "query field 'strict'")
        assert "multipart" not in response.json()["detail"]  # no hint about the body
    response = client.post("/predict/batch", params={"strict": "2"},
                           files=[("files", ("d.png", digit_png, "image/png"))])  # fmt: skip
    assert_error(response, 422, "validation_error", "query field 'strict'")


def test_the_schema_documents_is_digit_strict_and_not_a_digit(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for name in ("PredictionResponse", "NumberDigit"):
        read = schema["components"]["schemas"][name]
        assert "is_digit" in read["required"]
        assert "not_a_digit" in read["properties"]["is_digit"]["description"]
    shown = schema["components"]["schemas"]["PredictionResponse"]["examples"]
    assert [example["is_digit"] for example in shown] == [True, False]
    for path in (*SINGLE, "/predict/batch", *NUMBER):
        operation = schema["paths"][path]["post"]
        [strict] = [p for p in operation["parameters"] if p["name"] == "strict"]
        assert strict["in"] == "query" and strict["schema"]["type"] == "boolean"
        assert not strict["required"] and "STRICT_DIGITS" in strict["description"]
        if path == "/predict/batch":
            assert "`not_a_digit`" in operation["description"]
            continue
        examples = operation["responses"]["422"]["content"]["application/json"]["examples"]
        assert examples["not_a_digit"]["value"]["code"] == "not_a_digit"
        assert "strict=false" in examples["not_a_digit"]["value"]["detail"]
