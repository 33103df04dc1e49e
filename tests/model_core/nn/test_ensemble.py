"""Ensembles: averaged probabilities, names, a strict file format and folded inference."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from model_core.nn.ensemble import Ensemble, members_of, model_from_architecture
from model_core.nn.folding import inference_model
from model_core.nn.layers import BatchNorm, Dense, Flatten
from model_core.nn.network import Sequential
from model_core.nn.serialization import FORMAT_VERSION, ModelLoadError, load_model, save_model
from model_core.preprocessing import to_model_input
from tests.model_core.nn.saved import rewrite, trained_looking


def small_ensemble(count: int = 3, seed: int = 900) -> Ensemble:
    return Ensemble(trained_looking("lenet_bn", seed + i) for i in range(count))


def batch(seed: int = 901, count: int = 6) -> np.ndarray:
    return np.random.default_rng(seed).random((count, 28, 28, 1)).astype(np.float32)


def test_probabilities_are_the_mean_of_the_members() -> None:
    ensemble, x = small_ensemble(), batch()

    each = [member.predict_proba(x) for member in ensemble.members]  # 3 x (N, 10)

    np.testing.assert_allclose(ensemble.predict_proba(x), np.mean(each, axis=0), atol=1e-7)
    np.testing.assert_allclose(ensemble.predict_proba(x).sum(axis=1), 1.0, atol=1e-6)
    assert not np.allclose(each[0], each[1])  # the members differ, so the mean is not trivial
    np.testing.assert_array_equal(ensemble.predict(x), ensemble.predict_proba(x).argmax(axis=1))


def test_parameters_are_named_by_member_and_counted() -> None:
    ensemble = small_ensemble(2)
    single = ensemble.members[0]

    assert set(ensemble.params) == {f"{i}/{k}" for i in (0, 1) for k in single.params}
    assert set(ensemble.state) == {f"{i}/{k}" for i in (0, 1) for k in single.state}
    assert ensemble.params["1/0.weight"] is ensemble.members[1].params["0.weight"]
    assert ensemble.num_params() == 2 * single.num_params()
    assert (ensemble.input_shape, ensemble.output_shape) == ((28, 28, 1), (10,))
    assert (
        "Member 1 of 2" in ensemble.summary()
        and f"{2 * single.num_params():,}" in (ensemble.summary().splitlines()[-1])
    )


def test_members_must_agree_on_shapes() -> None:
    rng = np.random.default_rng(902)
    ten = trained_looking("seed", 903)
    five = Sequential([Flatten(), Dense(784, 5, rng=rng)], (28, 28, 1))

    with pytest.raises(ValueError, match="member 1 maps"):
        Ensemble([ten, five])
    with pytest.raises(ValueError, match="at least two"):
        Ensemble([ten])


def test_round_trip_is_exact(tmp_path: Path) -> None:
    ensemble, x = small_ensemble(), batch()
    path = tmp_path / "ensemble.npz"

    save_model(path, ensemble, {"preset": "lenet_bn"})
    loaded = load_model(path)

    assert isinstance(loaded.network, Ensemble)
    assert loaded.format_version == FORMAT_VERSION
    assert loaded.network.architecture() == ensemble.architecture()
    np.testing.assert_array_equal(loaded.network.predict_proba(x), ensemble.predict_proba(x))
    with np.load(path, allow_pickle=False) as archive:
        assert {k for k in archive.files if k.startswith("param/")} == {
            f"param/{k}" for k in ensemble.params
        }


def rewritten(tmp_path: Path, changes: dict[str, np.ndarray | None]) -> Path:
    """A saved two-member ensemble with arrays replaced, added, or deleted (None)."""
    return rewrite(tmp_path, changes, small_ensemble(2))


def test_a_missing_member_weight_is_named(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=re.escape("missing param '1/0.weight'")):
        load_model(rewritten(tmp_path, {"param/1/0.weight": None}))


def test_a_member_weight_of_the_wrong_shape_is_named(tmp_path: Path) -> None:
    wrong = np.zeros((3, 3, 1, 31), np.float32)
    with pytest.raises(ModelLoadError, match=re.escape("'1/0.weight' has shape")):
        load_model(rewritten(tmp_path, {"param/1/0.weight": wrong}))


def test_arrays_of_a_member_the_architecture_lacks_are_refused(tmp_path: Path) -> None:
    extra = np.zeros(10, np.float32)
    with pytest.raises(ModelLoadError, match=re.escape("param/2/0.bias")):
        load_model(rewritten(tmp_path, {"param/2/0.bias": extra}))


@pytest.mark.parametrize(
    ("members", "fragment"),
    [("one", "members must be a list"), ([], "at least two")],
)
def test_a_bad_members_list_is_refused(tmp_path: Path, members: object, fragment: str) -> None:
    architecture = {"input_shape": [28, 28, 1], "members": members}
    path = rewritten(tmp_path, {"architecture": np.array(json.dumps(architecture))})

    with pytest.raises(ModelLoadError, match=fragment):
        load_model(path)


def test_the_outer_input_shape_must_match_the_members() -> None:
    architecture = small_ensemble(2).architecture() | {"input_shape": [32, 32, 1]}

    with pytest.raises(ValueError, match="input_shape"):
        model_from_architecture(architecture)


def test_inference_copy_folds_every_member_and_keeps_the_outputs() -> None:
    ensemble, x = small_ensemble(), batch()

    runner = inference_model(ensemble)

    assert isinstance(runner, Ensemble) and len(runner.members) == 3
    assert not any(isinstance(layer, BatchNorm) for m in runner.members for layer in m.layers)
    np.testing.assert_allclose(runner.predict_proba(x), ensemble.predict_proba(x), atol=2e-6)


def test_members_of_a_single_network_is_itself() -> None:
    single = trained_looking("seed", 904)
    ensemble = small_ensemble(2)

    assert members_of(single) == [single]
    assert members_of(ensemble) == ensemble.members


def test_classifier_serves_an_ensemble_file(tmp_path: Path) -> None:
    ensemble = small_ensemble()
    path = tmp_path / "ensemble.npz"
    save_model(path, ensemble, {"preset": "lenet_bn"})
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255  # a "1"

    classifier = DigitClassifier.load(path)
    probs = classifier.probabilities(digit[np.newaxis])  # (1, 10)

    expected = ensemble.predict_proba(to_model_input(digit))  # (1, 10)
    np.testing.assert_allclose(probs, expected, atol=2e-6)
    assert classifier.network.num_params() == ensemble.num_params()
