"""Helpers shared by the preprocessing tests: real MNIST digits, ink pages, PNG building."""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

from model_core.data.mnist import load_mnist
from model_core.preprocessing import PreprocessResult
from tests.samples import MNIST_DIR
from tests.upload_styles import encode

T10K_IMAGES = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
QUALITY_SAMPLES = 200
SEED = 20240611


@cache
def t10k_images() -> np.ndarray:
    """(N, 28, 28) uint8 test images, read with the project's IDX loader."""
    return load_mnist(MNIST_DIR, "test")[0]


def ink_page(digit: np.ndarray, scale: int = 10) -> np.ndarray:
    """(28*scale, 28*scale) uint8: the digit upscaled, black ink on white paper."""
    big = np.asarray(Image.fromarray(digit).resize((28 * scale,) * 2, Image.Resampling.BICUBIC))
    return 255 - big


def correlation(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.corrcoef(first.ravel(), second.ravel())[0, 1])


def png(array: np.ndarray) -> bytes:
    return encode(Image.fromarray(array), "PNG")


def assert_valid(result: PreprocessResult) -> None:
    assert result.image.shape == (28, 28)
    assert result.image.dtype == np.float32
    assert np.isfinite(result.image).all()
    assert result.image.min() >= 0.0 and result.image.max() <= 1.0
    left, top, right, bottom = result.bbox
    assert 0 <= left < right <= result.width and 0 <= top < bottom <= result.height
