"""Where the repository and the files the container checks need are, on this machine."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL_FILE = "trained_cnn_model.npz"
MNIST_DIR = REPO_ROOT.parent / "shared" / "data" / "mnist"
