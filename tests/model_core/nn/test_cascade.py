"""The cascade: the first member alone where it is sure, the ensemble's mean elsewhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from model_core.nn.cascade import Cascade, cascade_from_metadata
from model_core.nn.serialization import ModelLoadError, save_model
from model_core.preprocessing import to_model_input
from tests.model_core.nn.test_ensemble import batch, small_ensemble


def test_the_first_member_answers_where_sure_the_mean_elsewhere() -> None:
    ensemble, x = small_ensemble(), batch(count=12)
    first = ensemble.members[0].predict_proba(x)  # (12, 10)
    sure = float(np.median(first.max(axis=1)))  # half the images each way

    got = Cascade(ensemble, sure).predict_proba(x)  # (12, 10)

    alone = first.max(axis=1) >= sure  # (12,)
    assert 0 < alone.sum() < len(x)
    np.testing.assert_allclose(got[alone], first[alone], atol=1e-7)
    np.testing.assert_allclose(got[~alone], ensemble.predict_proba(x)[~alone], atol=1e-6)
    assert not np.allclose(got, ensemble.predict_proba(x), atol=1e-4)


def test_a_cascade_finishes_from_its_first_members_probabilities() -> None:
    ensemble, x = small_ensemble(), batch(count=12)
    first = ensemble.members[0].predict_proba(x)  # (12, 10)
    cascade = Cascade(ensemble, float(np.median(first.max(axis=1))))
    known = first.copy()

    np.testing.assert_allclose(cascade.finish(x, known), cascade.predict_proba(x), atol=1e-6)
    np.testing.assert_array_equal(known, first)  # the caller's probabilities untouched
    sure = Cascade(ensemble, 1e-3)  # every image answered by the given probabilities alone
    given = np.full_like(first, 0.1)  # (12, 10)
    np.testing.assert_array_equal(sure.finish(x, given), given)


def test_a_cascade_never_sure_is_the_ensemble() -> None:
    ensemble, x = small_ensemble(), batch()

    np.testing.assert_allclose(
        Cascade(ensemble, 1.0).predict_proba(x), ensemble.predict_proba(x), atol=1e-6
    )


@pytest.mark.parametrize("sure", [0.0, -0.5, 1.5])
def test_sure_must_be_a_probability_above_zero(sure: float) -> None:
    with pytest.raises(ValueError, match="sure"):
        Cascade(small_ensemble(2), sure)


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [({}, None), ({"cascade": {"sure": 0.7}}, 0.7), ({"cascade": {"sure": 1}}, 1.0)],
)
def test_metadata_names_the_cascade(metadata: dict[str, object], expected: float | None) -> None:
    assert cascade_from_metadata(metadata) == expected


@pytest.mark.parametrize(
    "entry", [0.7, {"sure": "0.7"}, {"sure": True}, {"sure": 0}, {"sure": 2.0}, {}]
)
def test_a_malformed_cascade_is_refused(entry: object) -> None:
    with pytest.raises(ValueError, match="cascade"):
        cascade_from_metadata({"cascade": entry})


def test_the_classifier_runs_the_cascade_unless_told_otherwise(tmp_path: Path) -> None:
    ensemble, images = small_ensemble(), batch(count=12)[..., 0]  # (12, 28, 28)
    x = to_model_input(images)  # (12, 28, 28, 1), as the classifier feeds its network
    sure = float(np.median(ensemble.members[0].predict_proba(x).max(axis=1)))
    path = tmp_path / "cascade.npz"
    save_model(path, ensemble, {"cascade": {"sure": sure}})

    cascaded = DigitClassifier.load(path)
    full = DigitClassifier.load(path, full_ensemble=True)

    assert cascaded.cascade is not None and cascaded.cascade.sure == sure
    assert full.cascade is None
    expected = Cascade(ensemble, sure).predict_proba(x)
    np.testing.assert_allclose(cascaded.probabilities(images), expected, atol=1e-5)
    np.testing.assert_allclose(full.probabilities(images), ensemble.predict_proba(x), atol=1e-5)
    first = ensemble.members[0].predict_proba(x)  # what scores a number's candidates
    np.testing.assert_allclose(cascaded.screen(images), first, atol=1e-5)
    np.testing.assert_allclose(cascaded.finish(images, first), expected, atol=1e-5)
    with pytest.raises(ValueError, match="cascade"):
        full.screen(images)
    with pytest.raises(ValueError, match="cascade"):
        full.finish(images, first)


def test_a_single_network_ignores_a_cascade(tmp_path: Path) -> None:
    network = small_ensemble(2).members[0]
    path = tmp_path / "one.npz"
    save_model(path, network, {"cascade": {"sure": 0.5}})

    assert DigitClassifier.load(path).cascade is None


def test_a_model_with_a_malformed_cascade_does_not_load(tmp_path: Path) -> None:
    path = tmp_path / "bad.npz"
    save_model(path, small_ensemble(2), {"cascade": {"sure": "high"}})

    with pytest.raises(ModelLoadError, match="cascade"):
        DigitClassifier.load(path)


def test_an_empty_batch_reads_as_no_probabilities() -> None:
    ensemble = small_ensemble()
    empty = np.zeros((0, 28, 28, 1), dtype=np.float32)

    for model in (ensemble.members[0], ensemble, Cascade(ensemble, 0.5)):
        assert model.predict_proba(empty).shape == (0, 10)
