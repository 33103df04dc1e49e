"""GET /model/info: architecture, training record, input limits, artifact hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from tests.app.conftest import TINY_METADATA


def test_model_info(make_client: Callable[..., TestClient], tiny_model_path: Path) -> None:
    client = make_client(max_upload_bytes=1000, max_image_pixels=2000, max_batch_size=3)
    response = client.get("/model/info")
    assert response.status_code == 200
    body = response.json()
    architecture = body["architecture"]
    assert architecture["input_shape"] == [28, 28, 1]
    layers = architecture["layers"]
    assert [layer["type"] for layer in layers] == ["Conv2D", "MaxPool2D", "Flatten", "Dense"]
    assert [layer["output_shape"] for layer in layers] == [[26, 26, 8], [13, 13, 8], [1352], [10]]
    assert [layer["params"] for layer in layers] == [80, 0, 0, 13_530]
    assert architecture["total_params"] == sum(layer["params"] for layer in layers) == 13_610
    assert layers[0]["config"]["out_channels"] == 8
    assert "Total params: 13,610" in architecture["summary"]
    training = body["training"]
    for key in ("preset", "hyperparameters", "history", "val_accuracy", "test_accuracy",
                "test_size", "train_seconds", "date"):  # fmt: skip
        assert training[key] == TINY_METADATA[key]
    assert body["input"]["formats"][:2] == ["PNG", "JPEG"]
    limits = body["input"]
    assert (limits["max_upload_bytes"], limits["max_image_pixels"], limits["max_batch_size"]) == (
        1000,
        2000,
        3,
    )
    assert limits["deskew"] is False  # the tiny model's metadata does not ask for it
    assert body["sha256"] == hashlib.sha256(tiny_model_path.read_bytes()).hexdigest()


def test_model_info_tolerates_odd_metadata(tmp_path: Path) -> None:
    import numpy as np

    from app.config import Settings
    from app.main import create_app
    from model_core.presets import build
    from model_core.serialization import save_model

    path = tmp_path / "odd.npz"
    save_model(path, build("seed", np.random.default_rng(1)), {"test_accuracy": "high", "x": 1})
    with TestClient(create_app(Settings(model_path=path))) as client:
        response = client.get("/model/info")
    assert response.status_code == 200
    assert response.json()["training"]["test_accuracy"] is None


def test_model_info_says_when_the_model_reads_deskewed_digits(tmp_path: Path) -> None:
    import numpy as np

    from app.config import Settings
    from app.main import create_app
    from model_core.presets import build
    from model_core.serialization import save_model

    path = tmp_path / "deskewed.npz"
    save_model(path, build("seed", np.random.default_rng(1)), {"input": {"deskew": True}})
    with TestClient(create_app(Settings(model_path=path))) as client:
        response = client.get("/model/info")
    assert response.status_code == 200
    assert response.json()["input"]["deskew"] is True
