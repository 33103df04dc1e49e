"""JSON logs, one object per line on stdout, as Cloud Logging reads them (`severity`, `message`).
Python warnings go through them too (logger `py.warnings`), not as plain text on stderr.

Fields: severity, message, time (UTC, ISO 8601), logger; request fields passed as
`extra={"http": {...}}` are flattened in (path, method, status, latency_ms, httpRequest);
exceptions go to `stack_trace`, which Error Reporting reads.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

_HANDLER_MARK = "_digit_service_json_handler"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "logger": record.name,
        }
        http = getattr(record, "http", None)
        if isinstance(http, dict):
            entry.update(http)
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the time (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(level: str = "INFO") -> None:
    """Send the root logger (and uvicorn's) through one JSON handler; safe to call again."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter())
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # Python warnings (Pillow's on a corrupt upload) as JSON too
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        server_logger = logging.getLogger(name)
        if server_logger.handlers:  # uvicorn's plain-text handler: go through ours instead
            server_logger.handlers.clear()
            server_logger.propagate = True
        # a handler-less, non-propagating logger is one uvicorn switched off (--no-access-log)
