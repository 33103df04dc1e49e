"""app/serve.py: the worker count from WEB_CONCURRENCY, else the CPUs available (faked cgroup
files, as in tests/model_core/test_cpus.py), then the real start command with two workers:
metrics (numbers read and readings taken for no digit too) summed over both, honest readiness,
start-up time, clean stop, and a failed start that exits."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from array import array
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from app import serve
from app.balance import FREE
from app.serve import worker_count
from bench.container.service import running
from bench.servers import process_tree
from tests.app.test_metrics import sample
from tests.model_core.test_cpus import fake_cgroup
from tests.samples import bars_array, png_bytes

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- the server


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not installed on Windows")
def test_uvicorn_parses_with_httptools_on_uvloop() -> None:
    """The dependencies the start command's speed was measured with: uvicorn's "auto"
    choices take them when they are installed, and h11 and asyncio otherwise."""
    from uvicorn.loops.auto import auto_loop_factory
    from uvicorn.protocols.http.auto import AutoHTTPProtocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert AutoHTTPProtocol is HttpToolsProtocol
    loop = auto_loop_factory()()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()


# --------------------------------------------------------------------------- worker count


def test_web_concurrency_wins(tmp_path: Path) -> None:
    where = fake_cgroup(tmp_path, "0::/\n", {"cpu.max": "100000 100000"})
    assert worker_count({}, **where, affinity=4) == 1
    assert worker_count({"WEB_CONCURRENCY": "3"}, **where, affinity=4) == 3
    assert worker_count({"WEB_CONCURRENCY": " "}, **where, affinity=4) == 1  # blank: unset
    for bad in ("0", "-2", "two", "1.5"):
        with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
            worker_count({"WEB_CONCURRENCY": bad}, **where)


def test_main_listens_on_port_with_the_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    called = []
    monkeypatch.setattr(serve, "serve", lambda *args: called.append(args) or 0)
    monkeypatch.setenv("PORT", "1234")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert serve.main([]) == 0
    assert called == [("0.0.0.0", 1234, 3)]
    monkeypatch.delenv("PORT")
    assert serve.main(["--host", "127.0.0.1"]) == 0
    assert called[-1] == ("127.0.0.1", 8080, 3)


# --------------------------------------------------------------------------- two workers


@contextmanager
def _start(model: Path, workers: int, tmp: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`python -m app.serve` on 127.0.0.1 and a free $PORT (its own process group, killed at
    the end)."""
    env = {**os.environ, "MODEL_PATH": str(model), "WEB_CONCURRENCY": str(workers),
           "LOG_LEVEL": "WARNING", "TMPDIR": str(tmp)}  # fmt: skip
    command = [sys.executable, "-m", "app.serve", "--host", "127.0.0.1"]
    with running(command, ROOT, env, tmp / "serve.log") as service:
        yield service.process, service.base_url


def _first_answer(process: subprocess.Popen[bytes], url: str) -> list[int]:
    """Every status /health/ready answers until the first 200."""
    started, statuses = time.monotonic(), []
    while time.monotonic() - started < 60:
        assert process.poll() is None, f"exited with {process.returncode}"
        try:
            statuses.append(httpx.get(url + "/health/ready", timeout=5).status_code)
        except httpx.TransportError:  # the port is not open yet
            time.sleep(0.01)
            continue
        if statuses[-1] == 200:
            return statuses
    raise AssertionError("not ready within 60 s")


def _per_worker(folder: Path) -> dict[str, float]:
    """/health/live requests counted in each worker's own file (counter_PID.db)."""
    counts = {}
    for path in folder.glob("counter_*.db"):
        merged = MultiProcessCollector.merge([str(path)])
        counts[path.stem] = sum(
            s.value
            for metric in merged
            for s in metric.samples
            if s.name == "http_requests_total" and s.labels["route"] == "/health/live"
        )
    return counts


