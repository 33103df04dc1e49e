"""scripts/train_sequence_reader.py: a short run writes a sequence reader the service loads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from model_core.nn.ensemble import Ensemble
from model_core.nn.serialization import ModelLoadError, load_model, save_model
from model_core.number.sequence import build_sequence_reader, is_sequence_reader


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


def test_a_reader_goes_on_training_from_its_file_shown_non_digits_as_no_digits(
    mnist_dir: Path, tmp_path: Path, script: Callable[[str], ModuleType]
) -> None:
    train = script("train_sequence_reader").main
    short = ["--data-dir", str(mnist_dir), "--numbers", "16", "--val-numbers", "4"]
    first, tuned = tmp_path / "first.npz", tmp_path / "tuned.npz"
    assert train([*short, "--epochs", "1", "--out", str(first), "--context", "3"]) == 0
    args = ["--epochs", "1", "--out", str(tuned), "--init", str(first), "--nondigits", "0.5"]
    assert train([*short, *args]) == 0

    before, after = load_model(first), load_model(tuned)
    assert after.metadata["nondigits"] == 0.5 and after.metadata["init"] == str(first)
    assert after.metadata["context"] == 3  # the network's own, not the option's default
    assert after.network.architecture() == before.network.architecture()
    changed = [
        not np.array_equal(before.network.params[name], array)
        for name, array in after.network.params.items()
    ]
    assert all(changed)  # every weight trained on from the file's


def test_init_refuses_an_ensemble(
    mnist_dir: Path, tmp_path: Path, script: Callable[[str], ModuleType]
) -> None:
    rng = np.random.default_rng(0)
    joined = tmp_path / "joined.npz"
    pair = Ensemble([build_sequence_reader(rng), build_sequence_reader(rng)])
    save_model(joined, pair, {"kind": "sequence_reader", "split_seed": 0})
    train = script("train_sequence_reader").main
    short = ["--data-dir", str(mnist_dir), "--numbers", "16", "--val-numbers", "4"]

    with pytest.raises(SystemExit, match="not an ensemble"):
        train([*short, "--out", str(tmp_path / "c.npz"), "--init", str(joined)])


def test_a_shape_network_joins_last_and_reads_nothing(
    mnist_dir: Path, tmp_path: Path, tiny_model_path: Path, script: Callable[[str], ModuleType]
) -> None:
    train = script("train_sequence_reader").main
    short = ["--data-dir", str(mnist_dir), "--numbers", "16", "--val-numbers", "4"]
    files = [tmp_path / f"{name}.npz" for name in ("a", "b", "shapes")]
    for seed, out in enumerate(files):
        more = ["--nondigits", "0.5"] if out.stem == "shapes" else []
        assert train([*short, "--epochs", "1", "--out", str(out), "--seed", str(seed),
                      "--split-seed", "0", *more]) == 0  # fmt: skip
    joined = tmp_path / "joined.npz"
    join = script("join_sequence_readers").main
    args = [str(files[0]), str(files[1]), "--shapes", str(files[2]), "--val-numbers", "4"]
    assert join([*args, "--data-dir", str(mnist_dir), "--out", str(joined)]) == 0

    saved = load_model(joined)
    assert isinstance(saved.network, Ensemble) and len(saved.network.members) == 3
    shapes = saved.metadata["shapes"]
    assert shapes["member"] == 2 and shapes["nondigits"] == 0.5
    assert len(saved.metadata["members"]) == 2  # the reading networks' own metadata
    classifier = DigitClassifier.load(tiny_model_path, sequence_path=joined)
    strip = np.zeros((28, 40), np.float32)
    (reading,) = classifier.read_strips([strip])
    assert len(reading.looks) == 4  # two reading networks from two shifts: not the third
    (frames,) = classifier.shape_frames([strip])
    assert frames.shape == (10, 11)
    without = DigitClassifier.load(tiny_model_path, sequence_path=files[0])
    with pytest.raises(ValueError, match="holds no shape network"):
        without.shape_frames([strip])


def test_a_gate_network_joins_after_the_shape_network_and_is_not_a_look(
    mnist_dir: Path, tmp_path: Path, tiny_model_path: Path, script: Callable[[str], ModuleType]
) -> None:
    train = script("train_sequence_reader").main
    short = ["--data-dir", str(mnist_dir), "--numbers", "16", "--val-numbers", "4"]
    files = [tmp_path / f"{name}.npz" for name in ("a", "b", "shapes", "gate")]
    for seed, out in enumerate(files):
        more = {"shapes": ["--nondigits", "0.5"], "gate": ["--gate"]}.get(out.stem, [])
        assert train([*short, "--epochs", "1", "--out", str(out), "--seed", str(seed),
                      "--split-seed", "0", *more]) == 0  # fmt: skip
    with pytest.raises(SystemExit, match="leave out --init"):
        train([*short, "--out", str(tmp_path / "c.npz"), "--gate", "--init", str(files[0])])
    joined = tmp_path / "joined.npz"
    join = script("join_sequence_readers").main
    args = [str(files[0]), str(files[1]), "--shapes", str(files[2]), "--gate", str(files[3])]
    assert (
        join([*args, "--val-numbers", "4", "--data-dir", str(mnist_dir), "--out", str(joined)]) == 0
    )

    saved = load_model(joined)
    assert isinstance(saved.network, Ensemble) and len(saved.network.members) == 4
    assert saved.metadata["shapes"]["member"] == 2
    assert saved.metadata["gate"]["member"] == 3 and saved.metadata["gate"]["gate"] is True
    classifier = DigitClassifier.load(tiny_model_path, sequence_path=joined)
    (reading,) = classifier.read_strips([np.zeros((28, 40), np.float32)])
    assert len(reading.looks) == 4  # two reading networks from two shifts: neither of the others


def test_a_reader_file_naming_a_shape_network_it_does_not_hold_last_is_refused(
    tmp_path: Path, tiny_model_path: Path
) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "bad.npz"
    pair = Ensemble([build_sequence_reader(rng), build_sequence_reader(rng)])
    save_model(path, pair, {"kind": "sequence_reader", "shapes": {"member": 0}})

    with pytest.raises(ModelLoadError, match="sequence reader's metadata is invalid"):
        DigitClassifier.load(tiny_model_path, sequence_path=path)
