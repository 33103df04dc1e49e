"""Run the real service as a separate `uvicorn app.main:app` process on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.servers import free_port, log_reader, stop, wait_ready

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class LiveProcess:
    url: str
    process: subprocess.Popen[bytes]

    def alive(self) -> bool:
        return self.process.poll() is None


@contextmanager
def uvicorn_process(model_path: Path, **env: str) -> Iterator[LiveProcess]:
    """`uvicorn app.main:app` serving `model_path`, ready (/health/ready answers 200)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log"]  # fmt: skip
    environment = {**os.environ, "MODEL_PATH": str(model_path), "LOG_LEVEL": "WARNING",
                   "OPENBLAS_NUM_THREADS": "1", **env}  # fmt: skip
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: the server never blocks on it
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)
        live = LiveProcess(f"http://127.0.0.1:{port}", process)
        try:
            wait_ready(live.url + "/health/ready", process, log_reader(log), START_TIMEOUT)
            yield live
        finally:
            stop(process)
