"""Prometheus metrics: per-app registry, route templates, predictions by digit, numbers read,
readings taken for no digit."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from tests.samples import bars_array, png_bytes


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format, or None when absent."""
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            if found == labels:
                return float(match.group(2))
    return None


def test_metrics_count_a_prediction(client: TestClient, digit_png: bytes) -> None:
    digit = client.post("/predict", files={"file": ("d.png", digit_png)}).json()["digit"]
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert sample(text, "predictions_total", digit=str(digit)) == 1.0
    assert sample(text, "http_requests_total", method="POST", route="/predict", status="200") == 1
    count = sample(text, "http_request_duration_seconds_count", method="POST", route="/predict")
    assert count == 1.0


def test_errors_are_counted_by_route_template_and_code(
    make_client: Callable[..., TestClient], blank_png: bytes
) -> None:
    client = make_client(max_upload_bytes=1000)
    client.post("/predict", files={"file": ("b.png", blank_png)})
    client.post("/predict", files={"file": ("big.png", bytes(5000))})  # 413 before routing
    client.get("/no/such/path")
    client.get("/assets/swagger-ui/swagger-ui.css")
    text = client.get("/metrics").text
    assert sample(text, "prediction_errors_total", code="no_digit") == 1.0
    assert sample(text, "http_requests_total", method="POST", route="/predict", status="422") == 1
    assert sample(text, "http_requests_total", method="POST", route="/predict", status="413") == 1
    assert sample(text, "http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assets = sample(
        text, "http_requests_total", method="GET", route="/assets/swagger-ui/{path}", status="200"
    )
    assert assets == 1.0


def test_each_app_has_its_own_registry(
    make_client: Callable[..., TestClient], digit_png: bytes
) -> None:
    first, second = make_client(), make_client()
    first.post("/predict", files={"file": ("d.png", digit_png)})
    assert "predictions_total{" in first.get("/metrics").text
    assert "predictions_total{" not in second.get("/metrics").text


def test_number_readings_and_their_digits_are_counted_apart_from_predictions(
    make_client: Callable[..., TestClient], blank_png: bytes
) -> None:
    client = make_client(max_number_digits=2)
    digits = []
    for count in (2, 1):
        data = png_bytes(bars_array(count))
        response = client.post("/predict/number", files={"file": ("n.png", data)})
        digits += [d["digit"] for d in response.json()["digits"]]
    assert len(digits) == 3
    client.post("/predict/number/base64", json={"image": "***"})
    client.post("/predict/number", files={"file": ("b.png", blank_png)})
    client.post("/predict/number", files={"file": ("3.png", png_bytes(bars_array(3)))})
    text = client.get("/metrics").text
    assert re.search(r"^number_readings_total 2\.0$", text, re.MULTILINE)  # no labels
    for digit in set(digits):
        assert sample(text, "number_digits_total", digit=str(digit)) == digits.count(digit)
    for code in ("invalid_base64", "no_digit", "too_many_digits"):
        assert sample(text, "number_reading_errors_total", code=code) == 1.0
    assert "predictions_total{" not in text and "prediction_errors_total{" not in text
    route = "/predict/number"
    assert sample(text, "http_requests_total", method="POST", route=route, status="200") == 2
    assert sample(text, "http_requests_total", method="POST", route=route, status="422") == 2


def test_readings_taken_for_no_digit_are_counted_strict_or_not(
    make_client: Callable[..., TestClient], flagging_model_path: Path, digit_png: bytes
) -> None:
    client = make_client(model_path=flagging_model_path)
    single, number = ("d.png", digit_png), ("n.png", png_bytes(bars_array(3)))
    client.post("/predict", files={"file": single})  # answered, is_digit false
    client.post("/predict", files={"file": single}, params={"strict": "true"})  # refused
    client.post("/predict/base64", json={"image": base64.b64encode(digit_png).decode()})
    batch = [("files", single), ("files", single), ("files", ("x.png", b"not an image"))]
    client.post("/predict/batch", files=batch, params={"strict": "true"})
    client.post("/predict/batch", files=batch[:1])
    client.post("/predict/number", files={"file": number})  # three digits flagged
    client.post("/predict/number", files={"file": number}, params={"strict": "true"})
    text = client.get("/metrics").text
    flagged = {
        endpoint: sample(text, "not_a_digit_total", endpoint=endpoint)
        for endpoint in ("/predict", "/predict/base64", "/predict/batch", "/predict/number")
    }
    assert flagged == {"/predict": 2, "/predict/base64": 1, "/predict/batch": 3,
                       "/predict/number": 6}  # fmt: skip
    assert sample(text, "prediction_errors_total", code="not_a_digit") == 3  # 1 + 2 batch items
    assert sample(text, "prediction_errors_total", code="invalid_image") == 1
    assert sum(sample(text, "predictions_total", digit=str(d)) or 0 for d in range(10)) == 3
    assert sample(text, "number_reading_errors_total", code="not_a_digit") == 1
    assert re.search(r"^number_readings_total 1\.0$", text, re.MULTILINE)


def test_nothing_is_counted_as_no_digit_when_the_rule_passes_it(
    make_client: Callable[..., TestClient], rule_model: Callable[..., Path], digit_png: bytes
) -> None:
    client = make_client(model_path=rule_model(0.0))
    client.post("/predict", files={"file": ("d.png", digit_png)}, params={"strict": "true"})
    client.post("/predict/number", files={"file": ("n.png", png_bytes(bars_array(2)))})
    text = client.get("/metrics").text
    assert "not_a_digit_total{" not in text and 'code="not_a_digit"' not in text
