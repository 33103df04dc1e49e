"""GET /, /health, /health/live, /health/ready."""

from __future__ import annotations

from fastapi.testclient import TestClient

import model_core


def test_root_describes_the_service_and_its_model(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "cnn-digit-recognition"
    assert body["version"] == model_core.__version__
    assert body["model"] == {"preset": "seed", "members": 1, "params": 13_610, "test_accuracy": 0.3}
    for name in ("docs", "draw", "predict", "predict_base64", "predict_batch", "model_info"):
        assert name in body["links"]
    assert body["links"]["predict_number"] == "/predict/number"
    assert body["links"]["predict_number_base64"] == "/predict/number/base64"
    for path in body["links"].values():
        assert client.get(path).status_code in (200, 405), path  # 405: POST-only endpoints


def test_liveness(client: TestClient) -> None:
    response = client.get("/health/live")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readiness_when_the_model_is_loaded(client: TestClient) -> None:
    for path in ("/health/ready", "/health"):  # /health: where most tools look first
        response = client.get(path)
        assert (response.status_code, response.json()) == (200, {"status": "ok"}), path
