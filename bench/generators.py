"""What the load test sends and how: the payload, and the two load generators.

wrk (closed loop, one request in flight per connection, scripted by loadtest.lua) when it is
installed; otherwise an async httpx client that times each request from its intended send time,
back to back per connection or on a fixed arrival schedule (open loop), so that a slow server
cannot hide its queueing (no coordinated omission). Both return the same summary dict.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

LUA_SCRIPT = Path(__file__).with_name("loadtest.lua")


@dataclass(frozen=True)
class Endpoint:
    name: str  # row label
    url: str
    mode: str  # "multipart" (the image as field "file") or "json" (the body file as is)
    body_path: Path
    pid: int | None  # server process, for CPU time per request


def digit_png(side: int = 280, mode: str = "L") -> bytes:
    """A hand-drawn-looking 7, black strokes on white, as a PNG of Pillow mode `mode`.

    "L" by default; "RGBA" (opaque) is what the /draw page's canvas sends, and preprocessing
    reads it about twice as slowly (bench/profile_request.py).
    """
    from PIL import Image, ImageDraw

    image = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(image)
    scale = side / 280
    points = [(70 * scale, 62 * scale), (205 * scale, 58 * scale), (128 * scale, 232 * scale)]
    draw.line(points, fill=0, width=round(18 * scale), joint="curve")
    bar = [(100 * scale, 150 * scale), (185 * scale, 146 * scale)]
    draw.line(bar, fill=0, width=round(14 * scale))
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def write_payloads(folder: Path, mode: str = "L") -> tuple[Path, Path]:
    """The PNG and the /predict/base64 JSON body (a data URL of the same PNG)."""
    png = digit_png(mode=mode)
    png_path, json_path = folder / "digit.png", folder / "digit.json"
    png_path.write_bytes(png)
    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
    json_path.write_text(json.dumps({"image": data_url}))
    return png_path, json_path


def available_generator(choice: str) -> str:
    """`choice` ("wrk" or "httpx"), or for "auto" wrk where it is installed, else httpx."""
    if choice != "auto":
        return choice
    return "wrk" if shutil.which("wrk") else "httpx"


def client_counts(text: str) -> list[int]:
    """A --concurrency value, "1,16,64" -> [1, 16, 64]."""
    return [int(count) for count in text.split(",")]


def run_wrk(endpoint: Endpoint, requests: int, concurrency: int, max_seconds: float) -> dict:
    """One wrk run stopped after `requests` responses (or `max_seconds`): its JSON summary."""
    threads = min(2, concurrency)
    command = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{int(max_seconds)}s"]
    command += ["--timeout", "30s", "-s", str(LUA_SCRIPT), endpoint.url, "--"]
    command += [endpoint.mode, str(endpoint.body_path), str(requests), str(threads)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines, finished = [], 0
    for line in process.stdout:  # wrk sleeps its whole -d: interrupt it once every thread is done
        lines.append(line)
        finished += line.strip() == "thread-done"
        if finished == threads:
            process.send_signal(signal.SIGINT)
            break
    # Past -d, wrk ends by itself and the loop has read its summary line already.
    lines += process.communicate(timeout=max_seconds + 30)[0].splitlines()
    summary = next(line for line in lines[::-1] if line.startswith('{"answered"'))
    return json.loads(summary)


async def run_httpx(
    endpoint: Endpoint, requests: int, concurrency: int, rate: float | None, max_seconds: float
) -> dict:
    import httpx

    body = endpoint.body_path.read_bytes()
    latencies: list[float] = []
    failures = 0
    interval = concurrency / rate if rate else 0.0  # per connection
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        deadline = started + max_seconds

        async def worker(index: int) -> None:
            nonlocal failures
            count = requests // concurrency + (index < requests % concurrency)
            next_send = started + index * interval / concurrency  # staggered schedules
            for _ in range(count):
                if time.perf_counter() > deadline:
                    return
                if interval:  # open loop: wait for the slot, late or not the slot counts
                    await asyncio.sleep(max(0.0, next_send - time.perf_counter()))
                    intended, next_send = next_send, next_send + interval
                else:  # closed loop: back to back
                    intended = time.perf_counter()
                try:
                    response = await _send(client, endpoint, body)
                    failures += response.status_code != 200
                except httpx.HTTPError:
                    failures += 1
                latencies.append(time.perf_counter() - intended)

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return _summary(latencies, failures, elapsed)


async def _send(client: httpx.AsyncClient, endpoint: Endpoint, body: bytes) -> httpx.Response:
    if endpoint.mode == "multipart":
        files = {"file": ("digit.png", body, "image/png")}
        return await client.post(endpoint.url, files=files)
    return await client.post(
        endpoint.url, content=body, headers={"content-type": "application/json"}
    )


def _summary(latencies: list[float], failures: int, elapsed: float) -> dict:
    ordered = sorted(latencies) or [0.0]

    def percentile(p: float) -> int:
        return int(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1e6)

    return {
        "answered": len(latencies),
        "non_200": failures,
        "socket_errors": 0,
        "elapsed_us": int(elapsed * 1e6),
        "p50_us": percentile(50),
        "p90_us": percentile(90),
        "p99_us": percentile(99),
        "max_us": int(ordered[-1] * 1e6),
    }
