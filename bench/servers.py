"""The load test's servers: start uvicorn on a free 127.0.0.1 port, read its CPU and memory.

Used by bench/loadtest.py for the service and for the bare floor app (floor_app.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

UVICORN_FLAGS = ("--host", "127.0.0.1", "--no-access-log")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def uvicorn_server(
    app: str, env: dict[str, str], ready_path: str, app_dir: Path, extra: Sequence[str] = ()
) -> Iterator[tuple[str, int]]:
    """Run `uvicorn APP` on a free port until the block ends: (base URL, pid)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--port", str(port), *UVICORN_FLAGS]
    command += ["--app-dir", str(app_dir), *extra]
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:  # stderr: never a pipe that could fill up and block
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            wait_ready(base + ready_path, process, log)
            yield base, process.pid
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_ready(
    url: str, process: subprocess.Popen[bytes], log: IO[bytes], timeout: float = 60.0
) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            stderr = log.read().decode(errors="replace")
            raise RuntimeError(f"the server exited with {process.returncode}:\n{stderr[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout:.0f} s")


def rss_mb(pid: int | None) -> float | None:
    """Resident set size of a process (VmRSS in /proc/PID/status), in MB."""
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process and its threads, from /proc/PID/stat."""
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tiny_model(folder: Path, preset: str) -> Path:
    """A randomly initialised preset saved like a trained model (speed does not need weights)."""
    import numpy as np

    from model_core.nn.presets import build
    from model_core.nn.serialization import save_model

    path = folder / f"random-{preset}.npz"
    save_model(path, build(preset, np.random.default_rng(0)), {"preset": preset})
    return path
