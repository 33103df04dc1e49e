"""A number read by /predict/number against one digit read by /predict, side by side.

    python -m bench.number [--data-dir ../shared/data/mnist] [--digits 4] [--numbers 20]

Issue 27's target: a 4-digit number in at most 3x the time of one /predict. Both go through
the whole ASGI app in-process (every middleware, the threadpool hop), alternated, with the
committed model and verifier: canvas PNGs of real MNIST test digits, a single digit on a
280x280 canvas and numbers of each kind (model_core/number/synth.py) with digits about 80 px
tall. Each figure is the best median wall time over the rounds, in ms; OPENBLAS_NUM_THREADS
should be 1, as in the image.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from app.config import Settings
from app.main import create_app
from bench.gemm import gemm_gflops
from bench.timing import median_seconds
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

    def number(kind: str) -> bytes:
        chosen = list(images[rng.integers(0, len(images), args.digits)])
        return canvas_png(layout(chosen, kind, rng).coverage, scale)

    numbers = {kind: [number(kind) for _ in range(args.numbers)] for kind in KINDS}
    print(f"float32 GEMM: {gemm_gflops()} GFLOP/s")
    with TestClient(create_app(Settings(log_level="WARNING"))) as client:

        def post(path: str, uploads: list[bytes]) -> float:
            cycle = iter(uploads * 1000)

            def one() -> None:
                response = client.post(path, files={"file": ("upload.png", next(cycle))})
                assert response.status_code == 200, response.text

            return 1000 * median_seconds(one, len(uploads), warmup=2, rounds=args.rounds)

        for kind, uploads in numbers.items():
            digit_ms = post("/predict", singles)
            number_ms = post("/predict/number", uploads)
            print(
                f"{kind:9s} /predict {digit_ms:6.2f} ms   /predict/number ({args.digits} digits)"
                f" {number_ms:6.2f} ms   ratio {number_ms / digit_ms:.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
