"""create_app builds without loading the model; the lifespan loads it or refuses to start."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import ModelStartupError, create_app
from model_core.classifier import DigitClassifier


def test_importing_the_module_gives_an_app_without_loading_the_model() -> None:
    module = importlib.import_module("app.main")
    assert module.app.title
    assert module.app.state.classifier is None


def test_creating_the_app_does_not_touch_the_model_file(tmp_path: Path) -> None:
    app = create_app(Settings(model_path=tmp_path / "absent.npz"))  # would fail if loaded
    assert app.state.classifier is None


def test_the_lifespan_loads_the_model_once_and_releases_it(tiny_model_path: Path) -> None:
    app = create_app(Settings(model_path=tiny_model_path))
    with TestClient(app):
        classifier = app.state.classifier
        assert isinstance(classifier, DigitClassifier)
        assert classifier.network.num_params() == 13_610
    assert app.state.classifier is None


def test_a_missing_model_stops_startup_with_the_path_and_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "nowhere" / "model.npz"
    app = create_app(Settings(model_path=missing))
    with pytest.raises(ModelStartupError) as raised, TestClient(app):
        pass
    message = str(raised.value)
    assert str(missing) in message and "not found" in message
    logged = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert logged and str(missing) in logged[0].getMessage()


def test_an_invalid_model_stops_startup_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"this is not a zip archive")
    with (
        pytest.raises(ModelStartupError, match=r"not a readable \.npz"),
        TestClient(create_app(Settings(model_path=broken))),
    ):
        pass


def test_ready_is_503_until_the_model_is_loaded(tiny_model_path: Path) -> None:
    app = create_app(Settings(model_path=tiny_model_path))
    cold = TestClient(app)  # not entered: the lifespan has not run
    response = cold.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "the model is not loaded yet; retry shortly",
        "code": "model_not_loaded",
    }
    assert cold.get("/health").json() == response.json()
    assert cold.get("/health/live").status_code == 200
    with TestClient(app) as warm:
        assert warm.get("/health/ready").status_code == 200
        assert warm.get("/health").status_code == 200
        app.state.classifier = None  # e.g. while shutting down
        assert warm.get("/health/ready").status_code == 503


def test_the_app_reads_its_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tiny_model_path: Path, digit_png: bytes
) -> None:
    monkeypatch.setenv("MODEL_PATH", str(tiny_model_path))
    monkeypatch.setenv("MAX_BATCH_SIZE", "1")
    with TestClient(create_app()) as client:
        files = [("files", (f"{i}.png", digit_png, "image/png")) for i in range(2)]
        response = client.post("/predict/batch", files=files)
    assert response.status_code == 413
    assert "at most 1" in response.json()["detail"]


def test_no_cors_headers_by_default(client: TestClient) -> None:
    response = client.get("/health/live", headers={"Origin": "https://site.example"})
    assert response.status_code == 200
    assert not any(name.startswith("access-control-") for name in response.headers)
    preflight = client.options(
        "/predict/base64",
        headers={"Origin": "https://site.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_headers_for_a_configured_origin(make_client: Callable[..., TestClient]) -> None:
    client = make_client(cors_origins=["https://site.example"])
    response = client.get("/health/live", headers={"Origin": "https://site.example"})
    assert response.headers["access-control-allow-origin"] == "https://site.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    preflight = client.options(
        "/predict/base64",
        headers={
            "Origin": "https://site.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    other = client.get("/health/live", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_cors_errors_carry_the_headers_too(make_client: Callable[..., TestClient]) -> None:
    client = make_client(cors_origins=["https://site.example"], max_upload_bytes=10)
    response = client.post(
        "/predict/base64", json={"image": "x" * 50}, headers={"Origin": "https://site.example"}
    )
    assert response.status_code == 413
    assert response.headers["access-control-allow-origin"] == "https://site.example"


def test_a_wildcard_origin_never_allows_credentials(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(cors_origins=["*"])
    response = client.get("/health/live", headers={"Origin": "https://any.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
