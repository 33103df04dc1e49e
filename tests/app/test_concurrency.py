"""Many clients at once, each with its own digit, each get exactly their own digit's reading.

32 threads x 10 requests against a real uvicorn process, every request a different real MNIST
test image (as a PNG upload or a base64 data URL), all released at the same moment. The answers
must equal what the classifier gives offline for that image: nothing may leak between requests.
Then the threads serving them: the pool size setting, probes that never wait for a busy pool,
and BLAS kept to one thread.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import pytest
from anyio import to_thread
from fastapi.testclient import TestClient

from model_core.classifier import DigitClassifier, Prediction
from model_core.data.mnist import load_mnist
from tests.app.live_process import ROOT, uvicorn_process
from tests.samples import png_bytes

THREADS = 32
REQUESTS_PER_THREAD = 10
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def digit_pngs(mnist_dir: Path) -> list[bytes]:
    images, _ = load_mnist(mnist_dir, "test")
    return [png_bytes(image) for image in images[: THREADS * REQUESTS_PER_THREAD]]


@pytest.fixture(scope="module")
def expected(digit_pngs: list[bytes], tiny_model_path: Path) -> list[Prediction]:
    classifier = DigitClassifier.load(tiny_model_path)
    return [classifier.predict(data) for data in digit_pngs]


def post(client: httpx.Client, data: bytes, index: int) -> httpx.Response:
    """Even requests upload the file, odd ones send it as a data URL."""
    if index % 2 == 0:
        return client.post("/predict", files={"file": (f"{index}.png", data, "image/png")})
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    return client.post("/predict/base64", json={"image": url})


def run_client(base_url: str, start: threading.Barrier, images: list[tuple[int, bytes]]) -> list:
    """One client: waits for the others, then sends its images one after the other."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        start.wait(timeout=60)
        return [(index, post(client, data, index)) for index, data in images]


def test_expected_readings_tell_every_image_apart(expected: list[Prediction]) -> None:
    """Precondition: a mixed-up answer would show (no two images read the same)."""
    readings = np.array([prediction.probabilities for prediction in expected])  # (N, 10)
    gaps = np.abs(readings[:, None, :] - readings[None, :, :]).max(axis=2)  # (N, N)
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() > 100 * TOLERANCE


def test_concurrent_clients_each_get_their_own_answer(
    tiny_model_path: Path, digit_pngs: list[bytes], expected: list[Prediction]
) -> None:
    indexed = list(enumerate(digit_pngs))
    shares = [indexed[i::THREADS] for i in range(THREADS)]  # interleaved: neighbours differ
    start = threading.Barrier(THREADS)
    with uvicorn_process(tiny_model_path) as live, ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(run_client, live.url, start, share) for share in shares]
        answers = [answer for future in futures for answer in future.result(timeout=300)]
        assert live.alive()
    assert sorted(index for index, _ in answers) == list(range(len(digit_pngs)))
    for index, response in answers:
        assert response.status_code == 200, response.text
        body, offline = response.json(), expected[index]
        assert body["digit"] == offline.digit, index
        assert np.abs(np.array(body["probabilities"]) - offline.probabilities).max() < TOLERANCE
        assert body["preprocessing"]["bbox"] == list(offline.preprocessing.bbox)


# --- the threadpool and BLAS threads ------------------------------------------------------------


def test_the_threadpool_size_setting_is_applied(make_client: Callable[..., TestClient]) -> None:
    client = make_client(threadpool_size=3)

    @client.app.get("/test/tokens")  # type: ignore[attr-defined]
    async def tokens() -> float:
        return to_thread.current_default_thread_limiter().total_tokens

    assert client.get("/test/tokens").json() == 3


def test_health_answers_while_every_worker_thread_is_busy(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(threadpool_size=2)
    release, busy = threading.Event(), threading.Semaphore(0)

    @client.app.get("/test/block")  # type: ignore[attr-defined]
    def block() -> None:  # a plain def: holds one worker thread until released
        busy.release()
        release.wait(timeout=30)

    with ThreadPoolExecutor(4) as pool:
        blocked = [pool.submit(client.get, "/test/block") for _ in range(2)]
        try:
            assert all(busy.acquire(timeout=10) for _ in range(2))  # both workers taken
            for probe in ("/health/live", "/health/ready"):
                assert pool.submit(client.get, probe).result(timeout=5).status_code == 200
        finally:
            release.set()
        assert all(future.result(timeout=30).status_code == 200 for future in blocked)


@pytest.mark.parametrize(("preset", "expected"), [(None, "1"), ("3", "3")])
def test_importing_the_app_keeps_blas_single_threaded(preset: str | None, expected: str) -> None:
    """Unless told otherwise: BLAS threads on top of the request threads oversubscribe the CPU."""
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    if preset is not None:
        environment["OPENBLAS_NUM_THREADS"] = preset
    code = "import os, app; print(os.environ['OPENBLAS_NUM_THREADS'])"
    result = subprocess.run([sys.executable, "-c", code], env=environment, cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert result.stdout.strip() == expected
