"""The array kernels under normalisation, against plain references: block reduction, the
8-neighbour count and paper removal."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from model_core.preprocessing.background import Background
from model_core.preprocessing.blocks import reduce_box
from model_core.preprocessing.normalize import _neighbours


@pytest.mark.parametrize("shape", [(280, 280), (5, 7), (301, 452), (1, 9), (157, 3), (13, 13)])
@pytest.mark.parametrize("factor", [2, 3, 7, 13])
def test_reduce_box_matches_pillow_reduce_edges_included(
    shape: tuple[int, int], factor: int
) -> None:
    image = np.random.default_rng(factor).random(shape, dtype=np.float32)  # (H, W)
    expected = np.asarray(Image.fromarray(image).reduce(factor))  # partial edge blocks averaged
    reduced = reduce_box(image, factor)
    assert reduced.dtype == np.float32
    assert reduced.shape == (-(-shape[0] // factor), -(-shape[1] // factor))
    np.testing.assert_allclose(reduced, expected, atol=1e-5)


def test_reduce_box_by_one_is_the_image_itself() -> None:
    image = np.random.default_rng(0).random((9, 4), dtype=np.float32)
    assert reduce_box(image, 1) is image


@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (6, 1), (7, 3), (64, 50)])
def test_neighbours_counts_the_eight_around_each_pixel(shape: tuple[int, int]) -> None:
    mask = np.random.default_rng(sum(shape)).random(shape) < 0.4  # (H, W)
    height, width = shape
    expected = np.zeros(shape, dtype=int)
    for row in range(height):
        for column in range(width):
            window = mask[max(row - 1, 0) : row + 2, max(column - 1, 0) : column + 2]
            expected[row, column] = window.sum() - mask[row, column]
    counts = _neighbours(mask)
    assert counts.dtype == np.uint8
    np.testing.assert_array_equal(counts, expected)


@pytest.mark.parametrize(
    "coefficients",
    [[0.3, 0, 0, 0, 0, 0], [0.3, 0.1, -0.05, 0.02, 0.01, -0.03]],
    ids=["flat", "quadratic"],
)
def test_background_remove_subtracts_the_rendered_paper(coefficients: list[float]) -> None:
    background = Background(np.array(coefficients), size=(120, 90))
    image = np.random.default_rng(1).random((30, 20), dtype=np.float32)  # factor 3, from (12, 6)
    expected = image - background.render(12, 6, image.shape, 3)
    removed = background.remove(image, 12, 6, 3)
    assert removed.dtype == np.float32
    np.testing.assert_allclose(removed, expected, atol=1e-6)
