"""Fixtures for the service tests: a started TestClient and a live server on the tiny model
(tests/conftest.py), the tiny model saved with a rule for telling a digit from a non-digit, and
a client on the committed model and number networks."""

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
from tests.samples import TINY_METADATA, write_tiny_model

LIVE_MAX_UPLOAD_BYTES = 64 * 1024
ROOT = Path(__file__).resolve().parents[2]
RULE_VALIDATION = {"nondigits_flagged": 0.97, "digits_flagged": 0.004, "by_kind": {"letters": 0.99}}


def rule_metadata(threshold: float, min_aspect: float | None = None) -> dict[str, object]:
    """The tiny model's metadata with a `not_a_digit` rule at `threshold` and `min_aspect`
    (model_core/rejection.py) and the validation figures a trained model records beside it."""
    rule: dict[str, object] = {"score": "max_probability", "threshold": threshold}
    if min_aspect is not None:
        rule["min_aspect"] = min_aspect
    return TINY_METADATA | {"not_a_digit": rule | {"validation": RULE_VALIDATION}}


@pytest.fixture(scope="session")
def rule_model(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """rule_model(threshold, min_aspect=None) -> the tiny model, same weights, saved with that
    rule: threshold 0.0 flags no image, 1.0 every image (a random network is never fully sure);
    min_aspect flags ink flatter than it whatever the threshold."""
    made: dict[tuple[float, float | None], Path] = {}

    def make(threshold: float, min_aspect: float | None = None) -> Path:
        key = (threshold, min_aspect)
        if key not in made:
            folder = tmp_path_factory.mktemp("rule")
            metadata = rule_metadata(threshold, min_aspect)
            made[key] = write_tiny_model(folder / "tiny.npz", metadata)
        return made[key]

    return make


@pytest.fixture(scope="session")
def flagging_model_path(rule_model: Callable[..., Path]) -> Path:
    """The tiny model with a rule that takes every image for no digit (threshold 1)."""
    return rule_model(1.0)


@pytest.fixture
def make_client(tiny_model_path: Path) -> Iterator[Callable[..., TestClient]]:
    """make_client(**settings) -> a started TestClient (lifespan run) on the tiny model and no
    number verifier or sequence reader unless given: whether the committed ones are in the
    checkout changes nothing here."""
    with ExitStack() as stack:

        def make(**overrides: object) -> TestClient:
            defaults = {
                "model_path": tiny_model_path,
                "verifier_path": None,
                "sequence_reader_path": None,
            }
            settings = Settings(**{**defaults, **overrides})
            return stack.enter_context(TestClient(create_app(settings)))

        yield make


@pytest.fixture
def live_server(tiny_model_path: Path) -> Iterator[str]:
    """The app on the tiny model served by uvicorn on a free 127.0.0.1 port: its base URL."""
    settings = Settings(
        model_path=tiny_model_path,
        verifier_path=None,
        sequence_reader_path=None,
        max_upload_bytes=LIVE_MAX_UPLOAD_BYTES,
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


NUMBER_NETWORKS = (
    ROOT / "trained_cnn_model.npz",
    ROOT / "trained_verifier_model.npz",
    ROOT / "trained_sequence_model.npz",
)


@pytest.fixture(scope="module")
def number_client() -> Iterator[TestClient]:
    """A started TestClient on the committed model and number networks (skipped with a reason
    until they are all in the repository)."""
    missing = [path.name for path in NUMBER_NETWORKS if not path.is_file()]
    if missing:
        pytest.skip(f"not in the repository yet: {', '.join(missing)}")
    model, verifier, sequence = NUMBER_NETWORKS
    settings = Settings(
        model_path=model, verifier_path=verifier, sequence_reader_path=sequence, log_level="WARNING"
    )
    with TestClient(create_app(settings)) as client:
        yield client
