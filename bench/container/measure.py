"""The measurements of the Dockerfile's image quoted in docs/deployment.md.

The image is replayed here (bench.container.build), its CMD started (pinned to one CPU, as
Cloud Run's --cpu 1, so one worker process; `--cpu 0,1` gives it two) and measured: startup
time, installed size, resident memory (summed over its processes, and per process), /predict
latency and throughput with 280x280 PNGs, 16 MP photos and 24 MP phone photos, one at a time
and concurrently. Printed as JSON:

    taskset -c 1 python -m bench.container --cpu 0 --predictions 200 --clients 1,2,4,8

(taskset -c 1: the client threads do not compete with the server, pinned to CPU 0.)
"""

from __future__ import annotations

import argparse
import base64
import json
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.container.build import replay_image
from bench.container.service import (
    Service,
    digit_png,
    phone_jpeg,
    photo_jpeg,
    running,
    tree_size,
    wait_ready,
)
from bench.servers import process_tree, rss_kib


def _predict_latencies(base_url: str, image: bytes, count: int) -> list[float]:
    latencies = []
    with httpx.Client(trust_env=False, timeout=60) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post(f"{base_url}/predict", files={"file": ("digit", image)})
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
    return latencies


def _summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "mean_ms": round(1000 * sum(ordered) / len(ordered), 1),
        "p50_ms": round(1000 * ordered[len(ordered) // 2], 1),
        "p95_ms": round(1000 * ordered[int(len(ordered) * 0.95)], 1),
    }


def _concurrent(base_url: str, image: bytes, clients: int, per_client: int) -> dict[str, float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        runs = list(
            pool.map(lambda _: _predict_latencies(base_url, image, per_client), range(clients))
        )
    elapsed = time.perf_counter() - started
    latencies = [value for run in runs for value in run]
    return {
        "clients": clients,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        **_summary(latencies),
    }


def _post_json(base_url: str, body: bytes) -> int:
    with httpx.Client(trust_env=False, timeout=60) as client:
        headers = {"content-type": "application/json"}
        return client.post(f"{base_url}/predict/base64", content=body, headers=headers).status_code


def _mib(pid: int, field: str = "VmRSS") -> float:
    """The field summed over the command's processes (its uvicorn workers are its children).
    For VmHWM, a sum of each process's own peak: an upper bound of their peak together."""
    return round(sum(rss_kib(member, field) for member in process_tree(pid)) / 1024, 1)


def _per_process_mib(pid: int) -> list[float]:
    """VmRSS of each of the command's processes, the command first."""
    return [round(rss_kib(member) / 1024, 1) for member in process_tree(pid)]


def _measure_service(service: Service, predictions: int, levels: list[int]) -> dict[str, object]:
    pid, url, png = service.process.pid, service.base_url, digit_png()[0]
    result: dict[str, object] = {"startup_s": round(wait_ready(service), 2)}
    result["rss_ready_mib"] = _mib(pid)
    result["rss_ready_per_process_mib"] = _per_process_mib(pid)
    result["sequential_280px_png"] = _summary(_predict_latencies(url, png, predictions))
    result["rss_after_sequential_mib"] = _mib(pid)
    result["concurrent_280px_png"] = [_concurrent(url, png, n, max(1, 160 // n)) for n in levels]
    result["peak_rss_small_images_mib"] = _mib(pid, "VmHWM")
    photo = photo_jpeg()
    result["photo_16mp_jpeg"] = _summary(_predict_latencies(url, photo, 3))
    result["peak_rss_after_1_photo_mib"] = _mib(pid, "VmHWM")
    for clients in (4, 8):
        _concurrent(url, photo, clients, 1)
        result[f"peak_rss_after_{clients}_concurrent_photos_mib"] = _mib(pid, "VmHWM")
    phone = phone_jpeg()
    phone_latency = _summary(_predict_latencies(url, phone, 3))
    result["phone_24mp_jpeg"] = {"mib": round(len(phone) / 2**20, 1), **phone_latency}
    _concurrent(url, phone, 8, 1)
    result["peak_rss_after_8_concurrent_phone_photos_mib"] = _mib(pid, "VmHWM")
    data_url = "data:image/jpeg;base64," + base64.b64encode(phone_jpeg(quality=85)).decode()
    body = json.dumps({"image": data_url}).encode()  # 6.1 MiB of JSON
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: _post_json(url, body), range(8)))
    result["base64_phone_photos"] = {"json_mib": round(len(body) / 2**20, 1), "statuses": statuses}
    result["peak_rss_after_8_concurrent_base64_phone_photos_mib"] = _mib(pid, "VmHWM")
    result["rss_end_mib"] = _mib(pid)
    result["rss_end_per_process_mib"] = _per_process_mib(pid)
    service.process.send_signal(signal.SIGTERM)
    result["exit_code"] = service.process.wait(timeout=15)
    return result


def measure(predictions: int, cpu: str | None, levels: list[int]) -> dict[str, object]:
    """Replay the image, start its CMD (pinned to `cpu` if given) and measure it."""
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        image = replay_image(workspace)
        argv = (["taskset", "-c", cpu] if cpu else []) + image.argv
        result: dict[str, object] = {
            "server_cpus": cpu or "all",
            "site_packages_mib": round(tree_size(image.site_packages) / 2**20, 1),
        }
        with running(argv, image.workdir, image.env, workspace / "service.log") as service:
            result.update(_measure_service(service, predictions, levels))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.container",
        description="measure the Dockerfile's image, replayed here",
    )
    parser.add_argument("--predictions", type=int, default=200, help="sequential /predict calls")
    parser.add_argument("--cpu", default="0", help="taskset CPU list for the server ('' = all)")
    parser.add_argument("--clients", default="1,2,4,8", help="concurrent client counts")
    args = parser.parse_args(argv)
    levels = [int(item) for item in args.clients.split(",") if item]
    print(json.dumps(measure(args.predictions, args.cpu or None, levels), indent=2))


if __name__ == "__main__":
    main()
