"""Start-up of the shipped command with 1, 2, ... workers, alternated in one run.

    python -m bench.container.startup --runs 5 --workers 1,2

Starts the Dockerfile's CMD with its ENV in this checkout (build.shipped_command: this
virtualenv, the committed model, a free port), WEB_CONCURRENCY set to each count in turn, and
times process start to the first 200 on /health/ready (polled every 10 ms). Beside the wall
time: the CPU seconds the command's processes had used by then, in all and on the critical
path (at most the command itself plus the worker that used most: on an idle machine with a
core per worker, about the wall time). Then the resident memory of each process once every
process has settled (no CPU used for 0.3 s: the other workers have loaded the model too).
Printed as JSON: medians and every run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.container.build import MODEL_FILE, REPO_ROOT, shipped_command
from bench.servers import (
    free_port,
    log_reader,
    process_cpu_seconds,
    process_tree,
    tree_rss_mb,
    wait_ready,
)


def _settled_rss(pid: int, timeout: float = 20) -> dict[str, object]:
    """tree_rss_mb once the processes have used no CPU for 0.3 s (or after `timeout`)."""
    deadline, before = time.monotonic() + timeout, -1.0
    while time.monotonic() < deadline:
        now = sum(process_cpu_seconds(member) for member in process_tree(pid))
        if now == before:
            break
        before = now
        time.sleep(0.3)
    return tree_rss_mb(pid)


def start_once(model: Path, workers: int) -> dict[str, object]:
    port = free_port()
    argv, env = shipped_command(model, port)
    env = {**env, "WEB_CONCURRENCY": str(workers)}
    url = f"http://127.0.0.1:{port}/health/ready"
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        process = subprocess.Popen(
            argv, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
        try:
            wait_ready(url, process, log_reader(log), timeout=60, interval=0.01)
            seconds = time.monotonic() - started
            tree = process_tree(process.pid)
            cpus = {pid: process_cpu_seconds(pid) for pid in tree}
            critical = cpus[process.pid] + max([cpus[pid] for pid in tree[1:]], default=0.0)
            return {
                "workers": workers,
                "ready_s": round(seconds, 3),
                "cpu_s_total": round(sum(cpus.values()), 2),
                "cpu_s_critical_path": round(critical, 2),
                "rss_mb": _settled_rss(process.pid),
            }
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.container.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="starts per worker count")
    parser.add_argument("--workers", default="1,2", help="WEB_CONCURRENCY values, alternated")
    parser.add_argument("--model", type=Path, default=REPO_ROOT / MODEL_FILE)
    args = parser.parse_args(argv)
    counts = [int(item) for item in args.workers.split(",") if item]
    runs = [start_once(args.model, n) for _ in range(args.runs) for n in counts]
    summary = {
        str(n): {
            key: statistics.median(float(r[key]) for r in runs if r["workers"] == n)  # type: ignore[arg-type]
            for key in ("ready_s", "cpu_s_total", "cpu_s_critical_path")
        }
        for n in counts
    }
    print(json.dumps({"loadavg": os.getloadavg(), "median": summary, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
