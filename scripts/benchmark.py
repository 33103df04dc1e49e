"""Measure a preset's training throughput and inference speed.

    python scripts/benchmark.py --preset lenet --json

Training: images/s of forward + loss + backward + optimizer step at batch 64 (Adam).
Inference: median latency of one image, and images/s at batch 256. Every figure is the
median of several timed repeats after warm-up, on random inputs (speed does not depend on
the values).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

from model_core.losses import softmax_cross_entropy
from model_core.optimizers import Adam
from model_core.presets import PRESETS, build


def median_seconds(fn: Callable[[], object], repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def benchmark(preset: str, repeats: int, seed: int = 0) -> dict[str, float | str | int]:
    rng = np.random.default_rng(seed)
    net = build(preset, rng)
    optimizer = Adam(net.params, lr=1e-3)

    x64 = rng.standard_normal((64, *net.input_shape)).astype(np.float32)  # (64, 28, 28, 1)
    y64 = rng.integers(0, 10, size=64)

    def train_step() -> None:
        logits = net.forward(x64, training=True)
        _, dlogits = softmax_cross_entropy(logits, y64)
        net.backward(dlogits)
        optimizer.step(net.grads)

    x1 = x64[:1]  # (1, 28, 28, 1)
    x256 = rng.standard_normal((256, *net.input_shape)).astype(np.float32)  # (256, 28, 28, 1)
    train_s = median_seconds(train_step, repeats * 4, warmup=10)
    b1_s = median_seconds(lambda: net.predict_proba(x1), repeats * 40, warmup=50)
    b256_s = median_seconds(lambda: net.predict_proba(x256), repeats * 2, warmup=3)
    return {
        "preset": preset,
        "params": net.num_params(),
        "train_img_s": round(64 / train_s, 1),
        "train_step_ms": round(train_s * 1e3, 3),
        "infer_b1_us": round(b1_s * 1e6, 1),
        "infer_b256_img_s": round(256 / b256_s, 1),
        "numpy": np.__version__,
        "cpus": os.cpu_count() or 0,
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--preset", default="lenet", choices=sorted(PRESETS), help="architecture")
    parser.add_argument("--repeats", type=int, default=10, help="timing repeats (scaled per test)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = benchmark(args.preset, args.repeats)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>18}: {value}")


if __name__ == "__main__":
    main()
