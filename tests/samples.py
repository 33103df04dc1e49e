"""Test data shared across the suite: a digit PNG, bars read as a number, a tiny random model
and a random number verifier, made here."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from model_core.nn.presets import build
from model_core.nn.serialization import save_model
from model_core.number.sequence import build_sequence_reader
from model_core.number.verifier import build_verifier, verifier_metadata

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
TINY_VERIFIER_FACTS: dict[str, object] = {"val_accuracy": 0.12, "numbers": 40, "epochs": 1}
TINY_SEQUENCE_FACTS: dict[str, object] = {
    "kind": "sequence_reader",
    "val_exact": 0.05,
    "numbers": 30,
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


def eight_by_eight(digit: np.ndarray) -> np.ndarray:
    """A 28x28 uint8 white-on-black digit as scikit-learn's digits data set stores its own:
    the ink's box fitted to a 32x32 bitmap, each pixel of the (8, 8) result counting the ink
    of a 4x4 block (0 to 16), shown on 0 to 255. Strokes are about a pixel wide."""
    rows = np.flatnonzero(digit.max(axis=1) > 30)
    cols = np.flatnonzero(digit.max(axis=0) > 30)
    ink = Image.fromarray(digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1])
    scale = 32 / max(ink.size)
    size = (max(1, round(ink.width * scale)), max(1, round(ink.height * scale)))
    fitted = np.asarray(ink.resize(size, Image.Resampling.BILINEAR)) > 127  # (h, w) bool
    bitmap = np.zeros((32, 32), dtype=np.float32)
    top, left = (32 - size[1]) // 2, (32 - size[0]) // 2
    bitmap[top : top + size[1], left : left + size[0]] = fitted
    counts = bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3))  # (8, 8) 0 to 16
    return np.round(counts * 255 / 16).astype(np.uint8)


def bars_array(count: int, height: int = 40, gap: int = 30) -> np.ndarray:
    """(height, 20 + count * (6 + gap)) uint8: `count` dark vertical bars on white, 6 px wide
    and `gap` px apart, bar i at columns 10 + i * (6 + gap) onwards, rows 5 .. height - 5: a
    number of `count` digits to the segmentation, whatever a model reads in each. Each bar's
    corners are rounded off as a pen's ends are: square ones are printed bars, a barcode
    (model_core/number/bars.py)."""
    page = np.full((height, 20 + count * (6 + gap)), 255, dtype=np.uint8)
    for index in range(count):
        left = 10 + index * (6 + gap)
        page[5 : height - 5, left : left + 6] = 0
        for row in (5, height - 6):
            page[row, [left, left + 1, left + 4, left + 5]] = 255  # a pen's round ends
    return page


def write_tiny_model(path: Path, metadata: dict[str, object] | None = None, seed: int = 0) -> Path:
    """A randomly initialised `seed` network saved like a trained one (the file contract only)."""
    save_model(path, build("seed", np.random.default_rng(seed)), metadata or TINY_METADATA)
    return path


def write_tiny_verifier(path: Path, seed: int = 0) -> Path:
    """A randomly initialised number verifier saved like a trained one (the file contract only:
    what it says of a candidate is noise)."""
    network = build_verifier(np.random.default_rng(seed))
    save_model(path, network, verifier_metadata(**TINY_VERIFIER_FACTS))
    return path


def write_tiny_sequence_reader(path: Path, seed: int = 0) -> Path:
    """A randomly initialised sequence reader saved like a trained one (the file contract)."""
    save_model(path, build_sequence_reader(np.random.default_rng(seed)), TINY_SEQUENCE_FACTS)
    return path
