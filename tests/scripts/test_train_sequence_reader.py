"""scripts/train_sequence_reader.py: a short run writes a sequence reader the service loads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from model_core.nn.ensemble import Ensemble
from model_core.nn.serialization import load_model
from model_core.number.sequence import is_sequence_reader


def test_a_short_run_writes_a_reader_with_its_metadata(
    mnist_dir: Path,
    tmp_path: Path,
    script: Callable[[str], ModuleType],
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "sequence.npz"
    args = ["--data-dir", str(mnist_dir), "--out", str(out), "--numbers", "24"]
    code = script("train_sequence_reader").main([*args, "--val-numbers", "8", "--epochs", "2"])

    assert code == 0
    saved = load_model(out)
    assert is_sequence_reader(saved.network)
    meta = saved.metadata
    assert meta["kind"] == "sequence_reader" and meta["epochs"] == 2 and meta["numbers"] == 24
    assert meta["strips"] >= 2 * 24  # two epochs of fresh numbers, a blob or more each
    assert 0.0 <= meta["val_exact"] <= 1.0 and meta["train_seconds"] > 0
    assert not out.with_suffix(".epoch.npz").exists()  # the checkpoint is removed at the end
    printed = capsys.readouterr().out
    assert printed.count("validation exact") == 2


def test_readers_of_two_seeds_join_into_one_that_the_classifier_loads(
    mnist_dir: Path,
    tmp_path: Path,
    tiny_model_path: Path,
    script: Callable[[str], ModuleType],
    capsys: pytest.CaptureFixture[str],
) -> None:
    train = script("train_sequence_reader").main
    short = ["--data-dir", str(mnist_dir), "--numbers", "16", "--val-numbers", "4"]
    first, second, joined = tmp_path / "a.npz", tmp_path / "b.npz", tmp_path / "joined.npz"
    assert train([*short, "--epochs", "1", "--out", str(first)]) == 0
    assert (
        train([*short, "--epochs", "1", "--out", str(second), "--seed", "1", "--split-seed", "0"])
        == 0
    )
    join = script("join_sequence_readers").main
    args = [str(first), str(second), "--data-dir", str(mnist_dir), "--out", str(joined)]

    assert join([*args, "--split-seed", "1"]) == 2  # the first held out split 0, not 1
    assert join([*args, "--val-numbers", "4"]) == 0

    saved = load_model(joined)
    assert isinstance(saved.network, Ensemble) and len(saved.network.members) == 2
    assert is_sequence_reader(saved.network)
    meta = saved.metadata
    assert [m["seed"] for m in meta["members"]] == [0, 1]
    assert meta["members"][1]["split_seed"] == 0 and 0.0 <= meta["val_exact"] <= 1.0
    classifier = DigitClassifier.load(tiny_model_path, sequence_path=joined)
    (reading,) = classifier.read_strips([np.zeros((28, 40), np.float32)])
    assert len(reading.looks) == 4 and reading.looks[0].logp.shape[1] == 11  # 2 networks, 2 shifts
    assert "2 members" in capsys.readouterr().out


def test_a_file_that_is_not_a_sequence_reader_is_refused(
    mnist_dir: Path, tmp_path: Path, tiny_model_path: Path, script: Callable[[str], ModuleType]
) -> None:
    join = script("join_sequence_readers").main
    out = tmp_path / "joined.npz"
    digits = str(tiny_model_path)  # a digit network
    assert join([digits, digits, "--data-dir", str(mnist_dir), "--out", str(out)]) == 2
    assert not out.exists()
