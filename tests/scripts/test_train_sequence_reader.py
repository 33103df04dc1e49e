"""scripts/train_sequence_reader.py: a short run writes a sequence reader the service loads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

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
    assert is_sequence_reader(saved.network)  # type: ignore[arg-type]
    meta = saved.metadata
    assert meta["kind"] == "sequence_reader" and meta["epochs"] == 2 and meta["numbers"] == 24
    assert meta["strips"] >= 2 * 24  # two epochs of fresh numbers, a blob or more each
    assert 0.0 <= meta["val_exact"] <= 1.0 and meta["train_seconds"] > 0
    assert not out.with_suffix(".epoch.npz").exists()  # the checkpoint is removed at the end
    printed = capsys.readouterr().out
    assert printed.count("validation exact") == 2
