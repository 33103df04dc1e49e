"""bench/loadtest.py end to end, tiny: both servers start, every cell is measured, no errors."""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from http.server import BaseHTTPRequestHandler
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from bench import generators, loadtest
from tests.local_http import serving


def test_a_tiny_load_test_measures_every_cell(
    capsys: pytest.CaptureFixture[str],
) -> None:
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


def test_the_digit_png_is_a_280_pixel_drawing() -> None:
    image = Image.open(BytesIO(generators.digit_png()))
    assert (image.format, image.size, image.mode) == ("PNG", (280, 280), "L")
    assert image.getextrema() == (0, 255)  # black strokes on white


def test_wrk_bounded_by_time_still_reports_what_it_measured(
    tmp_path: Path,
) -> None:
    """A cell that cannot finish its requests within --max-seconds ends with wrk's own timer;
    its summary (fewer answers than asked) is still read."""
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk); the httpx generator is used")
    body = tmp_path / "body.json"
    body.write_text("{}")
    with serving(_SlowHandler) as url:
        endpoint = generators.Endpoint("slow", url, "json", body, None)
        summary = generators.run_wrk(endpoint, 10_000, 2, max_seconds=1)
    assert 0 < summary["answered"] < 10_000  # at most 2 x 20 a second for about a second
    assert summary["non_200"] == 0 and summary["p50_us"] >= 50_000


class _SlowHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.05)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def handle(self) -> None:
        # wrk is stopped with requests in flight: nobody is left to answer them.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def log_message(self, *args: object) -> None:
        pass


def test_the_shipped_mode_measures_the_dockerfile_command_beside_the_others(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--shipped starts the Dockerfile's CMD with its ENV (here two workers): its own row,
    start-up time and memory per worker process, next to the one-process service and the floor."""
    args = ["--shipped", "--tiny", "--preset", "seed", "--model", "/nonexistent.npz",
            "--requests", "16", "--concurrency", "1,4", "--warmup", "4", "--total", "32",
            "--generator", "httpx", "--server-env", "WEB_CONCURRENCY=2", "--json"]  # fmt: skip
    assert loadtest.main(args) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    cells = {(cell["endpoint"], cell["concurrency"]): cell for cell in result["cells"]}
    names = ("shipped", "predict", "base64", "floor")
    assert set(cells) == {(name, c) for name in names for c in (1, 4)}
    assert all(cell["requests"] == 16 and cell["errors"] == 0 for cell in cells.values())
    assert result["cells"][0]["endpoint"] == "shipped"  # first: the soak goes to it
    assert result["soak"]["requests"] == 32 and result["soak"]["errors"] == 0
    assert {"shipped/floor@1", "shipped/floor@4"} <= set(result["ratios"])
    assert set(result["startup_s"]) == {"shipped", "predict"}
    for moment in ("before", "after_table", "after"):
        memory = result["shipped_rss_mb"][moment]
        assert len(memory["workers"]) == 2 and all(mb > 30 for mb in memory["workers"])
        assert memory["total"] > sum(memory["workers"])  # + the supervisor
    assert result["verdict"]["shipped rss growth<20MB per worker"] is not None
