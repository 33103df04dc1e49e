"""Test data shared across the suite: a digit PNG and a tiny random model, made here."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from model_core.nn.presets import build
from model_core.nn.serialization import save_model

ROOT = Path(__file__).resolve().parents[1]  # the checkout
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"  # real MNIST, where this workplace keeps it
TINY_METADATA: dict[str, object] = {
    "preset": "seed",
    "hyperparameters": {"epochs": 1, "lr": 0.003},
    "history": [{"epoch": 1, "train_loss": 2.1, "val_acc": 0.31}],
    "val_accuracy": 0.31,
    "test_accuracy": 0.3,
    "test_size": 100,
    "train_seconds": 1.5,
    "date": "2026-11-20T10:00:00+00:00",
}


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


def write_tiny_model(path: Path, metadata: dict[str, object] | None = None, seed: int = 0) -> Path:
    """A randomly initialised `seed` network saved like a trained one (the file contract only)."""
    save_model(path, build("seed", np.random.default_rng(seed)), metadata or TINY_METADATA)
    return path
