"""bench/normalise.py: each tree's own normalize_digit timed in a process of its own."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bench import normalise
from bench.container.build import REPO_ROOT


def _git_checkout() -> None:
    try:
        subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
                       check=True, capture_output=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: bench.normalise exports commits with git archive")


def test_each_side_times_its_own_code(capsys: pytest.CaptureFixture[str]) -> None:
    _git_checkout()
    argv = ["HEAD", "--pairs", "2", "--repeats", "3", "--rounds", "1", "--json"]
    assert normalise.main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    code = result["code"]
    assert Path(code["checkout"]).is_relative_to(REPO_ROOT)
    assert not Path(code["commit"]).is_relative_to(REPO_ROOT)  # the exported tree's
    assert Path(code["commit"]).parts[-3:] == ("tree", "model_core", "__init__.py")
    assert len(result["pairs"]) == 2
    for pair in result["pairs"]:
        assert pair["commit_us"] > 0 and pair["checkout_us"] > 0
        assert pair["ratio"] == pytest.approx(pair["checkout_us"] / pair["commit_us"], rel=0.01)
    verdict = result["median_ratio"] <= normalise.TARGET
    assert result["verdict"] == {"clean 280x280 PNG normalised in <= 0.3x": verdict}


def test_an_unknown_commit_is_refused() -> None:
    _git_checkout()
    with pytest.raises(SystemExit, match="no commit 'no-such-commit-anywhere'"):
        normalise.main(["no-such-commit-anywhere", "--pairs", "1"])


def test_counts_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        normalise.main(["HEAD", "--pairs", "0"])
    assert "must be positive" in capsys.readouterr().err
