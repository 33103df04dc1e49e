"""The replayed image's command, run as a service on this machine, and observed.

- `running`: starts a command on a free port in its own process group, and kills the group
  when the block ends; `wait_ready`: seconds until GET /health/ready answers 200.
- `rss_kib`: a process's memory (/proc/PID/status); `tree_size` / `site_packages`: the size
  of what the image installs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(argv: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> Iterator[Service]:
    """Start argv in its own process group; whatever happens, no process outlives the block."""
    port = free_port()
    env = {**env, "PORT": str(port)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield Service(process, f"http://127.0.0.1:{port}", log_path)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_ready(service: Service, timeout: float = 60) -> float:
    """Seconds until GET /health/ready answers 200 (the model is loaded)."""
    started, deadline = time.monotonic(), time.monotonic() + timeout
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(
                    f"the service exited ({service.process.returncode}):\n{service.log()}"
                )
            try:
                if client.get(f"{service.base_url}/health/ready").status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise TimeoutError(f"/health/ready not 200 within {timeout} s:\n{service.log()}")


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """A memory figure of /proc/PID/status in KiB: VmRSS (resident now), VmHWM (peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise ValueError(f"no {field} for process {pid}")


def tree_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def site_packages(venv: Path) -> Path:
    return next(venv.glob("lib/python*/site-packages"))
