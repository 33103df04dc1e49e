"""A number read by /predict/number against one digit read by /predict, side by side.

    python -m bench.number [--data-dir ../shared/data/mnist] [--digits 4] [--numbers 20]

Issue 27's target: a 4-digit number in at most 3x the time of one /predict. Each is timed
twice, alternated, with the committed model and number networks: the handlers' own work
(app/inference.py's predict_image and read_number_image: decoding, cutting, the networks,
the answer), in this process; and whole requests from one client over a kept-alive
connection to the service started as the Dockerfile starts it (its ENV and CMD, in this
checkout: bench/servers.py), which add the same server and client time to both. Canvas PNGs
of real MNIST test digits: a single digit, and numbers of each kind
(model_core/number/synth.py), digits about 80 px tall. OPENBLAS_NUM_THREADS should be 1, as
in the image.

Rows, in ms: "handler" and "request", the best median wall time over the rounds; "cpu", the
handler thread's CPU time (time.thread_time, the best median); "server", the service's CPU
time a request, every thread of its processes, the mean over as many requests as the others
send (/proc schedstat). Wall times on a shared machine move with its other load, CPU times
far less; a median leaves out the costlier numbers of a kind, the mean counts them (what an
instance is billed).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from app.config import Settings
from app.inference import predict_image, read_number_image
from bench.container.build import REPO_ROOT
from bench.gemm import gemm_gflops
from bench.servers import running_seconds, shipped_server
from bench.timing import median_seconds
from model_core.classifier import DigitClassifier
from model_core.data.mnist import load_mnist
from model_core.number.synth import DIGIT_HEIGHT, KINDS, layout

DIGIT_PX = 80  # digit height on the canvas


def canvas_png(coverage: np.ndarray, scale: float) -> bytes:
    """(h, w) ink coverage on [0, 1] -> a PNG of black strokes on white, scaled, with margin."""
    ink = Image.fromarray(np.round(coverage * 255).astype(np.uint8))
    size = (round(ink.width * scale), round(ink.height * scale))
    margin = DIGIT_PX // 2
    page = Image.new("L", (size[0] + 2 * margin, size[1] + 2 * margin), 0)
    page.paste(ink.resize(size, Image.Resampling.BICUBIC), (margin, margin))
    buffer = io.BytesIO()
    Image.eval(page, lambda v: 255 - v).save(buffer, format="PNG")
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data/mnist"))
    parser.add_argument("--digits", type=int, default=4, help="digits in each number")
    parser.add_argument("--numbers", type=int, default=20, help="images of each kind")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    images, _ = load_mnist(args.data_dir, "test")
    rng = np.random.default_rng(0)
    scale = DIGIT_PX / DIGIT_HEIGHT
    singles = [canvas_png(layout([images[i]], "spaced", rng).coverage, scale) for i in range(20)]

    def drawn(kind: str) -> bytes:
        chosen = list(images[rng.integers(0, len(images), args.digits)])
        return canvas_png(layout(chosen, kind, rng).coverage, scale)

    numbers = {kind: [drawn(kind) for _ in range(args.numbers)] for kind in KINDS}
    print(f"float32 GEMM: {gemm_gflops()} GFLOP/s")
    settings = Settings(log_level="WARNING")
    classifier = DigitClassifier.load(
        settings.model_path,
        settings.verifier_path,
        settings.full_ensemble,
        settings.sequence_reader_path,
    )
    pixels, most = settings.max_image_pixels, settings.max_number_digits

    def timed(
        one: Callable[[bytes], object], uploads: list[bytes], clock: Callable[[], float]
    ) -> float:
        cycle = iter(uploads * 1000)
        return 1000 * median_seconds(
            lambda: one(next(cycle)), len(uploads), warmup=2, rounds=args.rounds, clock=clock
        )

    with (
        shipped_server(settings.model_path, {}, REPO_ROOT) as (base, pid),
        httpx.Client(base_url=base, trust_env=False, timeout=30) as client,
    ):

        def served(one: Callable[[bytes], object], uploads: list[bytes]) -> float:
            """The server's CPU ms a request, over as many as `timed` sends."""
            cycle, count = iter(uploads * 1000), 2 + len(uploads) * args.rounds
            before = running_seconds(pid)
            for _ in range(count):
                one(next(cycle))
            return 1000 * (running_seconds(pid) - before) / count

        def post(path: str) -> Callable[[bytes], object]:
            def one(data: bytes) -> None:
                response = client.post(path, files={"file": ("upload.png", data)})
                assert response.status_code == 200, response.text

            return one

        def digit(data: bytes) -> object:
            return predict_image(classifier, data, pixels, time.perf_counter())

        def read(data: bytes) -> object:
            return read_number_image(classifier, data, pixels, most, time.perf_counter())

        wall, cpu = partial(timed, clock=time.perf_counter), partial(timed, clock=time.thread_time)
        handlers = (
            ("handler", digit, read, wall),
            ("cpu", digit, read, cpu),
            ("request", post("/predict"), post("/predict/number"), wall),
            ("server", post("/predict"), post("/predict/number"), served),
        )
        for kind, uploads in numbers.items():
            for name, read_digit, read_number, measure in handlers:
                digit_ms, number_ms = measure(read_digit, singles), measure(read_number, uploads)
                ratio = number_ms / digit_ms
                print(
                    f"{kind:9s} {name:8s} /predict {digit_ms:6.2f} ms   /predict/number"
                    f" ({args.digits} digits) {number_ms:6.2f} ms   ratio {ratio:.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
