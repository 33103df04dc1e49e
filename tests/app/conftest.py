"""Fixtures for the service tests: a tiny random model on disk, settings, a running client."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.main import create_app
from model_core.nn.presets import build
from model_core.nn.serialization import save_model

LIVE_MAX_UPLOAD_BYTES = 64 * 1024
TINY_METADATA = {
    "preset": "seed",
    "hyperparameters": {"epochs": 1, "lr": 0.003},
    "history": [{"epoch": 1, "train_loss": 2.1, "val_acc": 0.31}],
    "val_accuracy": 0.31,
    "test_accuracy": 0.3,
    "test_size": 100,
    "train_seconds": 1.5,
    "date": "2026-11-20T10:00:00+00:00",
}


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised `seed` network saved like a trained one (the API contract only)."""
    path = tmp_path_factory.mktemp("model") / "tiny.npz"
    save_model(path, build("seed", np.random.default_rng(0)), TINY_METADATA)
    return path


@pytest.fixture
def make_client(tiny_model_path: Path) -> Iterator[Callable[..., TestClient]]:
    """make_client(**settings) -> a started TestClient (lifespan run) on the tiny model."""
    with ExitStack() as stack:

        def make(**overrides: object) -> TestClient:
            settings = Settings(**{"model_path": tiny_model_path, **overrides})
            return stack.enter_context(TestClient(create_app(settings)))

        yield make


@pytest.fixture
def live_server(tiny_model_path: Path) -> Iterator[str]:
    """The app on the tiny model served by uvicorn on a free 127.0.0.1 port: its base URL."""
    settings = Settings(model_path=tiny_model_path, max_upload_bytes=LIVE_MAX_UPLOAD_BYTES)
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


def png_bytes(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format="PNG")
    return buffer.getvalue()


def digit_array(seed: int = 0) -> np.ndarray:
    """A 28x28 uint8 stroke (white on black) that preprocessing accepts as a digit."""
    rng = np.random.default_rng(seed)
    image = np.zeros((28, 28), dtype=np.uint8)
    column = int(rng.integers(10, 16))
    image[5:23, column : column + 3] = 255
    image[5:8, column - 4 : column + 3] = 255
    return image


@pytest.fixture
def digit_png() -> bytes:
    return png_bytes(digit_array())


@pytest.fixture
def blank_png() -> bytes:
    return png_bytes(np.full((28, 28), 255, dtype=np.uint8))
