from __future__ import annotations

from dataclasses import fields

import pytest

from model_core.nn.presets import DEFAULT_PRESET
from model_core.train.config import PRESET_DEFAULTS, TrainConfig, default_config


def test_default_config_applies_preset_defaults_then_overrides() -> None:
    config = default_config("seed", epochs=3)
    assert config.epochs == 3
    assert config.augmentation == "shift"  # seed's own default
    assert default_config("lenet").augmentation == "affine"
    assert default_config("seed", augmentation="affine").augmentation == "affine"


def test_the_default_is_the_committed_recipe() -> None:
    config = default_config()
    assert config.preset == DEFAULT_PRESET
    assert (config.members, config.weight_decay, config.val_fraction) == (3, 0.05, 0.0)


def test_every_field_documents_its_option_and_every_default_names_a_field() -> None:
    names = {f.name for f in fields(TrainConfig)}
    for f in fields(TrainConfig):
        assert f.metadata["help"], f.name
    for preset, defaults in PRESET_DEFAULTS.items():
        assert set(defaults) <= names, preset


def test_a_run_needs_at_least_one_member_and_a_known_preset() -> None:
    with pytest.raises(ValueError, match="members must be at least 1"):
        default_config("seed", members=0)
    with pytest.raises(ValueError, match="unknown preset"):
        default_config("resnet")
