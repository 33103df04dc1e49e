"""Settings come from environment variables without a prefix, with safe defaults."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

import app.config
from app.config import (
    SEQUENCE_READER_FILE,
    VERIFIER_FILE,
    Settings,
    default_model_path,
    default_sequence_reader_path,
    default_verifier_path,
)
from model_core.preprocessing import DEFAULT_MAX_PIXELS

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = ("MODEL_PATH", "VERIFIER_PATH", "MAX_UPLOAD_BYTES", "MAX_IMAGE_PIXELS",
             "MAX_BATCH_SIZE", "MAX_NUMBER_DIGITS", "STRICT_DIGITS", "CORS_ORIGINS",
             "LOG_LEVEL")  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_default_model_path_is_the_checkouts_then_the_working_directorys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    committed = ROOT / "trained_cnn_model.npz"
    if committed.is_file():  # in a checkout the committed model wins, whatever the cwd
        assert default_model_path() == committed
    # Installed into site-packages (as in the container): the working directory's model.
    installed = tmp_path / "venv" / "site-packages" / "app" / "config.py"
    monkeypatch.setattr(app.config, "__file__", str(installed))
    assert default_model_path() == tmp_path / "trained_cnn_model.npz"
    assert Settings().model_path == tmp_path / "trained_cnn_model.npz"


@pytest.mark.parametrize(
    ("name", "default", "setting"),
    [
        (VERIFIER_FILE, default_verifier_path, "verifier_path"),
        (SEQUENCE_READER_FILE, default_sequence_reader_path, "sequence_reader_path"),
    ],
)
def test_default_number_networks_are_the_committed_ones_found_as_the_model_is_else_none(
    name: str,
    default: Callable[[], Path | None],
    setting: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    committed = ROOT / name
    assert default() == (committed if committed.is_file() else None)
    # Installed into site-packages (as in the container): the working directory's, if there.
    installed = tmp_path / "venv" / "site-packages" / "app" / "config.py"
    monkeypatch.setattr(app.config, "__file__", str(installed))
    assert default() is None and getattr(Settings(), setting) is None
    (tmp_path / name).write_bytes(b"")  # found, not read: the lifespan loads it
    assert default() == tmp_path / name
    assert getattr(Settings(), setting) == tmp_path / name


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/models/network.npz", Path("/models/network.npz")), ("", None), ("  ", None)],
)
@pytest.mark.parametrize("field", ["verifier_path", "sequence_reader_path"])
def test_number_network_paths_are_read_from_their_variables_and_empty_means_none(
    monkeypatch: pytest.MonkeyPatch, field: str, value: str, expected: Path | None
) -> None:
    monkeypatch.setenv(field.upper(), value)
    assert getattr(Settings(), field) == expected
    assert getattr(Settings(**{field: value}), field) == expected  # as create_app's callers


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.model_path == default_model_path()
    assert settings.model_path.is_absolute()
    assert settings.verifier_path == default_verifier_path()
    assert settings.max_upload_bytes == 10 * 1024 * 1024
    assert settings.max_image_pixels == DEFAULT_MAX_PIXELS
    assert settings.max_batch_size == 16
    assert settings.max_number_digits == 20
    assert settings.strict_digits is False
    assert settings.cors_origins == []
    assert settings.log_level == "INFO"


def test_every_setting_is_read_from_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MODEL_PATH", "/models/other.npz")
    monkeypatch.setenv("MAX_UPLOAD_BYTES", "1234")
    monkeypatch.setenv("MAX_IMAGE_PIXELS", "5678")
    monkeypatch.setenv("MAX_BATCH_SIZE", "3")
    monkeypatch.setenv("MAX_NUMBER_DIGITS", "6")
    monkeypatch.setenv("STRICT_DIGITS", "true")
    monkeypatch.setenv("CORS_ORIGINS", '["https://a.example", "https://b.example"]')
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = Settings()
    assert settings.model_path == Path("/models/other.npz")
    assert (settings.max_upload_bytes, settings.max_image_pixels, settings.max_batch_size) == (
        1234,
        5678,
        3,
    )
    assert settings.max_number_digits == 6
    assert settings.strict_digits is True
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://a.example", ["https://a.example"]),
        ("https://a.example, https://b.example", ["https://a.example", "https://b.example"]),
        ("", []),
        ("*", ["*"]),
    ],
)
def test_cors_origins_also_accept_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: list[str]
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", value)
    assert Settings().cors_origins == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [("MAX_BATCH_SIZE", "0"), ("MAX_UPLOAD_BYTES", "-1"), ("MAX_IMAGE_PIXELS", "many"),
     ("MAX_NUMBER_DIGITS", "0"), ("STRICT_DIGITS", "sometimes"), ("LOG_LEVEL", "LOUD")],
)  # fmt: skip
def test_invalid_values_are_refused_with_the_setting_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings()
