"""Where the CPU time of one /predict request goes, stage by stage, in-process (no network).

    python -m bench.profile_request --tiny [--mode RGBA] [--model trained_cnn_model.npz] [--json]

Times, on the load test's 280x280 PNG (bench/loadtest.py), each stage of the request path
alone: multipart parsing, base64 decoding, image decoding (Pillow), digit normalisation, the
model's forward pass, building and serialising the JSON answer; then whole requests through the
ASGI app (every middleware, the threadpool hop) and through the bare floor app
(bench/floor_app.py). What the service adds around its handler is measured directly: whole
requests whose reading is stubbed (the handler answers a ready result, so only middleware,
dependencies, form parsing, the threadpool hop, metrics and the access log remain), in rounds
alternated with the floor app's, so that both see the same machine. Each figure is the best
median CPU time (time.thread_time, or process_time for whole requests) over several rounds,
in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the service runs (app/__init__.py)

# After the BLAS setting, so that NumPy starts with one BLAS thread.
import numpy as np
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartParser

from app.config import Settings
from app.inference import predict_image, to_response
from app.main import create_app
from app.routes import predict as predict_route
from app.routes.predict import json_response
from app.schemas import PredictionResponse, Timing
from app.transport import decode_base64_image
from bench import floor_app, loadtest
from bench.figures import print_figures
from bench.generators import digit_png
from bench.timing import median_seconds
from model_core.classifier import DigitClassifier
from model_core.preprocessing import decode_image, normalize_digit, preprocess_bytes

BOUNDARY = b"----profile7d1f3a9c5e"
MAX_PIXELS = Settings().max_image_pixels
HANDLER = "handler alone (decode to JSON, as /predict)"
WHOLE = "service, whole request"
FLOOR = "floor app, whole request"
STUBBED = "service, reading stubbed, whole request"
AROUND = "around the handler, beyond the floor (stubbed - floor)"


def best_median_ms(fn: Callable[[], object], rounds: int, per_round: int) -> float:
    """This thread's CPU ms of one call: median within a round, best round."""
    seconds = median_seconds(
        fn, per_round, per_round // 4 + 5, rounds=rounds, clock=time.thread_time
    )
    return round(seconds * 1000, 4)


def multipart_body(png: bytes) -> bytes:
    head = (b'--' + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; '
            b'filename="digit.png"\r\nContent-Type: image/png\r\n\r\n')  # fmt: skip
    return head + png + b"\r\n--" + BOUNDARY + b"--\r\n"


def parse_multipart(body: bytes) -> bytes:
    headers = Headers({"content-type": "multipart/form-data; boundary=" + BOUNDARY.decode()})

    async def stream() -> Any:
        yield body

    async def parse() -> bytes:
        form = await MultiPartParser(headers, stream()).parse()
        upload = form["file"]
        data = await upload.read()  # type: ignore[union-attr]
        await form.close()
        return data

    return asyncio.run(parse())


def stages(png: bytes, classifier: DigitClassifier, rounds: int, n: int) -> dict[str, float]:
    body = multipart_body(png)
    data_url = "data:image/png;base64," + base64.b64encode(png).decode()
    gray = decode_image(png).gray
    result = preprocess_bytes(png)
    [prediction] = classifier.predict_preprocessed([result])
    timing = Timing(decode_preprocess=1.0, inference=1.0, total=2.0)
    return {
        "multipart parse (asyncio.run included)": best_median_ms(
            lambda: parse_multipart(body), rounds, n
        ),
        "base64 data URL decode": best_median_ms(lambda: decode_base64_image(data_url), rounds, n),
        "image decode (decode_image)": best_median_ms(lambda: decode_image(png), rounds, n),
        "digit normalisation (normalize_digit)": best_median_ms(
            lambda: normalize_digit(gray), rounds, n
        ),
        "preprocess_bytes (decode + normalise)": best_median_ms(
            lambda: preprocess_bytes(png), rounds, n
        ),
        "model (predict_preprocessed, batch 1)": best_median_ms(
            lambda: classifier.predict_preprocessed([result]), rounds, n
        ),
        "response build + JSON": best_median_ms(
            lambda: json_response(to_response(prediction, timing)), rounds, n
        ),
        HANDLER: best_median_ms(
            lambda: json_response(predict_image(classifier, png, MAX_PIXELS, time.perf_counter())),
            rounds,
            n,
        ),
    }


async def asgi_post(app: Any, body: bytes) -> int:
    """One POST /predict through the ASGI app, as uvicorn would deliver it."""
    headers = [(b"host", b"profile"), (b"content-length", str(len(body)).encode()),
               (b"content-type", b"multipart/form-data; boundary=" + BOUNDARY)]  # fmt: skip
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/predict", "raw_path": b"/predict",
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}  # fmt: skip
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)  # never: the body was read whole
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def whole_requests_ms(
    apps: dict[str, Any], body: bytes, rounds: int, n: int
) -> dict[str, float]:
    """Process CPU ms per request (every thread: the hop to the worker included) of each app,
    best round; the apps take turns in every round."""
    for app in apps.values():
        assert await asgi_post(app, body) == 200
        for _ in range(n // 4 + 5):
            await asgi_post(app, body)
    best = dict.fromkeys(apps, float("inf"))
    for _ in range(rounds):
        for name, app in apps.items():
            start = time.process_time()
            for _ in range(n):
                await asgi_post(app, body)
            best[name] = min(best[name], (time.process_time() - start) / n)
    return {name: round(seconds * 1000, 4) for name, seconds in best.items()}


class StubbedReading:
    """An app whose /predict handler answers `answer`, ready, instead of reading the image."""

    def __init__(self, app: Any, answer: PredictionResponse) -> None:
        self.app, self.stub = app, lambda *args: answer

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        real = predict_route.predict_image
        setattr(predict_route, "predict_image", self.stub)  # noqa: B010
        try:
            await self.app(scope, receive, send)
        finally:
            setattr(predict_route, "predict_image", real)  # noqa: B010


async def requests(model: Path, png: bytes, rounds: int, n: int) -> dict[str, float]:
    body = multipart_body(png)
    app = create_app(Settings(model_path=model, log_level="INFO"))
    async with app.router.lifespan_context(app):
        answer = predict_image(app.state.classifier, png, MAX_PIXELS, time.perf_counter())
        apps = {FLOOR: floor_app.app, STUBBED: StubbedReading(app, answer), WHOLE: app}
        return await whole_requests_ms(apps, body, rounds, n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=loadtest.DEFAULT_MODEL)
    parser.add_argument("--tiny", action="store_true", help="random --preset if no --model")
    parser.add_argument("--preset", default="lenet_bn")
    parser.add_argument("--mode", choices=("L", "RGB", "RGBA"), default="L", help="PNG mode")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    png = digit_png(mode=args.mode)
    with tempfile.TemporaryDirectory() as folder:
        model = loadtest.resolve_model(args, Path(folder))
        classifier = DigitClassifier.load(model)
        report = stages(png, classifier, args.rounds, args.per_round)
        sys.stdout.flush()
        report |= asyncio.run(requests(model, png, args.rounds, args.per_round))
    report["framework: whole request - handler alone"] = round(report[WHOLE] - report[HANDLER], 4)
    report[AROUND] = round(report[STUBBED] - report[FLOOR], 4)
    report["load average"] = [round(x, 2) for x in os.getloadavg()]  # type: ignore[assignment]
    print_figures(report, args.json)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
