from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from model_core.presets import build
from model_core.serialization import save_model


def test_profile_gil_reports_every_batch_size(
    script: Callable[[str], ModuleType], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "tiny.npz"
    save_model(model, build("seed", np.random.default_rng(0)), {"preset": "seed"})
    profile_gil = script("profile_gil")
    assert profile_gil.main(["--model", str(model), "--seconds", "0.02", "--json"]) == 0
    alone, *rows, load = json.loads(capsys.readouterr().out)
    assert alone["preprocessing alone, images/s"] > 0
    assert [row["batch"] for row in rows] == list(profile_gil.BATCHES)
    for row in rows:
        assert row["forward alone, images/s"] > 0
        assert row["forward beside preprocessing, images/s"] > 0
        assert 0 < row["preprocessing beside forward / alone"] < 5
    assert len(load["load average"]) == 3
