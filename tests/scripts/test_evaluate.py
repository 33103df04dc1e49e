from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from model_core.data.mnist import write_idx
from tests.samples import write_tiny_model


def _mnist_folder(path: Path, count: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)  # (N, 28, 28)
    labels = rng.integers(0, 10, count).astype(np.uint8)  # (N,)
    path.mkdir()
    write_idx(path / "t10k-images-idx3-ubyte.gz", images)
    write_idx(path / "t10k-labels-idx1-ubyte", labels)  # raw, not gzip: both are read
    return images, labels


def test_last_line_is_the_accuracy_in_the_fixed_format(
    tmp_path: Path, script: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    write_tiny_model(tmp_path / "m.npz")
    images, labels = _mnist_folder(tmp_path / "data", 37)
    code = script("evaluate").main(
        ["--model", str(tmp_path / "m.npz"), "--data-dir", str(tmp_path / "data")]
    )
    out = capsys.readouterr().out.rstrip("\n").splitlines()
    assert code == 0
    expected = np.mean(
        DigitClassifier.load(tmp_path / "m.npz").probabilities(images).argmax(1) == labels
    )
    assert re.fullmatch(r"accuracy: \d\.\d{4} \(n=37\)", out[-1])
    assert out[-1] == f"accuracy: {expected:.4f} (n=37)"
    assert any("precision" in line for line in out)
    assert any(line.startswith("confusion matrix") for line in out)


def test_real_test_set_line(
    mnist_dir: Path,
    tmp_path: Path,
    script: Callable[[str], ModuleType],
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_tiny_model(tmp_path / "m.npz")
    assert (
        script("evaluate").main(["--model", str(tmp_path / "m.npz"), "--data-dir", str(mnist_dir)])
        == 0
    )
    assert re.fullmatch(r"accuracy: \d\.\d{4} \(n=5000\)", capsys.readouterr().out.splitlines()[-1])


def test_bad_model_is_a_clear_error_not_a_traceback(
    tmp_path: Path, script: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.npz").write_text("not a model")
    _mnist_folder(tmp_path / "data", 5)
    code = script("evaluate").main(
        ["--model", str(tmp_path / "bad.npz"), "--data-dir", str(tmp_path / "data")]
    )
    assert code == 2
    assert "not a readable .npz" in capsys.readouterr().err
