"""Logs are one JSON object per line; every request gets an access-log line."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from app.log import JsonFormatter, configure_logging


def _record(message: str, level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    record = logging.getLogger("test").makeRecord("test", level, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    return record


def test_formatter_writes_cloud_logging_fields() -> None:
    line = JsonFormatter().format(_record("hello %s", logging.WARNING))
    entry = json.loads(line)
    assert entry["severity"] == "WARNING"
    assert entry["message"] == "hello %s"
    assert entry["time"].endswith("+00:00") and "T" in entry["time"]
    assert "\n" not in line


def test_formatter_puts_exceptions_in_stack_trace() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = _record("failed", logging.ERROR)
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["severity"] == "ERROR"
    assert "ValueError: broken" in entry["stack_trace"]


def test_configure_logging_is_idempotent() -> None:
    configure_logging("INFO")
    configure_logging("WARNING")
    ours = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(ours) == 1
    assert logging.getLogger().level == logging.WARNING
    configure_logging("INFO")


def test_python_warnings_become_json_lines() -> None:
    """In a process of its own: pytest records warnings itself."""
    code = (
        "import warnings; from app.log import configure_logging; configure_logging('INFO'); "
        "warnings.warn('Corrupt EXIF data in an upload', UserWarning)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stderr == ""
    [entry] = [json.loads(line) for line in done.stdout.splitlines()]
    assert (entry["logger"], entry["severity"]) == ("py.warnings", "WARNING")
    assert "UserWarning: Corrupt EXIF data in an upload" in entry["message"]


def test_each_request_logs_one_json_access_line(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    client.get("/health/live?probe=1")
    client.get("/missing")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    access = [entry for entry in lines if entry.get("logger") == "app.access"]
    assert [(e["method"], e["path"], e["status"]) for e in access] == [
        ("GET", "/health/live", 200),
        ("GET", "/missing", 404),
    ]
    assert [e["severity"] for e in access] == ["INFO", "WARNING"]
    assert all(isinstance(e["latency_ms"], float) and e["latency_ms"] >= 0 for e in access)
    assert access[0]["httpRequest"]["requestUrl"] == "/health/live?probe=1"
    assert access[0]["httpRequest"]["status"] == 200


def test_an_access_log_switched_off_by_uvicorn_stays_off() -> None:
    access = logging.getLogger("uvicorn.access")
    saved = (list(access.handlers), access.propagate)
    try:
        access.handlers.clear()
        access.propagate = False  # what `uvicorn --no-access-log` leaves
        configure_logging("INFO")
        assert access.propagate is False
        access.addHandler(logging.StreamHandler())  # uvicorn's plain-text handler
        configure_logging("INFO")
        assert access.handlers == [] and access.propagate is True  # now through our JSON
    finally:
        access.handlers[:], access.propagate = saved
