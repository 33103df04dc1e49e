"""GET /model/info: architecture, training record, input limits, artifact hash, verifier, the
rule for telling a digit from a non-digit."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from model_core.classifier import DigitClassifier
from model_core.nn.ensemble import Ensemble
from model_core.nn.presets import build
from model_core.nn.serialization import save_model
from model_core.number import UNLIKELY
from model_core.number.gate import build_gate
from model_core.number.sequence import build_sequence_reader
from model_core.number.verifier import build_verifier
from model_core.rejection import TOUCHING_SCALE
from tests.app.conftest import RULE_VALIDATION
from tests.samples import (
    TINY_METADATA,
    TINY_SEQUENCE_FACTS,
    TINY_VERIFIER_FACTS,
    write_tiny_model,
)


def test_model_info(make_client: Callable[..., TestClient], tiny_model_path: Path) -> None:
    client = make_client(
        max_upload_bytes=1000, max_image_pixels=2000, max_batch_size=3, max_number_digits=4
    )
    response = client.get("/model/info")
    assert response.status_code == 200
    body = response.json()
    architecture = body["architecture"]
    assert architecture["input_shape"] == [28, 28, 1]
    assert architecture["members"] == 1
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
    assert limits["max_number_digits"] == 4
    assert limits["deskew"] is False  # the tiny model's metadata does not ask for it
    assert body["sha256"] == hashlib.sha256(tiny_model_path.read_bytes()).hexdigest()
    assert body["verifier"] is None  # make_client loads none unless asked
    assert body["sequence_reader"] is None
    assert body["not_a_digit"] is None  # the tiny model has no rule: every image is a digit


def test_model_info_shows_the_number_verifier(
    make_client: Callable[..., TestClient], tiny_verifier_path: Path
) -> None:
    verifier = make_client(verifier_path=tiny_verifier_path).get("/model/info").json()["verifier"]
    assert set(verifier) == {"sha256", "parameters", "val_accuracy", "numbers", "date"}
    assert verifier["sha256"] == hashlib.sha256(tiny_verifier_path.read_bytes()).hexdigest()
    assert verifier["parameters"] == build_verifier(np.random.default_rng(0)).num_params()
    assert verifier["val_accuracy"] == TINY_VERIFIER_FACTS["val_accuracy"]
    assert verifier["numbers"] == TINY_VERIFIER_FACTS["numbers"]
    assert verifier["date"] and verifier["date"][:2] == "20"  # verifier_metadata's ISO date


def test_model_info_shows_the_sequence_reader(
    make_client: Callable[..., TestClient],
    tiny_verifier_path: Path,
    tiny_sequence_path: Path,
) -> None:
    client = make_client(verifier_path=tiny_verifier_path, sequence_reader_path=tiny_sequence_path)
    reader = client.get("/model/info").json()["sequence_reader"]
    assert reader["sha256"] == hashlib.sha256(tiny_sequence_path.read_bytes()).hexdigest()
    assert reader["parameters"] == build_sequence_reader(np.random.default_rng(0)).num_params()
    assert reader["val_exact"] == TINY_SEQUENCE_FACTS["val_exact"]
    assert reader["numbers"] == TINY_SEQUENCE_FACTS["numbers"]
    assert reader["shape_network"] is False and reader["gate_network"] is False
    assert reader["unlikely"] == UNLIKELY


def test_model_info_says_the_sequence_reader_holds_a_shape_network(
    make_client: Callable[..., TestClient], tiny_verifier_path: Path, tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "with_shapes.npz"
    pair = Ensemble([build_sequence_reader(rng), build_sequence_reader(rng)])
    save_model(path, pair, {"kind": "sequence_reader", "shapes": {"member": 1}})
    client = make_client(verifier_path=tiny_verifier_path, sequence_reader_path=path)

    reader = client.get("/model/info").json()["sequence_reader"]
    assert reader["shape_network"] is True and reader["parameters"] == pair.num_params()
    assert reader["gate_network"] is False


def test_model_info_says_the_sequence_reader_holds_a_gate_network(
    make_client: Callable[..., TestClient], tiny_verifier_path: Path, tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "with_gate.npz"
    trio = Ensemble([build_sequence_reader(rng), build_sequence_reader(rng), build_gate(rng)])
    meta = {"kind": "sequence_reader", "shapes": {"member": 1}, "gate": {"member": 2}}
    save_model(path, trio, meta)
    client = make_client(verifier_path=tiny_verifier_path, sequence_reader_path=path)

    reader = client.get("/model/info").json()["sequence_reader"]
    assert reader["gate_network"] is True and reader["shape_network"] is True


def test_model_info_tolerates_a_verifiers_odd_metadata(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    path = tmp_path / "odd_verifier.npz"
    network = build_verifier(np.random.default_rng(3))
    save_model(path, network, {"numbers": "many", "val_accuracy": 0.5, "sha256": "forged"})
    verifier = make_client(verifier_path=path).get("/model/info").json()["verifier"]
    assert verifier["numbers"] is None and verifier["date"] is None
    assert verifier["val_accuracy"] == 0.5
    assert verifier["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert verifier["parameters"] == network.num_params()


def _info_of_a_model_with(
    metadata: dict[str, object], make_client: Callable[..., TestClient], tmp_path: Path
) -> dict[str, Any]:
    """GET /model/info of a random `seed` network saved with `metadata`: the JSON body."""
    path = write_tiny_model(tmp_path / "model.npz", metadata, seed=1)
    response = make_client(model_path=path).get("/model/info")
    assert response.status_code == 200
    return response.json()


def test_model_info_tolerates_odd_metadata(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    odd = {"test_accuracy": "high", "x": 1}
    assert _info_of_a_model_with(odd, make_client, tmp_path)["training"]["test_accuracy"] is None


def test_model_info_says_when_the_model_reads_deskewed_digits(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    info = _info_of_a_model_with({"input": {"deskew": True}}, make_client, tmp_path)
    assert info["input"]["deskew"] is True


def test_model_info_lists_every_member_of_an_ensemble(
    make_client: Callable[..., TestClient], tmp_path: Path, digit_png: bytes
) -> None:
    rng = np.random.default_rng(2)
    ensemble = Ensemble([build("seed", rng), build("seed", rng)])
    path = tmp_path / "ensemble.npz"
    save_model(path, ensemble, {"preset": "seed"})
    client = make_client(model_path=path)

    architecture = client.get("/model/info").json()["architecture"]

    assert architecture["members"] == 2
    assert [(layer["member"], layer["index"]) for layer in architecture["layers"]] == [
        (member, index) for member in (0, 1) for index in range(4)
    ]
    assert architecture["total_params"] == 2 * 13_610 == ensemble.num_params()
    assert "Member 2 of 2" in architecture["summary"]
    assert client.get("/").json()["model"]["members"] == 2
    response = client.post("/predict", files={"file": ("d.png", digit_png, "image/png")})
    assert response.status_code == 200
    assert abs(sum(response.json()["probabilities"]) - 1) < 1e-5


def test_model_info_shows_the_cascade_and_whether_it_runs(
    make_client: Callable[..., TestClient], tmp_path: Path, digit_png: bytes
) -> None:
    rng = np.random.default_rng(3)
    path = tmp_path / "cascade.npz"
    entry = {"sure": 0.2, "validation": {"digits_escalated": 0.03}, "test_accuracy": 0.9}
    ensemble = Ensemble([build("seed", rng), build("seed", rng)])
    save_model(path, ensemble, {"cascade": entry, "test_accuracy": 0.95})
    answers = {}
    for full in (False, True):
        client = make_client(model_path=path, full_ensemble=full)
        assert client.get("/model/info").json()["cascade"] == entry | {"used": not full}
        assert client.get("/").json()["model"]["test_accuracy"] == (0.95 if full else 0.9)
        response = client.post("/predict", files={"file": ("d.png", digit_png, "image/png")})
        answers[full] = response.json()["probabilities"]
    offline = DigitClassifier.load(path).predict(digit_png)
    assert answers[False] == pytest.approx(offline.probabilities, abs=1e-6)
    assert answers[True] == pytest.approx(
        DigitClassifier.load(path, full_ensemble=True).predict(digit_png).probabilities, abs=1e-6
    )
    assert make_client().get("/model/info").json()["cascade"] is None  # one network


def test_model_info_shows_the_rule_and_every_figure_recorded_with_it(
    make_client: Callable[..., TestClient], rule_model: Callable[..., Path], tmp_path: Path
) -> None:
    info = make_client(model_path=rule_model(0.25)).get("/model/info").json()
    assert info["not_a_digit"] == {
        "score": "max_probability",
        "threshold": 0.25,
        "touching_threshold": TOUCHING_SCALE * 0.25,
        "min_aspect": None,
        "validation": RULE_VALIDATION,
    }
    shaped = make_client(model_path=rule_model(0.25, 0.4)).get("/model/info").json()
    assert shaped["not_a_digit"]["min_aspect"] == 0.4
    rule = {"score": "max_probability", "threshold": 1, "chosen_on": "blocked validation"}
    shown = _info_of_a_model_with({"not_a_digit": rule}, make_client, tmp_path)["not_a_digit"]
    assert shown == {"score": "max_probability", "threshold": 1.0, "min_aspect": None,
                     "touching_threshold": TOUCHING_SCALE, "validation": None,
                     "chosen_on": "blocked validation"}  # fmt: skip


def test_model_info_leaves_out_a_figure_of_an_odd_type_beside_the_rule(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    rule = {"score": "max_probability", "threshold": 0.6, "validation": [0.97, 0.004]}
    shown = _info_of_a_model_with({"not_a_digit": rule}, make_client, tmp_path)["not_a_digit"]
    assert shown == {
        "score": "max_probability",
        "threshold": 0.6,
        "touching_threshold": TOUCHING_SCALE * 0.6,
        "min_aspect": None,
        "validation": None,
    }
