"""Tests for classifier.py: a saved model's own input description is honoured."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from model_core.nn.presets import build
from model_core.nn.serialization import ModelLoadError, save_model
from model_core.preprocessing import to_model_input


def _slanted_digits(rng: np.random.Generator) -> np.ndarray:
    """Four leaning bars of different slopes, (4, 28, 28) in [0, 1]."""
    ys, xs = np.mgrid[0:28, 0:28].astype(np.float32)
    bars = [np.clip(1.5 - np.abs(xs - 13.5 - s * (ys - 13.5)), 0, 1) for s in (-0.5, 0.3, 0.6)]
    return np.stack([*bars, rng.random((28, 28), dtype=np.float32)])


@pytest.mark.parametrize("deskew", [False, True])
def test_the_classifier_feeds_the_network_what_it_was_trained_on(
    tmp_path: Path, deskew: bool
) -> None:
    rng = np.random.default_rng(0)
    net = build("seed", rng)
    save_model(tmp_path / "m.npz", net, {"preset": "seed", "input": {"deskew": deskew}})
    classifier = DigitClassifier.load(tmp_path / "m.npz")
    assert classifier.deskew is deskew
    images = _slanted_digits(rng)
    got = classifier.probabilities(images)
    expected = net.predict_proba(to_model_input(images, deskew=deskew))
    other = net.predict_proba(to_model_input(images, deskew=not deskew))
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert np.abs(got - other).max() > 1e-3


def test_a_model_with_unknown_input_options_is_refused(tmp_path: Path) -> None:
    save_model(tmp_path / "m.npz", build("seed", np.random.default_rng(0)), {"input": {"x": 1}})
    with pytest.raises(ModelLoadError, match="unknown options"):
        DigitClassifier.load(tmp_path / "m.npz")
