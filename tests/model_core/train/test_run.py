"""train_model from Python: the split, one network or an ensemble, and the metadata."""

from __future__ import annotations

import json

import numpy as np

from model_core.nn.ensemble import Ensemble
from model_core.nn.network import Sequential
from model_core.preprocessing import to_model_input
from model_core.rejection import MIN_ASPECT
from model_core.train.config import default_config
from model_core.train.loop import exposure_set, step_threads
from model_core.train.run import train_model


def strokes(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n 28x28 uint8 images of two easy classes: a vertical (0) or a horizontal (1) bar."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = np.zeros((n, 28, 28), np.uint8)
    for image, label, at in zip(images, labels, rng.integers(8, 20, n), strict=True):
        if label:
            image[at : at + 3, 6:22] = 255
        else:
            image[6:22, at : at + 3] = 255
    return images, labels


def test_a_single_network_run_is_described_in_strict_json_metadata() -> None:
    images, labels = strokes(200)
    config = default_config("seed", epochs=2, val_fraction=0.2, augment=False)
    run = train_model(config, images, labels)
    assert isinstance(run.model, Sequential)
    assert (len(run.train[1]), len(run.val[1])) == (160, 40)
    assert run.val_accuracy is not None and run.val_accuracy > 0.9  # an easy task
    meta = json.loads(json.dumps(run.metadata(), allow_nan=False))
    assert meta["hyperparameters"] == json.loads(json.dumps(config.__dict__))
    assert [h["epoch"] for h in meta["history"]] == [1, 2] and meta["best_epoch"] in (1, 2)
    assert (meta["train_size"], meta["val_size"], meta["interrupted"]) == (160, 40, False)


def test_members_make_an_ensemble_whose_first_member_is_the_single_network() -> None:
    images, labels = strokes(120)
    single = train_model(default_config("seed", epochs=1), images, labels).model
    pair = train_model(default_config("seed", epochs=1, members=2), images, labels).model
    assert isinstance(single, Sequential) and isinstance(pair, Ensemble)
    for name, array in single.params.items():
        np.testing.assert_array_equal(pair.members[0].params[name], array, err_msg=name)
    assert not np.array_equal(
        pair.members[0].params["3.weight"], pair.members[1].params["3.weight"]
    )


def test_on_member_is_told_of_each_network_before_it_trains() -> None:
    images, labels = strokes(80)
    seen: list[int] = []
    train_model(
        default_config("seed", epochs=1, members=3),
        images,
        labels,
        on_member=lambda run, number, net: seen.append(number),
    )
    assert seen == [0, 1, 2]


def test_outlier_exposure_flattens_non_digits_and_the_model_carries_its_rule() -> None:
    images, labels = strokes(300)
    plain = train_model(default_config("seed", epochs=3, val_fraction=0.2), images, labels)
    config = default_config(
        "seed", epochs=3, val_fraction=0.2, outliers=300, outlier_weight=1.0, reject_threshold=0.6
    )
    exposed = train_model(config, images, labels)
    assert exposed.model is not None and plain.model is not None
    others = exposure_set(config)[:100][:, :, :, None]  # (100, 28, 28, 1) the same non-digits
    top = {
        name: run.model.predict_proba(others).max(axis=1).mean()  # type: ignore[union-attr]
        for name, run in (("plain", plain), ("exposed", exposed))
    }
    assert top["exposed"] < top["plain"] - 0.1, top
    assert exposed.val_accuracy is not None and exposed.val_accuracy > 0.9  # digits still read
    metadata = json.loads(json.dumps(exposed.metadata()))
    assert metadata["train_threads"] == step_threads(config)
    rule = metadata["not_a_digit"]
    assert (rule["score"], rule["threshold"]) == ("max_probability", 0.6)
    assert rule["min_aspect"] == MIN_ASPECT
    assert 0.0 <= rule["validation_digits_flagged"] <= 1.0
    assert "not_a_digit" not in plain.metadata()


def test_styled_digits_join_the_training_split_only() -> None:
    images, labels = strokes(100)
    run = train_model(default_config("seed", epochs=1, val_fraction=0.2, styled=30), images, labels)
    assert (len(run.train[1]), len(run.val[1])) == (80 + 30, 20)
    assert set(np.unique(run.train[1][80:])) <= set(range(10))


def test_an_ensemble_records_its_cascade_and_the_share_it_passes_on() -> None:
    images, labels = strokes(100)
    config = default_config("seed", epochs=1, val_fraction=0.2, members=2, cascade=0.9)
    run = train_model(config, images, labels)
    assert isinstance(run.model, Ensemble)
    entry = json.loads(json.dumps(run.metadata()))["cascade"]
    x = to_model_input(run.val[0], config.deskew)  # (20, 28, 28, 1)
    top = run.model.members[0].predict_proba(x).max(axis=1)  # (20,)
    assert entry == {"sure": 0.9, "validation_escalated": float((top < 0.9).mean())}
    single = train_model(default_config("seed", epochs=1, cascade=0.9), images, labels)
    assert "cascade" not in single.metadata()
