"""The load test's servers: start them on free ports, read their CPU and memory.

Used by bench/loadtest.py: `uvicorn_server` for the one-process service and the bare floor app
(floor_app.py), `shipped_server` for the service started as the Dockerfile starts it (its ENV
and CMD, here in the checkout: bench.container.build.shipped_command). CPU time and memory
cover a server's whole process tree (the shipped command's workers are its children).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

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
            wait_ready(base + ready_path, process, log_reader(log))
            yield base, process.pid
        finally:
            stop(process)


@contextmanager
def shipped_server(model: Path, extra_env: dict[str, str], cwd: Path) -> Iterator[tuple[str, int]]:
    """The Dockerfile's CMD with its ENV (bench.container.build.shipped_command), both read
    from the checkout `cwd` and run from it on a free port, until the block ends: (base URL,
    pid of the command)."""
    from bench.container.build import shipped_command

    port = free_port()
    argv, env = shipped_command(model, port, root=cwd)
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: no worker outlives the block
        )
        try:
            wait_ready(base + "/health/ready", process, log_reader(log), interval=0.02)
            yield base, process.pid
        finally:
            stop(process)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_ready(
    url: str,
    process: subprocess.Popen[bytes],
    read_log: Callable[[], str],
    timeout: float = 60.0,
    interval: float = 0.05,
) -> float:
    """Seconds until GET `url` answers 200; the server's log in the error if it exits first or
    never answers 200 within `timeout`."""
    import httpx

    started = time.monotonic()
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() - started < timeout:
            if process.poll() is not None:
                log = read_log()[-3000:]
                raise RuntimeError(f"the server exited with {process.returncode}:\n{log}")
            try:
                if client.get(url).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(interval)
    raise TimeoutError(f"{url} not 200 within {timeout:.0f} s:\n{read_log()[-3000:]}")


def log_reader(log: IO[bytes]) -> Callable[[], str]:
    """What a server wrote so far to `log`, a file it shares with this process."""

    def read() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    return read


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """A memory figure of /proc/PID/status in KiB: VmRSS (resident now), VmHWM (peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise ValueError(f"no {field} for process {pid}")


def rss_mb(pid: int | None) -> float | None:
    """Resident set size of a process, in MB; None without a pid or a resident size."""
    if pid is None:
        return None
    try:
        return rss_kib(pid) / 1024
    except ValueError:  # a zombie has no VmRSS
        return None


def process_tree(pid: int) -> list[int]:
    """pid and its living descendants, parents first (from the parent ids in /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    tree = [pid]
    for member in tree:  # grows while it is walked: breadth first
        tree += sorted(children.get(member, []))
    return tree


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process, its threads and its living descendants (a worker
    process's time counts for the server that started it), from /proc/PID/stat."""
    if pid is None:
        return None
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            total += process_cpu_seconds(member)
    return total


def running_seconds(pid: int) -> float:
    """Time on a CPU of every living thread of a process and its living descendants, to the
    nanosecond (/proc/PID/task/TID/schedstat): /proc/PID/stat counts in 10 ms ticks, too
    coarse for a few requests. Threads that have ended no longer count."""
    total = 0
    for member in process_tree(pid):
        for task in Path(f"/proc/{member}/task").glob("*/schedstat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                total += int(task.read_text().split()[0])
    return total / 1e9


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process and its threads (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_rss_mb(pid: int) -> dict[str, Any]:
    """RSS (MB) of a server's processes by role: the process started ("main"), its uvicorn
    workers (multiprocessing's spawned children), the others (multiprocessing's resource
    tracker), and the total."""
    main: float | None = None
    workers: list[float] = []
    other: list[float] = []
    for member in process_tree(pid):
        try:
            mb = round(rss_mb(member) or 0.0, 1)
            command = Path(f"/proc/{member}/cmdline").read_bytes()
        except OSError:
            continue  # it ended meanwhile
        if member == pid:
            main = mb
        elif b"spawn_main" in command:
            workers.append(mb)
        else:
            other.append(mb)
    total = round((main or 0.0) + sum(workers) + sum(other), 1)
    return {"main": main, "workers": workers, "other": other, "total": total}


def tiny_model(folder: Path, preset: str) -> Path:
    """A randomly initialised preset saved like a trained model (speed does not need weights)."""
    import numpy as np

    from model_core.nn.presets import build
    from model_core.nn.serialization import save_model

    path = folder / f"random-{preset}.npz"
    save_model(path, build(preset, np.random.default_rng(0)), {"preset": preset})
    return path
