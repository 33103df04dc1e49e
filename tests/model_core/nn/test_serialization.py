"""The .npz model format: exact round trips of every preset, metadata, plain arrays only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model_core.nn import presets
from model_core.nn.serialization import FORMAT_VERSION, load_model, save_model
from tests.model_core.nn.saved import trained_looking


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_round_trip_predicts_exactly_the_same(name: str, tmp_path: Path) -> None:
    net = trained_looking(name, 800)
    x = np.random.default_rng(801).random((5, 28, 28, 1)).astype(np.float32)  # (N, 28, 28, 1)
    before = net.predict_proba(x)  # (N, 10)
    path = tmp_path / f"{name}.npz"

    save_model(path, net, {"preset": name})
    loaded = load_model(path)

    assert loaded.format_version == FORMAT_VERSION
    assert loaded.metadata == {"preset": name}
    assert loaded.network.architecture() == net.architecture()
    np.testing.assert_array_equal(loaded.network.predict_proba(x), before)
    assert set(loaded.network.params) == set(net.params)
    for key, p in net.params.items():
        np.testing.assert_array_equal(loaded.network.params[key], p, err_msg=key)
    assert set(loaded.network.state) == set(net.state)
    for key, s in net.state.items():
        np.testing.assert_array_equal(loaded.network.state[key], s, err_msg=key)


def test_round_trip_keeps_batchnorm_running_stats(tmp_path: Path) -> None:
    net = trained_looking("lenet_bn", 810)
    stats = net.state
    assert set(stats) == {f"{i}.{s}" for i in (1, 5, 10) for s in ("running_mean", "running_var")}
    assert all(np.any(v != d) for k, v in stats.items() for d in [0.0 if "mean" in k else 1.0])

    save_model(tmp_path / "m.npz", net)
    loaded = load_model(tmp_path / "m.npz").network

    for key, value in stats.items():
        np.testing.assert_array_equal(loaded.state[key], value, err_msg=key)
    # Inference really uses them: resetting the statistics changes the prediction.
    x = np.random.default_rng(811).random((2, 28, 28, 1)).astype(np.float32)  # (N, 28, 28, 1)
    before = loaded.predict_proba(x)  # (N, 10)
    loaded.state["1.running_var"][:] = 1.0
    assert not np.allclose(loaded.predict_proba(x), before)


def test_metadata_round_trip(tmp_path: Path) -> None:
    metadata: dict[str, Any] = {
        "epochs": 3,
        "lr": 1e-3,
        "history": [{"loss": 0.5, "accuracy": 0.91}, {"loss": 0.25, "accuracy": 0.97}],
        "data": {"name": "mnist", "splits": {"train": 60000, "test": 10000}},
        "flags": [True, False, None],
        "note": "chiffres manuscrits, ü",
    }
    save_model(tmp_path / "m.npz", trained_looking("seed", 820), metadata)

    assert load_model(tmp_path / "m.npz").metadata == metadata


def test_metadata_defaults_to_empty_and_non_json_values_become_strings(tmp_path: Path) -> None:
    net = trained_looking("seed", 825)
    save_model(tmp_path / "a.npz", net)
    save_model(tmp_path / "b.npz", net, {"source": Path("/data/mnist")})

    assert load_model(tmp_path / "a.npz").metadata == {}
    assert load_model(tmp_path / "b.npz").metadata == {"source": "/data/mnist"}


def test_file_is_plain_arrays_without_pickles(tmp_path: Path) -> None:
    net = trained_looking("lenet_bn", 830)
    save_model(tmp_path / "m.npz", net, {"a": [1, 2]})

    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}

    assert set(arrays) == {"format_version", "architecture", "metadata"} | {
        f"param/{k}" for k in net.params
    } | {f"state/{k}" for k in net.state}
    assert all(a.dtype != object for a in arrays.values())
    assert int(arrays["format_version"]) == FORMAT_VERSION
    assert json.loads(str(arrays["architecture"])) == net.architecture()
    assert json.loads(str(arrays["metadata"])) == {"a": [1, 2]}
    assert arrays["param/0.weight"].shape == (3, 3, 1, 32)


def test_accepts_str_paths(tmp_path: Path) -> None:
    save_model(str(tmp_path / "m.npz"), trained_looking("seed", 835))
    assert load_model(str(tmp_path / "m.npz")).network.num_params() == 13610
