"""Save and load a network as a self-describing `.npz`: weights, JSON architecture, metadata.

The file holds plain arrays only (no pickles): every parameter as `param/<name>`, every saved
statistic as `state/<name>`, and three entries that describe the rest: `format_version`,
`architecture` (JSON) and `metadata` (free-form JSON). Loading checks every key and shape.
Format 2 adds ensembles: their architecture lists `members`, and their arrays are named
`param/<member>/<name>`; format 1 files (one network) read as before.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model_core.nn.ensemble import Model, model_from_architecture

FORMAT_VERSION = 2
_HEADER_KEYS = ("format_version", "architecture", "metadata")


class ModelLoadError(ValueError):
    """The model file is missing, unreadable or does not describe a valid network."""


@dataclass
class SavedModel:
    network: Model
    metadata: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION


def save_model(path: str | Path, network: Model, metadata: dict[str, Any] | None = None) -> None:
    """Write the network (or ensemble) and its metadata to `path` (an .npz file)."""
    arrays: dict[str, np.ndarray] = {
        "format_version": np.array(FORMAT_VERSION),
        "architecture": np.array(json.dumps(network.architecture())),
        "metadata": np.array(json.dumps(metadata or {}, default=str)),
    }
    arrays |= {f"param/{k}": np.asarray(v, np.float32) for k, v in network.params.items()}
    arrays |= {f"state/{k}": np.asarray(v, np.float32) for k, v in network.state.items()}
    with open(path, "wb") as f:
        np.savez(f, **arrays)  # type: ignore[arg-type]  # numpy's stub: allow_pickle


def load_model(path: str | Path) -> SavedModel:
    """Read a network saved by `save_model`; raises ModelLoadError naming what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"model file not found: {path}")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ModelLoadError(f"{path} is a single .npy array, not an .npz model archive")
        with archive:
            arrays = {key: archive[key] for key in archive.files}
    except ModelLoadError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelLoadError(f"{path} is not a readable .npz model archive: {exc}") from exc
    return _from_arrays(arrays, path)


def _from_arrays(arrays: dict[str, np.ndarray], path: Path) -> SavedModel:
    missing = [key for key in _HEADER_KEYS if key not in arrays]
    if missing:
        raise ModelLoadError(f"{path} is not a model archive: missing {', '.join(missing)}")
    try:
        version = int(arrays["format_version"])
    except (TypeError, ValueError) as exc:
        raise ModelLoadError(f"{path}: format_version is not an integer") from exc
    if version > FORMAT_VERSION:
        raise ModelLoadError(
            f"{path} has format version {version}, newer than the {FORMAT_VERSION} this code reads;"
            " upgrade cnn-digit-recognition"
        )
    architecture = _json(arrays["architecture"], "architecture", path)
    metadata = _json(arrays["metadata"], "metadata", path)
    try:
        network = model_from_architecture(architecture)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"{path}: invalid architecture: {exc}") from exc
    _fill(network.params, arrays, "param", path)
    _fill(network.state, arrays, "state", path)
    expected = {f"param/{k}" for k in network.params} | {f"state/{k}" for k in network.state}
    unexpected = sorted(set(arrays) - expected - set(_HEADER_KEYS))
    if unexpected:
        raise ModelLoadError(f"{path}: arrays the architecture does not use: {unexpected}")
    return SavedModel(network, metadata, version)


def _json(value: np.ndarray, name: str, path: Path) -> dict[str, Any]:
    try:
        decoded = json.loads(str(value))
    except json.JSONDecodeError as exc:
        raise ModelLoadError(f"{path}: {name} is not valid JSON: {exc}") from exc
    if not isinstance(decoded, dict):
        raise ModelLoadError(f"{path}: {name} must be a JSON object")
    return decoded


def _fill(
    targets: dict[str, np.ndarray], arrays: dict[str, np.ndarray], kind: str, path: Path
) -> None:
    """Copy saved arrays into the network's own arrays, checking each key, shape and value."""
    for name, target in targets.items():
        key = f"{kind}/{name}"
        if key not in arrays:
            raise ModelLoadError(f"{path}: missing {kind} '{name}'")
        saved = arrays[key]
        if saved.shape != target.shape:
            raise ModelLoadError(
                f"{path}: {kind} '{name}' has shape {saved.shape},"
                f" the architecture needs {target.shape}"
            )
        if not np.issubdtype(saved.dtype, np.floating) or not np.all(np.isfinite(saved)):
            raise ModelLoadError(f"{path}: {kind} '{name}' must hold finite floats")
        target[...] = saved
