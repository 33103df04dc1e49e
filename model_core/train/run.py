"""A whole training run, callable from Python: split, train one network or an ensemble,
describe it in metadata. `scripts/train.py` is this with a progress bar and a file.

    config = default_config("seed", epochs=2)
    run = train_model(config, images, labels)
    save_model("seed.npz", run.model, run.metadata(data_dir=...))
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from model_core.data.mnist import file_sha256, mnist_paths
from model_core.data.splits import split
from model_core.data.styled import styled_digits
from model_core.nn.cascade import METADATA_KEY as CASCADE_KEY
from model_core.nn.cascade import Cascade
from model_core.nn.ensemble import Ensemble, Model
from model_core.nn.network import Sequential
from model_core.nn.presets import build
from model_core.preprocessing import to_model_input
from model_core.rejection import METADATA_KEY, MIN_ASPECT, RejectRule
from model_core.train.config import TrainConfig
from model_core.train.loop import TrainResult, evaluate, fit, step_threads

Data = tuple[np.ndarray, np.ndarray]  # images (N, 28, 28) uint8, labels (N,)
# fit() or a wrapper of it (a progress bar): (network, config, train, val, rng) -> result
FitMember = Callable[[Sequential, TrainConfig, Data, Data, np.random.Generator], TrainResult]


@dataclass
class TrainingRun:
    """What train_model made: the model (None if no epoch finished) and how it went."""

    config: TrainConfig
    train: Data
    val: Data
    networks: list[Sequential] = field(default_factory=list)
    results: list[TrainResult] = field(default_factory=list)  # one per kept network
    interrupted: bool = False

    @property
    def model(self) -> Model | None:
        if not self.networks:
            return None
        return self.networks[0] if len(self.networks) == 1 else Ensemble(self.networks)

    @cached_property
    def val_accuracy(self) -> float | None:
        if self.model is None or not len(self.val[1]):
            return None
        return evaluate(self.model, *self.val, deskew=self.config.deskew)[1]

    def metadata(self, data_dir: Path | None = None) -> dict[str, object]:
        """The model file's training metadata (strict JSON: no NaN)."""
        several = len(self.results) > 1
        data = {p.name: file_sha256(p) for p in mnist_paths(data_dir, "train")} if data_dir else {}
        described = {
            "preset": self.config.preset,
            "input": {"deskew": self.config.deskew},  # what to_model_input must do
            "hyperparameters": asdict(self.config),
            "history": [
                stats | ({"member": number} if several else {})
                for number, result in enumerate(self.results)
                for stats in result.history_dicts()
            ],
            "best_epoch": None if several else self.results[0].best_epoch,
            "members": [
                {"best_epoch": r.best_epoch, "train_seconds": round(r.seconds, 1)}
                for r in self.results
            ],
            "val_accuracy": self.val_accuracy,
            "val_size": len(self.val[1]),
            "train_size": len(self.train[1]),
            "train_seconds": round(sum(r.seconds for r in self.results), 1),
            "train_threads": step_threads(self.config),  # shards of a step
            "interrupted": self.interrupted,
            "data": data,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "git_commit": git_commit(),
            "numpy": np.__version__,
        }
        return described | self.rejection() | self.cascade()

    def rejection(self) -> dict[str, object]:
        """The rule for non-digits (model_core/rejection.py) of a run with outlier exposure,
        and the share of validation digits it flags, if there are any."""
        if not self.config.outliers or self.model is None:
            return {}
        rule = RejectRule("max_probability", self.config.reject_threshold, MIN_ASPECT)
        entry: dict[str, object] = {
            "score": rule.score,
            "threshold": rule.threshold,
            "min_aspect": rule.min_aspect,
        }
        if len(self.val[1]):
            x = to_model_input(self.val[0], deskew=self.config.deskew)  # (N, 28, 28, 1)
            flagged = ~rule.is_digit(self.model.predict_proba(x), x[..., 0])  # (N,)
            entry["validation_digits_flagged"] = float(flagged.mean())
        return {METADATA_KEY: entry}

    def cascade(self) -> dict[str, object]:
        """The ensemble's cascade (model_core/nn/cascade.py), and the share of validation
        digits its first network leaves to the others, if there are any."""
        if not self.config.cascade or not isinstance(self.model, Ensemble):
            return {}
        cascade = Cascade(self.model, self.config.cascade)
        entry: dict[str, object] = {"sure": cascade.sure}
        if len(self.val[1]):
            x = to_model_input(self.val[0], deskew=self.config.deskew)  # (N, 28, 28, 1)
            first = self.model.members[0].predict_proba(x)  # (N, 10)
            entry["validation_escalated"] = float(cascade.passed_on(first).mean())
        return {CASCADE_KEY: entry}


def train_model(
    config: TrainConfig,
    images: np.ndarray,
    labels: np.ndarray,
    fit_member: FitMember = fit,
    on_member: Callable[[TrainingRun, int, Sequential], None] | None = None,
) -> TrainingRun:
    """Split off the validation images, then train config.members networks one after another.

    Member 0 continues the split's generator, so it is exactly the single network of that
    seed; member i > 0 draws its weights, order and augmentation from `[seed, i]`. Ctrl-C
    stops the run: the interrupted network is kept at its best epoch if it finished one, and
    no further network is trained.
    """
    rng = np.random.default_rng(config.seed)
    train_idx, val_idx = split(labels, config.val_fraction, rng, config.val_split)
    train = images[train_idx], labels[train_idx]
    if config.styled:
        extra = styled_digits(*train, config.styled, np.random.default_rng([config.seed, 29]))
        train = np.concatenate([train[0], extra[0]]), np.concatenate([train[1], extra[1]])
    run = TrainingRun(config, train, (images[val_idx], labels[val_idx]))
    for number in range(config.members):
        member_rng = rng if number == 0 else np.random.default_rng([config.seed, number])
        net = build(config.preset, member_rng)
        if on_member is not None:
            on_member(run, number, net)
        result = fit_member(net, config, run.train, run.val, member_rng)
        if result.history:
            run.networks.append(net)
            run.results.append(result)
        if result.interrupted:
            run.interrupted = True
            break
    return run


def git_commit() -> str | None:
    """The checkout's commit, recorded with the model (None outside a git checkout)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except OSError:
        return None
    return out.stdout.strip() or None
