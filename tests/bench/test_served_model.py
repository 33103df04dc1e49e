from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.served_model import measure
from model_core.classifier import DigitClassifier
from model_core.nn.serialization import save_model
from model_core.preprocessing import preprocess_array, to_model_input
from tests.model_core.nn.test_ensemble import small_ensemble


def digits(count: int = 12) -> np.ndarray:
    """(count, 28, 28) uint8 images: two random blocks of ink each."""
    rng = np.random.default_rng(5)
    images = np.zeros((count, 28, 28), np.uint8)
    for image in images:
        for _ in range(2):
            top, left = rng.integers(4, 14, 2)
            image[top : top + rng.integers(4, 10), left : left + rng.integers(3, 10)] = 255
    return images


def test_served_model_times_the_three_ways_and_counts_the_escalated(tmp_path: Path) -> None:
    ensemble, images = small_ensemble(), digits()
    x = to_model_input(np.stack([preprocess_array(image).image for image in images]))
    top = ensemble.members[0].predict_proba(x).max(axis=1)  # (12,)
    sure = float(np.sort(top)[5:7].mean())  # half the images each side
    path = tmp_path / "cascade.npz"
    save_model(path, ensemble, {"cascade": {"sure": sure}})

    figures = measure(str(path), images, rounds=1)

    assert figures["images"] == 12 and figures["sure"] == sure
    assert figures["escalated"] == round(float((top < sure).mean()), 4) == 0.5
    for name in ("cascade_us", "full_ensemble_us", "first_network_us"):
        assert float(figures[name]) > 0
    ratio = float(figures["cascade_us"]) / float(figures["full_ensemble_us"])
    assert figures["cascade_over_full"] == pytest.approx(ratio, abs=2e-3)
    assert DigitClassifier.load(path).cascade is not None


def test_served_model_refuses_a_model_without_a_cascade(tmp_path: Path) -> None:
    path = tmp_path / "plain.npz"
    save_model(path, small_ensemble(2), {})
    with pytest.raises(SystemExit, match="cascade"):
        measure(str(path), digits(2), rounds=1)
