"""The service's start command, `python -m app.serve` (the Dockerfile's CMD).

Runs `app.main:app` under uvicorn with one worker process per CPU the container may use: the
cgroup CPU quota (Cloud Run's `--cpu` sets it; v2 `cpu.max`, v1 `cpu.cfs_quota_us`), rounded
up, else the CPUs this process may run on (`os.sched_getaffinity`). `WEB_CONCURRENCY` overrides
the count. Listens on 0.0.0.0:$PORT (8080 without it), no uvicorn access log (the app writes
its own), 8 s for in-flight requests after SIGTERM.

One worker is plain `uvicorn app.main:app`: one process, which loads the model before it opens
its port. Several workers:

- Prometheus metrics go through files shared by the workers: PROMETHEUS_MULTIPROC_DIR is set to
  a fresh temporary folder before they start (and removed at exit), and /metrics sums every
  worker's counts (app/metrics.py);
- the port stays closed until a worker has loaded the model: the socket, bound here and
  handed to the workers, is not listening yet, and each worker's event loop calls listen()
  only after its lifespan (the model load) has succeeded. So Cloud Run's default TCP startup
  probe still waits for the model, and a connection is only ever accepted by a ready worker;
- a worker that fails to start (the model does not load) stops every worker and this process
  exits with uvicorn's start-up failure status (3), as one uvicorn process would;
- this process is uvicorn's supervisor: it passes SIGTERM on to the workers, waits for them,
  and replaces a worker that dies after it started.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from app.log import configure_logging  # the standard library only: cheap before the workers

APP = "app.main:app"
GRACEFUL_SHUTDOWN_SECONDS = 8  # Cloud Run kills 10 s after SIGTERM
CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
CGROUP_V1_CPU_DIRS = ("cpu", "cpu,cpuacct", "cpuacct,cpu")
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

logger = logging.getLogger("uvicorn.error")


# --------------------------------------------------------------------------- how many workers


def _cgroup_paths(proc_cgroup: Path) -> dict[str, str]:
    """This process's cgroup path per hierarchy: "" for v2, a controller list ("cpu,cpuacct")
    for v1, from /proc/self/cgroup lines "ID:CONTROLLERS:PATH"."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return {}
    found: dict[str, str] = {}
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3:
            found[parts[1]] = parts[2]
    return found


def _dirs_up(base: Path, path: str) -> list[Path]:
    """base/path and each parent up to base itself. A container's cgroup is mounted at base, and
    its /proc/self/cgroup may still name the path on the host: base is always looked at."""
    start = base / path.strip("/")
    return [start, *[parent for parent in start.parents if base in parent.parents], base]


def _quota_v2(folder: Path) -> float | None:
    """cpu.max: "max 100000" (no limit) or "200000 100000" (quota and period, microseconds)."""
    try:
        quota, period = (folder / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def _quota_v1(folder: Path) -> float | None:
    """cpu.cfs_quota_us (-1: no limit) over cpu.cfs_period_us."""
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


def cgroup_cpu_limit(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float | None:
    """The CPUs this process's cgroup quota allows (quota / period, the smallest along its cgroup
    and the cgroups above it), or None without a quota."""
    paths = _cgroup_paths(proc_cgroup)
    limits = [_quota_v2(folder) for folder in _dirs_up(root, paths.get("", "/"))]
    for controllers, path in paths.items():
        if "cpu" in controllers.split(","):
            for name in CGROUP_V1_CPU_DIRS:
                limits += [_quota_v1(folder) for folder in _dirs_up(root / name, path)]
    found = [limit for limit in limits if limit is not None]
    return min(found) if found else None


def available_cpus(
    root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP, affinity: int | None = None
) -> int:
    """CPUs this process may use: the CPUs it may run on, capped by the cgroup quota rounded up
    (Cloud Run's `--cpu 1` is a quota of one CPU on a larger machine); at least 1."""
    cpus = len(os.sched_getaffinity(0)) if affinity is None else affinity
    limit = cgroup_cpu_limit(root, proc_cgroup)
    if limit is not None:
        cpus = min(cpus, math.ceil(limit))
    return max(1, cpus)


def worker_count(
    env: Mapping[str, str] = os.environ,
    root: Path = CGROUP_ROOT,
    proc_cgroup: Path = PROC_CGROUP,
    affinity: int | None = None,
) -> int:
    """WEB_CONCURRENCY when set (a positive integer), else `available_cpus`."""
    text = env.get("WEB_CONCURRENCY", "").strip()
    if not text:
        return available_cpus(root, proc_cgroup, affinity)
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"WEB_CONCURRENCY={text!r}: want a positive integer")
    return int(text)


# --------------------------------------------------------------------------- running


def _unlistened_socket(host: str, port: int) -> socket.socket:
    """Bound, not listening (as uvicorn's Config.bind_socket, without its listen())."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _log_level() -> str:
    level = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
    return level if level in logging.getLevelNamesMapping() else "INFO"


def serve(host: str, port: int, workers: int) -> int:
    """Run the service until SIGTERM or SIGINT; the exit status."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    grace = GRACEFUL_SHUTDOWN_SECONDS
    if workers == 1:  # exits 3 if the model does not load
        uvicorn.run(APP, host=host, port=port, access_log=False, timeout_graceful_shutdown=grace)
        return 0
    folder = tempfile.mkdtemp(prefix="prometheus-")
    os.environ[MULTIPROC_VARIABLE] = folder  # before any worker starts: they inherit it
    try:
        config = uvicorn.Config(
            APP, host, port, workers=workers, access_log=False, timeout_graceful_shutdown=grace
        )
        configure_logging(_log_level())  # this process's lines are JSON too, like the workers'
        sock = _unlistened_socket(host, port)
        logger.info("serving %s on http://%s:%d with %d workers", APP, host, port, workers)
        supervisor = Multiprocess(config, sockets=[sock])
        supervisor.run()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    failed = any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes)
    return STARTUP_FAILURE if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.serve", description=__doc__)
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT") or 8080), help="default: $PORT"
    )
    args = parser.parse_args(argv)
    return serve(args.host, args.port, worker_count())


if __name__ == "__main__":
    sys.exit(main())
