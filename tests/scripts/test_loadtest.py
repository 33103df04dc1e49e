"""scripts/loadtest.py end to end, tiny: both servers start, every cell is measured, no errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from types import ModuleType

import pytest
from PIL import Image


def test_a_tiny_load_test_measures_every_cell(
    script: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    loadtest = script("loadtest")
    args = ["--tiny", "--preset", "seed", "--model", "/nonexistent.npz", "--requests", "24",
            "--concurrency", "1,4", "--warmup", "4", "--generator", "httpx", "--json"]  # fmt: skip
    assert loadtest.main(args) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])  # the last line: the report
    cells = {(cell["endpoint"], cell["concurrency"]): cell for cell in result["cells"]}
    assert set(cells) == {(name, c) for name in ("predict", "base64", "floor") for c in (1, 4)}
    for cell in cells.values():
        assert cell["requests"] == 24 and cell["errors"] == 0
        assert cell["rps"] > 0 and 0 < cell["p50_ms"] <= cell["p99_ms"] <= cell["max_ms"]
        assert cell["cpu_ms_per_request"] >= 0  # /proc counts 10 ms ticks: a tiny cell may read 0
    assert sum(cell["cpu_ms_per_request"] for cell in cells.values()) > 0
    assert set(result["ratios"]) == {
        f"{n}/floor@{c}" for n in ("predict", "base64") for c in (1, 4)
    }
    assert result["rss_mb"]["before"] > 10 and result["verdict"]["zero errors"] is True


def test_the_digit_png_is_a_280_pixel_drawing(script: Callable[[str], ModuleType]) -> None:
    image = Image.open(BytesIO(script("loadtest_generators").digit_png()))
    assert (image.format, image.size, image.mode) == ("PNG", (280, 280), "L")
    assert image.getextrema() == (0, 255)  # black strokes on white
