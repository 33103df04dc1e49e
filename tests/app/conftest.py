"""Fixtures for the service tests: a started TestClient and a live server on the tiny model
(tests/conftest.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

LIVE_MAX_UPLOAD_BYTES = 64 * 1024


@pytest.fixture
def make_client(tiny_model_path: Path) -> Iterator[Callable[..., TestClient]]:
    """make_client(**settings) -> a started TestClient (lifespan run) on the tiny model and no
    number verifier unless `verifier_path` is given: whether the committed verifier is in the
    checkout changes nothing here."""
    with ExitStack() as stack:

        def make(**overrides: object) -> TestClient:
            defaults = {"model_path": tiny_model_path, "verifier_path": None}
            settings = Settings(**{**defaults, **overrides})
            return stack.enter_context(TestClient(create_app(settings)))

        yield make


@pytest.fixture
def live_server(tiny_model_path: Path) -> Iterator[str]:
    """The app on the tiny model served by uvicorn on a free 127.0.0.1 port: its base URL."""
    settings = Settings(
        model_path=tiny_model_path, verifier_path=None, max_upload_bytes=LIVE_MAX_UPLOAD_BYTES
    )
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound here, so no other process can take the port meanwhile
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
