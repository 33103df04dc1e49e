"""The number verifier in the service: VERIFIER_PATH loads it beside the model, /predict/number
reads with it, and a file that is not a verifier stops the start-up as a bad model does."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import ModelStartupError, create_app
from model_core.classifier import DigitClassifier
from tests.samples import bars_array, png_bytes


def _start(model: Path, verifier: Path | None) -> TestClient:
    return TestClient(create_app(Settings(model_path=model, verifier_path=verifier)))


def test_the_lifespan_loads_the_verifier_and_numbers_are_read_with_it(
    tiny_model_path: Path, tiny_verifier_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app")
    with _start(tiny_model_path, tiny_verifier_path) as client:
        classifier: DigitClassifier = client.app.state.classifier  # type: ignore[attr-defined]
        assert classifier.verifier is not None
        digest = hashlib.sha256(tiny_verifier_path.read_bytes()).hexdigest()
        assert classifier.verifier.sha256 == digest
        data = png_bytes(bars_array(2))  # two strokes, far apart
        response = client.post("/predict/number", files={"file": ("n.png", data, "image/png")})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["number"].isdigit() and len(body["digits"]) == len(body["number"])
        assert client.get("/health/ready").status_code == 200
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"number verifier loaded from {tiny_verifier_path}" in logged
    assert digest[:12] in logged


def test_without_a_verifier_numbers_are_read_blob_by_blob(
    tiny_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app")
    with _start(tiny_model_path, None) as client:
        assert client.app.state.classifier.verifier is None  # type: ignore[attr-defined]
        data = png_bytes(bars_array(2))
        response = client.post("/predict/number", files={"file": ("n.png", data, "image/png")})
        assert response.status_code == 200, response.text
        assert len(response.json()["digits"]) == 2
    assert any("no number verifier" in record.getMessage() for record in caplog.records)


def test_the_digit_model_given_as_verifier_stops_startup(
    tiny_model_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The digit model has 10 outputs, not 10 digits and garbage: refused, naming both files."""
    with pytest.raises(ModelStartupError) as raised, _start(tiny_model_path, tiny_model_path):
        pass
    message = str(raised.value)
    assert message.startswith("cannot start: failed to load the model from")
    assert f"the number verifier from {tiny_model_path}" in message
    assert "10 digits and garbage" in message
    logged = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert logged and "10 digits and garbage" in logged[0].getMessage()


def test_a_truncated_verifier_stops_startup(
    tiny_model_path: Path, tiny_verifier_path: Path, tmp_path: Path
) -> None:
    truncated = tmp_path / "truncated_verifier.npz"
    data = tiny_verifier_path.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with (
        pytest.raises(ModelStartupError, match=r"not a readable \.npz") as raised,
        _start(tiny_model_path, truncated),
    ):
        pass
    assert f"the number verifier from {truncated}" in str(raised.value)


def test_a_missing_verifier_stops_startup(tiny_model_path: Path, tmp_path: Path) -> None:
    """An explicit VERIFIER_PATH is a promise: absent, the service does not start without it."""
    missing = tmp_path / "nowhere" / "verifier.npz"
    with pytest.raises(ModelStartupError) as raised, _start(tiny_model_path, missing):
        pass
    assert str(missing) in str(raised.value) and "not found" in str(raised.value)


def test_the_environment_sets_the_verifier_and_empty_turns_it_off(
    monkeypatch: pytest.MonkeyPatch, tiny_model_path: Path, tiny_verifier_path: Path
) -> None:
    monkeypatch.setenv("MODEL_PATH", str(tiny_model_path))
    monkeypatch.setenv("VERIFIER_PATH", str(tiny_verifier_path))
    with TestClient(create_app()) as client:
        assert client.get("/model/info").json()["verifier"]["parameters"] > 0
    monkeypatch.setenv("VERIFIER_PATH", "")
    with TestClient(create_app()) as client:
        assert client.get("/model/info").json()["verifier"] is None


def test_the_lifespan_loads_the_sequence_reader_and_numbers_are_read_with_it(
    tiny_model_path: Path,
    tiny_verifier_path: Path,
    tiny_sequence_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="app")
    settings = Settings(
        model_path=tiny_model_path,
        verifier_path=tiny_verifier_path,
        sequence_reader_path=tiny_sequence_path,
    )
    with TestClient(create_app(settings)) as client:
        classifier: DigitClassifier = client.app.state.classifier  # type: ignore[attr-defined]
        assert classifier.sequence is not None
        data = png_bytes(bars_array(3))
        response = client.post("/predict/number", files={"file": ("n.png", data, "image/png")})
        assert response.status_code == 200, response.text
        assert response.json()["number"].isdigit()
    digest = hashlib.sha256(tiny_sequence_path.read_bytes()).hexdigest()
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"sequence reader loaded from {tiny_sequence_path}" in logged
    assert digest[:12] in logged


def test_the_digit_model_given_as_sequence_reader_stops_startup(tiny_model_path: Path) -> None:
    settings = Settings(model_path=tiny_model_path, sequence_reader_path=tiny_model_path)
    with pytest.raises(ModelStartupError) as raised, TestClient(create_app(settings)):
        pass
    assert f"the sequence reader from {tiny_model_path}" in str(raised.value)
    assert "10 digits and blank" in str(raised.value)
