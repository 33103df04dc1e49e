"""A saved-looking network, and valid saved files to corrupt, for the serialization tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model_core.nn import presets
from model_core.nn.ensemble import Model
from model_core.nn.network import Sequential
from model_core.nn.serialization import save_model


def trained_looking(name: str, seed: int) -> Sequential:
    """A preset with every parameter and statistic non-trivial (biases are zero at init)."""
    rng = np.random.default_rng(seed)
    net = presets.build(name, rng)
    for key, p in net.params.items():
        if p.ndim == 1:  # biases, BatchNorm gamma / beta
            p[:] = (
                rng.uniform(0.5, 1.5, p.shape)
                if key.endswith("gamma")
                else rng.normal(0, 0.1, p.shape)
            )
    net.forward(rng.random((4, 28, 28, 1)).astype(np.float32), training=True)  # running stats
    return net


def valid_arrays(tmp_path: Path, model: Model | None = None) -> dict[str, np.ndarray]:
    """The arrays of a valid saved model: by default "seed" (Conv2D(1, 8, 3), MaxPool,
    Flatten, Dense)."""
    save_model(tmp_path / "valid.npz", model or trained_looking("seed", 840), {"v": 1})
    with np.load(tmp_path / "valid.npz") as archive:
        return {key: archive[key] for key in archive.files}


def rewrite(
    tmp_path: Path, changes: dict[str, np.ndarray | None] | None = None, model: Model | None = None
) -> Path:
    """A copy of a valid saved model with arrays replaced, added, or deleted (None)."""
    arrays = valid_arrays(tmp_path, model)
    for key, value in (changes or {}).items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    path = tmp_path / "corrupt.npz"
    np.savez(path, **arrays)
    return path
