"""The MNIST training digits that numbers for the number networks are laid out from.

The verifier and the sequence reader learn on numbers of most writers and are validated on
numbers of the others: the blocked split that holds whole writers out of the digit network's
validation (model_core/data/splits.py). The test files are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model_core.data.mnist import load_mnist
from model_core.data.splits import blocked_split


@dataclass(frozen=True)
class Writers:
    """Digits and labels of the writers to learn from, and of those held out to validate."""

    train: tuple[np.ndarray, np.ndarray]  # (N, 28, 28) uint8, (N,)
    val: tuple[np.ndarray, np.ndarray]  # (M, 28, 28) uint8, (M,)


def writers_apart(data_dir: Path, rng: np.random.Generator) -> Writers:
    """The training files of `data_dir`, a tenth of the writers held out (`rng` draws which)."""
    images, labels = load_mnist(data_dir, "train")
    train_idx, val_idx = blocked_split(len(labels), 0.1, rng)
    return Writers((images[train_idx], labels[train_idx]), (images[val_idx], labels[val_idx]))
