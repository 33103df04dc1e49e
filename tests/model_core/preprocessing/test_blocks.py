"""Tests for blocks.py: block reduction against Pillow's reduce."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from model_core.preprocessing.blocks import reduce_image


@pytest.mark.parametrize("shape", [(280, 280), (5, 7), (301, 452), (1, 9), (157, 3), (13, 13)])
@pytest.mark.parametrize("factor", [2, 3, 7, 13])
def test_reduce_image_matches_pillow_reduce_edges_included(
    shape: tuple[int, int], factor: int
) -> None:
    image = np.random.default_rng(factor).random(shape, dtype=np.float32)  # (H, W)
    expected = np.asarray(Image.fromarray(image).reduce(factor))  # partial edge blocks averaged
    reduced = reduce_image(image, factor)
    assert reduced.dtype == np.float32
    assert reduced.shape == (-(-shape[0] // factor), -(-shape[1] // factor))
    np.testing.assert_allclose(reduced, expected, atol=1e-5)


def test_reduce_image_by_one_is_the_image_itself() -> None:
    image = np.random.default_rng(0).random((9, 4), dtype=np.float32)
    assert reduce_image(image, 1) is image
