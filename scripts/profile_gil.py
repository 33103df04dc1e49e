"""How much of the forward pass leaves the GIL free, by batch size (README: the service's speed).

    python scripts/profile_gil.py [--model trained_cnn_model.npz] [--seconds 2] [--json]

One thread preprocesses the load test's 280x280 PNG in a loop (decoding and normalisation:
Python and small NumPy calls, GIL-bound) while another runs the network on batches of random
digits. Each rate is compared with the same loop run alone: a share near 1.0 for the
preprocessing means the forward pass beside it held the GIL for almost none of its time.
Needs two free cores to mean anything; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the service runs (app/__init__.py)

# After the BLAS setting; loadtest* are siblings (a script's own folder is on sys.path).
import loadtest
import numpy as np
from loadtest_generators import digit_png

from model_core.classifier import DigitClassifier
from model_core.preprocessing import preprocess_bytes

BATCHES = (1, 2, 4, 8, 16, 32, 64)


def rate(work: Callable[[], int], finished: Callable[[], bool]) -> float:
    """Items per second of `work()` (which returns how many items it did), until `finished()`."""
    done, start = 0, time.perf_counter()
    while not finished():
        done += work()
    return done / (time.perf_counter() - start)


def after(seconds: float) -> Callable[[], bool]:
    end = time.perf_counter() + seconds
    return lambda: time.perf_counter() >= end


def shares(classifier: DigitClassifier, png: bytes, seconds: float) -> list[dict[str, float]]:
    digits = np.random.default_rng(0).random((max(BATCHES), 28, 28), dtype=np.float32)

    def preprocess() -> int:
        preprocess_bytes(png)
        return 1

    alone = rate(preprocess, after(seconds))
    rows = []
    for batch in BATCHES:

        def forward(size: int = batch) -> int:
            classifier.probabilities(digits[:size])
            return size

        forward_alone = rate(forward, after(seconds / 2))
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(rate, forward, stop.is_set)
            together = rate(preprocess, after(seconds))
            stop.set()
            beside = running.result()
        rows.append({
            "batch": batch,
            "forward alone, images/s": round(forward_alone),
            "forward beside preprocessing, images/s": round(beside),
            "preprocessing beside forward / alone": round(together / alone, 2),
            "forward beside preprocessing / alone": round(beside / forward_alone, 2),
        })  # fmt: skip
    return [{"preprocessing alone, images/s": round(alone)}, *rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=loadtest.DEFAULT_MODEL)
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = shares(DigitClassifier.load(args.model), digit_png(), args.seconds)
    report.append({"load average": [round(x, 2) for x in os.getloadavg()]})  # type: ignore[dict-item]
    if args.json:
        print(json.dumps(report))
        return 0
    for row in report:
        print("  ".join(f"{name}: {value}" for name, value in row.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
