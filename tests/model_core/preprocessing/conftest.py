"""Fixtures for the preprocessing tests: real MNIST test digits, skipped where absent."""

from __future__ import annotations

import numpy as np
import pytest

from tests.model_core.preprocessing.helpers import QUALITY_SAMPLES, T10K_IMAGES, t10k_images


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    """The first QUALITY_SAMPLES real MNIST test digits, (N, 28, 28) uint8 white on black."""
    if not T10K_IMAGES.is_file():
        pytest.skip(f"real MNIST test images not found at {T10K_IMAGES}")
    return t10k_images()[:QUALITY_SAMPLES]


@pytest.fixture(scope="module")
def digit(digits: np.ndarray) -> np.ndarray:
    return digits[0]  # (28, 28) a "7"
