"""Fixtures shared by the whole suite: real MNIST (skipped only where it is truly absent),
a digit PNG, a blank PNG, a tiny random model, number verifier and sequence reader on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.samples import (
    MNIST_DIR,
    digit_array,
    png_bytes,
    write_tiny_model,
    write_tiny_sequence_reader,
    write_tiny_verifier,
)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    if not (MNIST_DIR / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"real MNIST data not found at {MNIST_DIR}")
    return MNIST_DIR


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised `seed` network saved like a trained one (the API contract only)."""
    return write_tiny_model(tmp_path_factory.mktemp("model") / "tiny.npz")


@pytest.fixture(scope="session")
def tiny_verifier_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised number verifier saved like a trained one (the file contract)."""
    return write_tiny_verifier(tmp_path_factory.mktemp("verifier") / "tiny_verifier.npz")


@pytest.fixture(scope="session")
def tiny_sequence_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised sequence reader saved like a trained one (the file contract)."""
    return write_tiny_sequence_reader(tmp_path_factory.mktemp("sequence") / "tiny_sequence.npz")


@pytest.fixture
def digit_png() -> bytes:
    """A 28x28 PNG of a stroke, white on black, that preprocessing reads as a digit."""
    return png_bytes(digit_array())


@pytest.fixture
def blank_png() -> bytes:
    return png_bytes(np.full((28, 28), 255, dtype=np.uint8))
