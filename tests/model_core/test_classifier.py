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


def _classifier_with(tmp_path: Path, metadata: dict[str, object]) -> DigitClassifier:
    save_model(tmp_path / "m.npz", build("seed", np.random.default_rng(0)), metadata)
    return DigitClassifier.load(tmp_path / "m.npz")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"score": "max_probability", "threshold": 2}, r"threshold must be in \[0, 1\]"),
        ({"score": "energy", "threshold": 0.5}, "unknown score"),
        ("max_probability", "must be an object"),
    ],
)
def test_a_model_with_a_malformed_rule_is_refused(
    tmp_path: Path, entry: object, message: str
) -> None:
    with pytest.raises(ModelLoadError, match=f"metadata is invalid: .*{message}"):
        _classifier_with(tmp_path, {"preset": "seed", "not_a_digit": entry})


def _uploads() -> list[np.ndarray]:
    """Four (28, 28) uint8 images, as an upload decodes: three leaning bars and a cross."""
    bars = _slanted_digits(np.random.default_rng(5))[:3]  # (3, 28, 28)
    cross = np.zeros((28, 28))
    cross[4:24, 12:16] = cross[12:16, 4:24] = 1
    return [(image * 255).astype(np.uint8) for image in [*bars, cross]]


def test_without_a_rule_every_image_is_a_digit(tmp_path: Path) -> None:
    classifier = _classifier_with(tmp_path, {"preset": "seed"})
    assert classifier.rule is None
    flat = np.full((3, 10), 0.1)  # (3, 10): as unsure as can be
    assert classifier.is_digit(flat, np.zeros((3, 28, 28))).tolist() == [True, True, True]
    assert all(prediction.is_digit for prediction in classifier.predict_many(_uploads()))


def test_each_prediction_is_a_digit_by_the_models_rule(tmp_path: Path) -> None:
    """A threshold between the readings' confidences flags exactly those below it."""
    images = _uploads()
    plain = _classifier_with(tmp_path, {"preset": "seed"}).predict_many(images)
    confidences = sorted(p.confidence for p in plain)
    assert confidences[1] < confidences[2]
    threshold = (confidences[1] + confidences[2]) / 2
    rule = {"score": "max_probability", "threshold": threshold, "validation": {"auroc": 0.9}}
    classifier = _classifier_with(tmp_path, {"preset": "seed", "not_a_digit": rule})
    assert classifier.rule is not None and classifier.rule.threshold == threshold
    predictions = classifier.predict_many(images)
    assert [p.is_digit for p in predictions] == [p.confidence >= threshold for p in plain]
    assert sum(p.is_digit for p in predictions) == 2
    assert [p.probabilities for p in predictions] == [p.probabilities for p in plain]
    probabilities = np.array([p.probabilities for p in predictions])  # (4, 10)
    images = np.stack([p.preprocessing.image for p in predictions])  # (4, 28, 28)
    flags = classifier.is_digit(probabilities, images)
    assert flags.tolist() == [p.is_digit for p in predictions]


def test_ink_far_wider_than_tall_is_not_a_digit(tmp_path: Path) -> None:
    """With a shape test, a dash is flagged though the threshold flags nothing; the leaning
    bars and the cross, taller than wide or square, are digits."""
    dash = np.zeros((28, 28), dtype=np.uint8)
    dash[12:16, 2:26] = 255  # 4 rows by 24 columns
    rule = {"score": "max_probability", "threshold": 0.0, "min_aspect": 0.4}
    classifier = _classifier_with(tmp_path, {"preset": "seed", "not_a_digit": rule})
    predictions = classifier.predict_many([*_uploads(), dash])
    assert [p.is_digit for p in predictions] == [True, True, True, True, False]
