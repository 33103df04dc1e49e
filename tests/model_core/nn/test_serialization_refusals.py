"""The .npz model format: a ModelLoadError for every kind of bad file, pickles never run."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model_core.nn.network import Sequential
from model_core.nn.serialization import FORMAT_VERSION, ModelLoadError, load_model, save_model
from tests.model_core.nn.saved import rewrite, trained_looking, valid_arrays

# --- corrupt files ------------------------------------------------------------------------------


def architecture_with(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> np.ndarray:
    arch = json.loads(str(valid_arrays(tmp_path)["architecture"]))
    edit(arch)
    return np.array(json.dumps(arch))


def _missing_file(tmp_path: Path) -> Path:
    return tmp_path / "nowhere.npz"


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    path.write_text("this is not a model\n")
    return path


def _empty_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    path.write_bytes(b"")
    return path


def _truncated(tmp_path: Path) -> Path:
    save_model(tmp_path / "full.npz", trained_looking("seed", 850))
    data = (tmp_path / "full.npz").read_bytes()
    path = tmp_path / "model.npz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _single_npy(tmp_path: Path) -> Path:
    path = tmp_path / "model.npy"
    np.save(path, np.zeros((3, 3), dtype=np.float32))
    return path


def _zip_without_arrays(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return path


def _missing_architecture(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"architecture": None})


def _invalid_json(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"architecture": np.array('{"input_shape": [28, 28, 1], "layers": [')})


def _architecture_not_an_object(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"architecture": np.array("[1, 2, 3]")})


def _unknown_layer_type(tmp_path: Path) -> Path:
    def edit(arch: dict[str, Any]) -> None:
        arch["layers"][1] = {"type": "Bogus", "kernel_size": 2}

    return rewrite(tmp_path, {"architecture": architecture_with(tmp_path, edit)})


def _bad_layer_config(tmp_path: Path) -> Path:
    def edit(arch: dict[str, Any]) -> None:
        arch["layers"][3]["units"] = 10

    return rewrite(tmp_path, {"architecture": architecture_with(tmp_path, edit)})


def _zero_stride(tmp_path: Path) -> Path:
    def edit(arch: dict[str, Any]) -> None:
        arch["layers"][0]["stride"] = 0

    return rewrite(tmp_path, {"architecture": architecture_with(tmp_path, edit)})


def _missing_param(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"param/3.weight": None})


def _extra_array(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"param/4.weight": np.zeros((10, 10), dtype=np.float32)})


def _shape_mismatch(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"param/3.weight": np.zeros((1352, 9), dtype=np.float32)})


def _nan_weight(tmp_path: Path) -> Path:
    bias = np.zeros(10, dtype=np.float32)  # (10,)
    bias[4] = np.nan
    return rewrite(tmp_path, {"param/3.bias": bias})


def _inf_weight(tmp_path: Path) -> Path:
    weight = np.zeros((3, 3, 1, 8), dtype=np.float32)  # (k, k, C_in, C_out)
    weight[0, 1, 0, 2] = -np.inf
    return rewrite(tmp_path, {"param/0.weight": weight})


def _integer_weight(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"param/0.bias": np.arange(8)})


def _newer_version(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"format_version": np.array(FORMAT_VERSION + 1)})


def _version_not_an_integer(tmp_path: Path) -> Path:
    return rewrite(tmp_path, {"format_version": np.array("one")})


CORRUPT_CASES: list[tuple[str, Callable[[Path], Path], list[str]]] = [
    ("missing-file", _missing_file, ["not found", "nowhere.npz"]),
    ("text-file", _text_file, ["not a readable .npz"]),
    ("empty-file", _empty_file, ["not a readable .npz"]),
    ("truncated-npz", _truncated, ["not a readable .npz"]),
    ("single-npy", _single_npy, ["single .npy"]),
    ("zip-without-arrays", _zip_without_arrays, ["missing format_version, architecture"]),
    ("missing-architecture", _missing_architecture, ["missing architecture"]),
    ("invalid-json", _invalid_json, ["architecture is not valid JSON"]),
    ("architecture-not-object", _architecture_not_an_object, ["architecture must be a JSON"]),
    ("unknown-layer-type", _unknown_layer_type, ["invalid architecture", "'Bogus'"]),
    ("bad-layer-config", _bad_layer_config, ["invalid architecture", "layer 3 (Dense)"]),
    ("zero-stride", _zero_stride, ["invalid architecture", "layer 0"]),
    ("missing-param", _missing_param, ["missing param '3.weight'"]),
    ("extra-array", _extra_array, ["does not use", "param/4.weight"]),
    ("shape-mismatch", _shape_mismatch, ["'3.weight'", "(1352, 9)", "(1352, 10)"]),
    ("nan-weight", _nan_weight, ["'3.bias'", "finite"]),
    ("inf-weight", _inf_weight, ["'0.weight'", "finite"]),
    ("integer-weight", _integer_weight, ["'0.bias'", "floats"]),
    ("newer-version", _newer_version, ["newer", f"version {FORMAT_VERSION + 1}"]),
    ("version-not-an-integer", _version_not_an_integer, ["format_version"]),
]


@pytest.mark.parametrize(
    ("make_file", "fragments"),
    [(make, frags) for _, make, frags in CORRUPT_CASES],
    ids=[case_id for case_id, _, _ in CORRUPT_CASES],
)
def test_corrupt_file_raises_model_load_error(
    make_file: Callable[[Path], Path], fragments: list[str], tmp_path: Path
) -> None:
    path = make_file(tmp_path)

    with pytest.raises(ModelLoadError) as info:
        load_model(path)

    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_the_valid_base_file_loads(tmp_path: Path) -> None:
    """The control for the corrupt cases: unmodified, the same arrays load fine."""
    path = rewrite(tmp_path)
    assert load_model(path).metadata == {"v": 1}


class _Payload:
    """Unpickling this object touches a file: evidence of code execution."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def test_pickled_object_array_is_rejected_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = np.empty(1, dtype=object)  # (1,)
    payload[0] = _Payload(marker)
    path = rewrite(tmp_path, {"metadata": payload})

    with pytest.raises(ModelLoadError, match=r"not a readable \.npz"):
        load_model(path)
    assert not marker.exists()

    # Control: the payload is live, so the check above is meaningful.
    with np.load(path, allow_pickle=True) as archive:
        archive["metadata"]
    assert marker.exists()


def test_a_format_1_file_of_one_network_still_loads(tmp_path: Path) -> None:
    """Files written before ensembles (format 1) hold one network and read unchanged."""
    path = rewrite(tmp_path, {"format_version": np.array(1)})
    loaded = load_model(path)
    assert loaded.format_version == 1 and isinstance(loaded.network, Sequential)
