"""Tests for stats.py: the robust statistics the stages share."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.preprocessing.stats import border, median, paper_and_noise, spread, tenths


@pytest.mark.parametrize("ink_share", [0.0, 0.3, 0.55])
def test_paper_and_noise_ignore_the_ink_on_the_edge(ink_share: float) -> None:
    rng = np.random.default_rng(4)
    values = 0.2 + 0.02 * rng.standard_normal(4000, dtype=np.float32)  # paper 0.2, sigma 0.02
    inked = rng.random(4000) < ink_share
    values[inked] += rng.uniform(0.1, 0.8, int(inked.sum())).astype(np.float32)  # ink raises
    paper, sigma = paper_and_noise(values)
    assert paper == pytest.approx(0.2, abs=0.01)
    assert sigma == pytest.approx(0.02, rel=0.3)


def test_median_and_tenths_take_the_nearest_ranks() -> None:
    values = np.arange(20, dtype=np.float32)[::-1].copy()  # 19 .. 0
    assert median(values) == 10.0  # the upper one of an even count
    assert tenths(values) == (2.0, 10.0, 17.0)
    assert median(values) == float(np.sort(values)[10])  # the input order does not matter


def test_spread_is_the_standard_deviation_of_a_normal_despite_outliers() -> None:
    values = np.random.default_rng(5).normal(0.5, 0.1, 20_000).astype(np.float32)
    values[:2000] = 1.0  # a tenth of strokes
    assert spread(values) == pytest.approx(0.1, rel=0.2)
    assert spread(values) < 0.7 * float(np.std(values))  # the plain deviation is pulled up


def test_border_is_the_outer_ring_a_thirty_second_of_the_short_side_wide() -> None:
    image = np.zeros((64, 96), dtype=np.float32)
    image[2:-2, 2:-2] = 1.0  # inside a ring 2 px wide
    ring = border(image)
    assert ring.shape == (2 * (2 * 96 + 2 * 64),) and not ring.any()
