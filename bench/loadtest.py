"""Load-test the service against the framework's floor, on this machine, in one run.

    python -m bench.loadtest --tiny                      # random lenet_bn if no trained model
    python -m bench.loadtest --requests 3000 --concurrency 1,16,64 --json
    python -m bench.loadtest --tiny --total 20000        # soak: errors and RSS growth
    python -m bench.loadtest --url http://127.0.0.1:8080 --pid 1234   # a running service
    python -m bench.loadtest --shipped --concurrency 1,64  # + the service as the image runs it

Starts `uvicorn app.main:app` (one process, OPENBLAS_NUM_THREADS=1 unless --blas-threads) and a
bare FastAPI app whose /predict only reads the upload (bench/floor_app.py), both on free
127.0.0.1 ports with the same flags. Each cell sends a bounded number of requests at a fixed
concurrency: /predict (multipart, a 280x280 PNG of a digit drawn with Pillow, black on white),
/predict/base64 (the same PNG as a data URL) and the floor (the same multipart upload).

--shipped adds, first in every row group, the service started exactly as the Dockerfile starts
it: its runtime stage's ENV and CMD (read with dockerfile-parse), run in this checkout with this
virtualenv, MODEL_PATH the model served here and PORT a free port (so `python -m app.serve`:
one worker process per available CPU unless --server-env WEB_CONCURRENCY=N). Its row is
"shipped"; its start-up time (process start to the first 200 on /health/ready) and the RSS of
each of its processes are reported beside the one-process service's. --total then soaks it.

Load generator: wrk (closed loop, one request in flight per connection) when installed, else an
async httpx client that measures each latency from the request's intended send time: back to
back per connection, or on a fixed arrival schedule with --rate (open loop). The table gives
requests/s, latency percentiles (ms), errors (non-200 or socket) and the server's CPU time per
request (ms, from /proc: robust to other load on the machine), then predict/floor throughput
ratios and the server's RSS before and after. The payload and the generators live in
generators.py, starting and watching the servers in servers.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from bench import generators
from bench.generators import Endpoint, run_httpx, run_wrk, write_payloads
from bench.report import Cell, print_table, ratios, shipped_verdict, verdict
from bench.servers import (
    UVICORN_FLAGS,
    cpu_seconds,
    rss_mb,
    shipped_server,
    tiny_model,
    tree_rss_mb,
    uvicorn_server,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = ROOT / "trained_cnn_model.npz"


def run_cell(endpoint: Endpoint, requests: int, concurrency: int, args: argparse.Namespace) -> Cell:
    cpu_before = cpu_seconds(endpoint.pid)
    if args.generator == "wrk":
        raw = run_wrk(endpoint, requests, concurrency, args.max_seconds)
    else:
        coroutine = run_httpx(endpoint, requests, concurrency, args.rate, args.max_seconds)
        raw = asyncio.run(coroutine)
    cpu_after = cpu_seconds(endpoint.pid)
    answered, seconds = raw["answered"], raw["elapsed_us"] / 1e6
    cpu_ms = None
    if cpu_before is not None and cpu_after is not None and answered:
        cpu_ms = round((cpu_after - cpu_before) * 1000 / answered, 3)
    return Cell(
        endpoint=endpoint.name,
        concurrency=concurrency,
        requests=answered,
        seconds=round(seconds, 3),
        rps=round(answered / seconds, 1) if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors=raw["non_200"] + raw["socket_errors"] + max(0, requests - answered),
        cpu_ms_per_request=cpu_ms,
    )


# --- the run ------------------------------------------------------------------------------------


def check_answer(endpoint: Endpoint) -> None:
    """One request before the load: the service must answer 200 with a digit."""
    import httpx

    body = endpoint.body_path.read_bytes()
    if endpoint.mode == "multipart":
        response = httpx.post(endpoint.url, files={"file": ("digit.png", body, "image/png")})
    else:
        response = httpx.post(
            endpoint.url, content=body, headers={"content-type": "application/json"}
        )
    if response.status_code != 200:
        raise RuntimeError(f"{endpoint.url} answered {response.status_code}: {response.text}")


def measure(
    endpoints: list[Endpoint],
    args: argparse.Namespace,
    service_pid: int | None,
    shipped_pid: int | None = None,
) -> dict:
    for endpoint in endpoints:
        check_answer(endpoint)
        run_cell(endpoint, args.warmup, 4, args)  # warm-up: codecs, caches, threads
    load_before = os.getloadavg()
    rss_before = rss_mb(service_pid)
    shipped_rss = {"before": tree_rss_mb(shipped_pid)} if shipped_pid else None
    cells = [
        run_cell(endpoint, args.requests, concurrency, args)
        for concurrency in args.concurrency
        for endpoint in endpoints
    ]
    rss_after_table = rss_mb(service_pid)
    if shipped_rss is not None and shipped_pid:
        shipped_rss["after_table"] = tree_rss_mb(shipped_pid)
    soak = None
    if args.total:
        soak = run_cell(endpoints[0], args.total, max(args.concurrency), args)
    if shipped_rss is not None and shipped_pid:
        shipped_rss["after"] = tree_rss_mb(shipped_pid)
    return {
        "generator": args.generator,
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "cells": [asdict(cell) for cell in cells],
        "ratios": ratios(cells),
        "soak": asdict(soak) if soak else None,
        "rss_mb": {
            "before": rss_before,
            "after_table": rss_after_table,
            "after": rss_mb(service_pid),
        },
        "shipped_rss_mb": shipped_rss,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="model .npz to serve")
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="serve a random --preset model when --model does not exist",
    )
    parser.add_argument("--preset", default="lenet_bn", help="architecture for --tiny")
    parser.add_argument(
        "--mode",
        choices=("L", "RGB", "RGBA"),
        default="L",
        help="Pillow mode of the PNG sent (RGBA: like the /draw canvas)",
    )
    parser.add_argument("--url", help="target a running service (its base URL) instead")
    parser.add_argument("--pid", type=int, help="with --url: its process, for RSS and CPU")
    parser.add_argument("--no-floor", action="store_true", help="skip the bare-FastAPI floor")
    parser.add_argument(
        "--shipped",
        action="store_true",
        help="also the service started as the Dockerfile's ENV and CMD start it (row: shipped)",
    )
    parser.add_argument("--concurrency", default="1,16,64", type=generators.client_counts)
    parser.add_argument("--requests", type=int, default=2000, help="requests per cell")
    parser.add_argument(
        "--total",
        type=int,
        default=0,
        help="then a soak of this many /predict requests at top concurrency",
    )
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests per endpoint")
    parser.add_argument("--max-seconds", type=float, default=120, help="time bound per cell")
    parser.add_argument("--generator", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--rate", type=float, help="httpx only: open-loop arrivals per second")
    parser.add_argument(
        "--blas-threads",
        default="1",
        help='OPENBLAS_NUM_THREADS for the servers; "unset" leaves it alone',
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the service (e.g. LOG_LEVEL=WARNING)",
    )
    parser.add_argument(
        "--uvicorn",
        type=str.split,
        default=[],
        help='extra uvicorn flags for both servers, e.g. "--loop asyncio --http h11"',
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    args.generator = generators.available_generator(args.generator)
    if min(args.concurrency) < 1 or args.requests < 1:
        parser.error("concurrency and requests must be positive")
    if args.shipped and args.url:
        parser.error("--shipped starts its own service: not with --url")
    return args


def server_env(args: argparse.Namespace, model: Path | None) -> dict[str, str]:
    env = dict(item.split("=", 1) for item in args.server_env)
    if args.blas_threads != "unset":
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = args.blas_threads
    if model is not None:
        env["MODEL_PATH"] = str(model)
    return env


def resolve_model(args: argparse.Namespace, folder: Path) -> Path:
    if args.model.is_file():
        return args.model
    if args.tiny:
        return tiny_model(folder, args.preset)
    raise SystemExit(f"error: no model at {args.model}; pass --model or --tiny")


def run(args: argparse.Namespace) -> dict:
    startup_s: dict[str, float] = {}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="loadtest-")))
        png_path, json_path = write_payloads(folder, args.mode)
        endpoints, shipped_pid = [], None
        if args.shipped:
            extra = dict(item.split("=", 1) for item in args.server_env)
            started = time.monotonic()
            shipped = shipped_server(resolve_model(args, folder), extra, ROOT)
            shipped_base, shipped_pid = stack.enter_context(shipped)
            startup_s["shipped"] = round(time.monotonic() - started, 3)
            url = shipped_base + "/predict"
            endpoints.append(Endpoint("shipped", url, "multipart", png_path, shipped_pid))
        if args.url:
            base, pid = args.url.rstrip("/"), args.pid
        else:
            model = resolve_model(args, folder)
            env = server_env(args, model)
            service = uvicorn_server("app.main:app", env, "/health/ready", ROOT, args.uvicorn)
            started = time.monotonic()
            base, pid = stack.enter_context(service)
            startup_s["predict"] = round(time.monotonic() - started, 3)
        endpoints += [
            Endpoint("predict", base + "/predict", "multipart", png_path, pid),
            Endpoint("base64", base + "/predict/base64", "json", json_path, pid),
        ]
        if not args.no_floor:
            floor_env = server_env(args, None)
            floor = uvicorn_server("bench.floor_app:app", floor_env, "/openapi.json", ROOT)
            floor_base, floor_pid = stack.enter_context(floor)
            endpoints.append(
                Endpoint("floor", floor_base + "/predict", "multipart", png_path, floor_pid)
            )
        result = measure(endpoints, args, pid, shipped_pid)
        result["service"] = {
            "url": base,
            "pid": pid,
            "server_env": server_env(args, None),
            "uvicorn_flags": [*UVICORN_FLAGS, *args.uvicorn],
        }
        result["startup_s"] = startup_s
    result["verdict"] = verdict(result)
    if args.shipped:
        result["verdict"].update(shipped_verdict(result))
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no log line per request sent
    result = run(args)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)
        print("start-up to the first /health/ready 200 (s):", result["startup_s"])
        if result["shipped_rss_mb"]:
            print("shipped RSS (MB) by process:", result["shipped_rss_mb"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
