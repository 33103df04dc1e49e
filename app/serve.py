"""The service's start command, `python -m app.serve` (the Dockerfile's CMD).

Runs `app.main:app` under uvicorn with one worker process per CPU the container may use
(model_core/cpus.py): the cgroup CPU quota (Cloud Run's `--cpu` sets it; v2 `cpu.max`, v1
`cpu.cfs_quota_us`), rounded up, else the CPUs this process may run on (`os.sched_getaffinity`).
`WEB_CONCURRENCY` overrides the count. Listens on 0.0.0.0:$PORT (8080 without it), no uvicorn
access log (the app writes its own), 8 s for in-flight requests after SIGTERM.

One worker is plain `uvicorn app.main:app`: one process, which loads the model before it opens
its port. Several workers:

- Prometheus metrics go through files shared by the workers: PROMETHEUS_MULTIPROC_DIR is set to
  a fresh temporary folder before they start (and removed at exit), and /metrics sums every
  worker's counts (app/metrics.py);
- each new connection goes to the worker holding the fewest (app/balance.py): left to race
  for the shared socket, one worker took most of a burst of keep-alive connections;
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
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from app.log import configure_logging  # the standard library only: cheap before the workers
from model_core.cpus import CGROUP_ROOT, PROC_CGROUP, available_cpus  # likewise

APP = "app.main:app"
GRACEFUL_SHUTDOWN_SECONDS = 8  # Cloud Run kills 10 s after SIGTERM
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

logger = logging.getLogger("uvicorn.error")


# --------------------------------------------------------------------------- how many workers


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
    ledger = None
    try:
        if os.name == "posix":  # the balance takes file locks (fcntl)
            ledger = _balance(workers)
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
        if ledger is not None:
            ledger.unlink(missing_ok=True)
    failed = any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes)
    return STARTUP_FAILURE if failed else 0


def _balance(workers: int) -> Path:
    """Have uvicorn's supervisor start workers that share new connections evenly
    (app/balance.py), through a ledger file it names to them; the file's path."""
    from uvicorn.supervisors import multiprocess

    from app.balance import LEDGER_VARIABLE, BalancedProcess, create_ledger

    handle, name = tempfile.mkstemp(prefix="connections-")
    os.close(handle)
    create_ledger(Path(name), workers)
    os.environ[LEDGER_VARIABLE] = name  # before any worker starts: they inherit it
    # The supervisor makes each worker with its module's `Process`: ours runs a BalancedServer.
    multiprocess.Process = BalancedProcess  # type: ignore[misc]
    return Path(name)


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