def test_two_workers_add_up_their_metrics_and_start_honestly(
    flagging_model_path: Path, tmp_path: Path
) -> None:
    """On the tiny model with a rule that takes every image for no digit: counted too."""
    started = time.monotonic()
    with _start(flagging_model_path, 2, tmp_path) as (process, url):
        statuses = _first_answer(process, url)
        startup = time.monotonic() - started
        print(f"\n2 workers: process start to the first /health/ready 200: {startup:.2f} s")
        # The port opens only once a worker has its model: never a 503 on the way.
        assert statuses == [200]
        (folder,) = tmp_path.glob("prometheus-*")
        deadline, sent = time.monotonic() + 60, 0
        while len([n for n in _per_worker(folder).values() if n > 0]) < 2:
            assert time.monotonic() < deadline, f"one worker answered everything: {sent}"
            with ThreadPoolExecutor(8) as pool:  # new connections: either worker accepts
                codes = list(pool.map(lambda _: httpx.get(url + "/health/live").status_code,
                                      range(16)))  # fmt: skip
            assert codes == [200] * 16
            sent += 16
        counts = _per_worker(folder)
        assert sum(counts.values()) == sent and len(counts) == 2
        workers = process_tree(process.pid)[1:]
        assert {f"counter_{pid}" for pid in workers} >= set(counts)
        number = png_bytes(bars_array(2))
        with ThreadPoolExecutor(4) as pool:  # numbers read by either worker
            read = list(pool.map(lambda _: httpx.post(url + "/predict/number",
                                                      files={"file": ("n.png", number)}),
                                 range(8)))  # fmt: skip
        assert [reply.status_code for reply in read] == [200] * 8
        for _ in range(4):  # whichever worker answers /metrics, it reads both files
            text = httpx.get(url + "/metrics").text
            live = sample(text, "http_requests_total", method="GET", route="/health/live",
                          status="200")  # fmt: skip
            assert live == sent
            assert re.search(r"^number_readings_total 8\.0$", text, re.MULTILINE)
            assert sample(text, "not_a_digit_total", endpoint="/predict/number") == 16
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    assert not folder.exists(), "the metrics folder outlived the service"


def test_two_workers_share_a_burst_of_connections_evenly(
    tiny_model_path: Path, tmp_path: Path
) -> None:
    """64 keep-alive connections opened one after another, as a load balancer opens them: each
    worker holds half (app/balance.py). Left to race for the socket, one typically took 40 to
    45 and at times 63."""
    with _start(tiny_model_path, 2, tmp_path) as (process, url):
        _first_answer(process, url)
        (ledger,) = tmp_path.glob("connections-*")
        deadline = time.monotonic() + 60
        while len([n for n in array("q", ledger.read_bytes()) if n != FREE]) < 2:
            assert time.monotonic() < deadline, "the second worker never started accepting"
            time.sleep(0.01)
        (folder,) = tmp_path.glob("prometheus-*")
        before = _per_worker(folder)
        port = int(url.rsplit(":", 1)[1])
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
        try:
            request = b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n"
            for client in clients:
                client.sendall(request)
            for client in clients:
                assert client.recv(4096).startswith(b"HTTP/1.1 200")
        finally:
            for client in clients:
                client.close()
        deadline, served = time.monotonic() + 10, [0.0]
        while sum(served) < 64 and time.monotonic() < deadline:  # counted after answering
            time.sleep(0.01)
            after = _per_worker(folder)
            served = sorted(after[key] - before.get(key, 0) for key in after)
        assert sum(served) == 64
        assert len(served) == 2 and served[1] - served[0] <= 4, served


def test_a_worker_that_cannot_load_the_model_stops_the_service(tmp_path: Path) -> None:
    """As with one process, the start fails (uvicorn's status 3) and the port never answers."""
    with _start(tmp_path / "missing.npz", 2, tmp_path) as (process, url):
        answered, deadline = [], time.monotonic() + 60
        while process.poll() is None:
            assert time.monotonic() < deadline, "still running after 60 s"
            try:
                answered.append(httpx.get(url + "/health/live", timeout=1).status_code)
            except httpx.TransportError:
                time.sleep(0.05)
        assert process.returncode == 3
        assert answered == []
