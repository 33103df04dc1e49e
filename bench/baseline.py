"""The service as shipped today against the service as shipped at an earlier commit, one run.

    python -m bench.baseline db41c7e                       # issue 26's day, one client
    python -m bench.baseline db41c7e --rounds 4 --concurrency 1,64 --json

Issue 26 asks that one client's median `/predict` request, with the service started as its
Dockerfile starts it, take at most 0.4x as long as on the day the issue was filed (db41c7e).
The commit's tree is exported with `git archive` into a temporary folder and started there
from its own Dockerfile's ENV and CMD, with this virtualenv (bench.container.build's
`shipped_command`), its own code first on the path and its own committed model; this
checkout is started the same way (`bench.loadtest --shipped`). Each round starts both afresh,
the commit first (a server that has run for a while drifts), and sends each the same PNG
upload with the load test's generator (wrk where installed). A round's ratio is this
checkout's median latency over the commit's; the report gives every round's and their median,
with the server CPU time a request of each.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from bench.container.build import MODEL_FILE, REPO_ROOT
from bench.generators import Endpoint, available_generator, client_counts, write_payloads
from bench.loadtest import check_answer, run_cell
from bench.report import Cell
from bench.servers import shipped_server

TARGET = 0.4  # issue 26: at most this share of the commit's median latency at one client


def export_commit(commit: str, into: Path, repo: Path = REPO_ROOT) -> str:
    """The tree of `commit` written into the folder `into` (git archive): its full hash."""
    full = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", f"{commit}^{{commit}}"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    archive = subprocess.Popen(
        ["git", "-C", str(repo), "archive", "--format=tar", full], stdout=subprocess.PIPE
    )
    assert archive.stdout is not None
    with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
        tar.extractall(into, filter="data")
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {full} failed with {archive.returncode}")
    return full


def exported(commit: str, into: Path) -> str:
    """export_commit for a command line: a commit not found here exits with why."""
    try:
        return export_commit(commit, into)
    except subprocess.CalledProcessError as error:
        raise SystemExit(
            f"error: no commit {commit!r} here ({error.stderr or 'git failed'}); a"
            " shallow clone lacks the history: git fetch --unshallow"
        ) from error


@contextmanager
def tree_server(root: Path) -> Iterator[tuple[str, int]]:
    """The service of the checkout or exported tree `root`, its own code and committed model,
    started as its own Dockerfile starts it: (base URL, pid) until the block ends."""
    extra = {"PYTHONPATH": str(root)}  # its own app and model_core before the installed ones
    with shipped_server(root / MODEL_FILE, extra, root) as served:
        yield served


def measured(
    name: str, root: Path, png: Path, concurrency: list[int], args: argparse.Namespace
) -> list[Cell]:
    """The service in `root` (tree_server), one cell per concurrency."""
    with tree_server(root) as (base, pid):
        endpoint = Endpoint(name, base + "/predict", "multipart", png, pid)
        check_answer(endpoint)
        run_cell(endpoint, args.warmup, 1, args)  # codecs, caches, the first connection
        return [run_cell(endpoint, args.requests, clients, args) for clients in concurrency]


def compare(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="baseline-") as temporary:
        folder = Path(temporary)
        png, _ = write_payloads(folder)
        commit = exported(args.commit, folder / "tree")
        rounds = []
        for _ in range(args.rounds):
            before = measured("commit", folder / "tree", png, args.concurrency, args)
            now = measured("shipped", REPO_ROOT, png, args.concurrency, args)
            rounds.append([asdict(cell) for cell in before + now])
    ratios: dict[str, dict] = {}
    for clients in args.concurrency:
        each = [
            _p50(cells, "shipped", clients) / _p50(cells, "commit", clients) for cells in rounds
        ]
        ratios[str(clients)] = {"rounds": [round(r, 3) for r in each],
                                "median": round(statistics.median(each), 3)}  # fmt: skip
    one = ratios["1"]["median"] if "1" in ratios else None
    return {
        "commit": commit,
        "generator": args.generator,
        "rounds": rounds,
        "p50_ratio": ratios,
        "verdict": {f"one client p50 <= {TARGET}x": None if one is None else one <= TARGET},
    }


def _p50(cells: list[dict], name: str, clients: int) -> float:
    return next(c["p50_ms"] for c in cells if c["endpoint"] == name and c["concurrency"] == clients)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("commit", help="the earlier commit to start beside this checkout")
    parser.add_argument("--rounds", type=int, default=4, help="alternated pairs of runs")
    parser.add_argument("--concurrency", default="1", type=client_counts)
    parser.add_argument("--requests", type=int, default=2000, help="requests per cell")
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests per server")
    parser.add_argument("--max-seconds", type=float, default=120, help="time bound per cell")
    parser.add_argument("--generator", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    args.rate = None  # closed loop: one request in flight per connection, as bench.loadtest
    args.generator = available_generator(args.generator)
    if args.rounds < 1 or args.requests < 1 or min(args.concurrency) < 1:
        parser.error("rounds, requests and concurrency must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    result = compare(args)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['commit'][:12]} against this checkout, both as their Dockerfiles start them"
          f" ({result['generator']})")  # fmt: skip
    for number, cells in enumerate(result["rounds"], 1):
        for cell in cells:
            print(f"round {number}  {cell['endpoint']:8s} {cell['concurrency']:3d} clients"
                  f"  p50 {cell['p50_ms']:7.2f} ms  p99 {cell['p99_ms']:7.2f} ms"
                  f"  {cell['rps']:8.1f} req/s  cpu {cell['cpu_ms_per_request']} ms/req"
                  f"  errors {cell['errors']}")  # fmt: skip
    for clients, ratio in result["p50_ratio"].items():
        print(f"p50 this checkout / commit at {clients} clients: median {ratio['median']}"
              f" (rounds {ratio['rounds']})")  # fmt: skip
    print("verdict:", result["verdict"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
