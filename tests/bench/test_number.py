"""bench/number.py end to end, tiny: handlers in-process and requests to the shipped service."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import number
from model_core.number.synth import KINDS

ROW = re.compile(
    r"^(\w+)\s+(handler|cpu|request|server)\s+/predict\s+([\d.]+) ms\s+/predict/number \(2 digits\)"
    r"\s+([\d.]+) ms\s+ratio ([\d.]+)$"
)


def test_a_tiny_number_benchmark_times_every_kind_both_ways(
    mnist_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(mnist_dir), "--digits", "2", "--numbers", "2", "--rounds", "1"]
    assert number.main(args) == 0
    rows = [ROW.match(line) for line in capsys.readouterr().out.splitlines()[1:]]
    ways = ("handler", "cpu", "request", "server")
    assert all(rows) and len(rows) == len(ways) * len(KINDS)
    seen = {(row[1], row[2]) for row in rows if row}
    assert seen == {(kind, way) for kind in KINDS for way in ways}
    for row in rows:
        assert row is not None
        digit_ms, number_ms, ratio = float(row[3]), float(row[4]), float(row[5])
        assert digit_ms > 0 and number_ms > 0
        assert ratio == pytest.approx(number_ms / digit_ms, rel=0.02)  # printed rounded
    requests = [row for row in rows if row and row[2] == "request"]
    handlers = [row for row in rows if row and row[2] == "handler"]
    # a request adds the server and the client around the same handler; the two are timed
    # apart, in two processes, so a busy machine may slow either: of one size, no order
    fastest_request = min(float(r[3]) for r in requests)
    assert 0.5 < fastest_request / min(float(h[3]) for h in handlers) < 20
