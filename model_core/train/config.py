"""Every setting of a training run in one dataclass, and each preset's defaults.

`scripts/train.py` turns each field into a command-line option (its help is the field's
`help` metadata), so a setting is declared once, here. The whole config is stored in the
saved model's metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from model_core.data.splits import SPLITS, WRITER_BLOCK
from model_core.nn.optimizers import OPTIMIZERS
from model_core.nn.presets import DEFAULT_PRESET, PRESETS


def option(default: Any, help: str, choices: tuple[str, ...] | None = None) -> Any:
    """A config field with the text and choices of its command-line option."""
    return field(default=default, metadata={"help": help, "choices": choices})


@dataclass(frozen=True)
class TrainConfig:
    """Every hyper-parameter of a run; stored in the model's metadata."""

    preset: str = option(DEFAULT_PRESET, "architecture", tuple(sorted(PRESETS)))
    epochs: int = option(15, "passes over the training split")
    batch_size: int = option(64, "images per optimizer step")
    optimizer: str = option(
        "adamw", "sgd (Nesterov momentum), adam, adamw or rmsprop", tuple(sorted(OPTIMIZERS))
    )
    lr: float = option(2e-3, "peak learning rate")
    schedule: str = option(
        "cosine", "learning-rate schedule after warm-up", ("constant", "step", "cosine")
    )
    warmup_epochs: float = option(1.0, "linear warm-up length in epochs")
    weight_decay: float = option(1e-4, "weight decay on weights (not biases)")
    momentum: float = option(0.9, "momentum, for --optimizer sgd")
    label_smoothing: float = option(0.0, "label smoothing of the targets")
    val_fraction: float = option(0.1, "share of the training images held out for validation")
    val_split: str = option(
        "random",
        "random: that share of each class at random (writers shared with training); blocked:"
        f" whole blocks of {WRITER_BLOCK} contiguous images, mostly whole writers, as the test"
        " set is (use it to tune)",
        SPLITS,
    )
    augment: bool = option(True, "random shifts (and rotations and scaling) of training images")
    augmentation: str = option(
        "affine",
        "affine: random rotation, scale and shift; shift: whole-pixel shifts only",
        ("affine", "shift"),
    )
    max_shift: float = option(2.0, "augmentation: largest shift in pixels")
    max_rotation: float = option(12.0, "augmentation (affine): largest rotation in degrees")
    scale_range: tuple[float, float] = option(
        (0.9, 1.1), "augmentation (affine): range of the random scale factor"
    )
    outliers: int = option(
        0,
        "synthetic non-digits (letters, shapes, scribbles, textures) mixed into every epoch and"
        " trained towards equal probabilities (outlier exposure), so that the saved model can"
        " tell a non-digit by its low top probability; 0: none",
    )
    styled: int = option(
        0,
        "extra training digits unlike MNIST's, made from the training split: redrawn with"
        " another pen, shrunk and enlarged again, or typed in a font",
    )
    outlier_weight: float = option(0.5, "weight of the non-digits' loss beside the digits'")
    reject_threshold: float = option(
        0.5,
        "with --outliers: the saved model calls an image not a digit when its top probability"
        " is below this",
    )
    deskew: bool = option(
        False,
        "shear each digit upright (from its moments) before the network, in training and"
        " wherever the saved model is used (it records this)",
    )
    members: int = option(
        1,
        "networks to train, each from its own random start; more than one are saved as an"
        " ensemble that averages their probabilities",
    )
    cascade: float = option(
        0.0,
        "an ensemble's first network answers alone where its top probability is at least"
        " this, the others read only the rest (model_core/nn/cascade.py); 0: every network"
        " reads every image",
    )
    seed: int = option(0, "random seed: same seed, thread count, machine and code, same model")
    threads: int = option(
        0,
        "cores a training step runs on, a shard of the batch each: one in this process, the"
        " others in worker processes (model_core/nn/parallel.py); 0: one per CPU this"
        " process may use, at most one per 16 samples",
    )

    def __post_init__(self) -> None:
        if self.members < 1:
            raise ValueError(f"members must be at least 1, got {self.members}")
        if not 0.0 <= self.cascade <= 1.0:
            raise ValueError(f"cascade must be in [0, 1], got {self.cascade}")
        if self.threads < 0:
            raise ValueError(f"threads must be 0 (one per CPU) or more, got {self.threads}")
        if self.preset not in PRESETS:
            raise ValueError(f"unknown preset {self.preset!r}; choose one of {sorted(PRESETS)}")


# Each preset's training defaults: what `scripts/train.py --preset NAME` uses unless told
# otherwise. Each was chosen on validation splits of the training images; docs/experiments.md
# records the runs behind them.
PRESET_DEFAULTS: dict[str, dict[str, Any]] = {
    # Nearly linear: whole-pixel shifts, label smoothing and deskewed digits suit it.
    "seed": {
        "epochs": 24,
        "deskew": True,
        "batch_size": 32,
        "optimizer": "adam",
        "lr": 3e-3,
        "weight_decay": 0.0,
        "warmup_epochs": 0.0,
        "augmentation": "shift",
        "max_shift": 1.0,
        "label_smoothing": 0.1,
    },
    "lenet": {"epochs": 12},
    "lenet_bn": {"epochs": 15},
    # Refit on every training image (no split), so each network keeps its last epoch.
    "vgg_bn": {"epochs": 15, "val_fraction": 0.0, "weight_decay": 0.05},
    # The committed model: three vgg_lite, each trained as vgg_bn is, probabilities averaged,
    # with non-digits to refuse (outlier exposure) and digits unlike MNIST's.
    "vgg_lite": {
        "epochs": 15,
        "val_fraction": 0.0,
        "weight_decay": 0.05,
        "members": 3,
        "outliers": 8000,
        "styled": 6000,
        "outlier_weight": 0.25,
        "reject_threshold": 0.3,
        "cascade": 0.7,
    },
}


def default_config(preset: str = DEFAULT_PRESET, **overrides: Any) -> TrainConfig:
    """The preset's training defaults, with any given options on top."""
    return TrainConfig(preset=preset, **(PRESET_DEFAULTS.get(preset, {}) | overrides))
