"""scripts/predict.py: a digit per image, or with --number a number and each digit's box; the
same as JSON; clear errors, never a traceback."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from tests.samples import bars_array, digit_array, png_bytes, write_tiny_model

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(
    tmp_path: Path, script: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> Run:
    """run(*args) -> (exit code, stdout, stderr) of predict.py on a tiny model."""
    model = write_tiny_model(tmp_path / "m.npz")

    def call(*args: str) -> tuple[int, str, str]:
        code = script("predict").main(["--model", str(model), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "digit": tmp_path / "digit.png",
        "bars": tmp_path / "bars.png",
        "blank": tmp_path / "blank.png",
    }
    paths["digit"].write_bytes(png_bytes(digit_array()))
    paths["bars"].write_bytes(png_bytes(bars_array(3)))
    paths["blank"].write_bytes(png_bytes(np.full((28, 28), 255, dtype=np.uint8)))
    return paths


def test_a_digit_per_image(run: Run, files: dict[str, Path], tmp_path: Path) -> None:
    code, out, _ = run(str(files["digit"]))
    expected = DigitClassifier.load(tmp_path / "m.npz").predict(files["digit"])
    assert code == 0
    assert out == f"{files['digit']}: {expected.digit} (confidence {expected.confidence:.4f})\n"
    code, out, _ = run("--json", str(files["digit"]))
    record = json.loads(out)
    assert (record["file"], record["digit"]) == (str(files["digit"]), expected.digit)
    assert len(record["probabilities"]) == 10


def test_number_prints_the_number_then_each_digit_and_its_box(
    run: Run, files: dict[str, Path], tmp_path: Path
) -> None:
    code, out, err = run("--number", str(files["bars"]))
    reading = DigitClassifier.load(tmp_path / "m.npz").read_number(files["bars"]).reading
    assert (code, err) == (0, "")
    first, *rest = out.splitlines()
    assert first == f"{files['bars']}: {reading.number} (confidence {reading.confidence:.4f})"
    assert len(rest) == len(reading.number) == 3
    for line, digit in zip(rest, reading.digits, strict=True):
        match = re.fullmatch(
            r"  (\d) \(confidence (\S+)\) box left (\d+), top (\d+), right (\d+), bottom (\d+)",
            line,
        )
        assert match, line
        assert int(match.group(1)) == digit.digit
        assert float(match.group(2)) == pytest.approx(digit.confidence, abs=1e-4)
        assert tuple(int(v) for v in match.groups()[2:]) == tuple(digit.box)


def test_number_as_json(run: Run, files: dict[str, Path]) -> None:
    code, out, _ = run("--number", "--json", str(files["bars"]), str(files["digit"]))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [record["file"] for record in records] == [str(files["bars"]), str(files["digit"])]
    for record in records:
        assert set(record) == {"file", "number", "confidence", "digits"}
        digits = record["digits"]
        assert record["number"] == "".join(str(d["digit"]) for d in digits)
        assert record["confidence"] == pytest.approx(math.prod(d["confidence"] for d in digits))
        for digit in digits:
            assert set(digit) == {"digit", "confidence", "probabilities", "box"}
            assert len(digit["probabilities"]) == 10 and len(digit["box"]) == 4
    assert [d["box"][0] for d in records[0]["digits"]] == [10, 46, 82]  # the bars' left edges


def test_errors_are_one_line_each_and_the_others_still_read(
    run: Run, files: dict[str, Path], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.png"
    args = ("--number", str(files["blank"]), str(missing), str(files["bars"]))
    code, out, err = run(*args)
    assert code == 1
    assert out.startswith(f"{files['bars']}: ")
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0] == f"{files['blank']}: error: no digit found in the image"
    assert lines[1].startswith(f"{missing}: error: ")
    code, _, err = run("--number", "--max-digits", "2", str(files["bars"]))
    assert code == 1
    assert "at most 2" in err


def test_max_digits_below_one_is_refused(run: Run, files: dict[str, Path]) -> None:
    with pytest.raises(SystemExit) as exited:
        run("--number", "--max-digits", "0", str(files["bars"]))
    assert exited.value.code == 2


def test_a_bad_model_is_a_clear_error(
    tmp_path: Path, script: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.npz").write_text("not a model")
    code = script("predict").main(["--model", str(tmp_path / "bad.npz"), "--number", "x.png"])
    assert code == 2
    assert "not a readable .npz" in capsys.readouterr().err
