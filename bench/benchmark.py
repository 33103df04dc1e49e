"""Measure a preset's training throughput and inference speed.

    python -m bench.benchmark --preset lenet --json

Training: images/s of forward + loss + backward + optimizer step at batch 64 (Adam), on
`--threads` shards of the batch (model_core/nn/parallel.py; 1: one thread, BLAS as set).
Inference: median latency of one image (one thread), and images/s at batch 256 (on
`--threads` parts of the batch), of the network the service runs (model_core.nn.folding:
BatchNorm folded, Dropout dropped), of `--members` networks averaged when more than one (an
ensemble, as `train.py --members` saves). Every figure is the
median of several timed repeats after warm-up, on random inputs (speed does not depend on
the values).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from contextlib import ExitStack

import numpy as np

from bench.figures import print_figures
from bench.gemm import gemm_gflops
from bench.timing import median_seconds
from model_core.allocator import keep_freed_memory
from model_core.nn.ensemble import Ensemble, Model
from model_core.nn.folding import inference_model
from model_core.nn.losses import softmax_cross_entropy
from model_core.nn.network import Sequential
from model_core.nn.optimizers import Adam
from model_core.nn.parallel import DataParallel
from model_core.nn.presets import PRESETS, build
from model_core.nn.reorder import training_network

Row = dict[str, str | float]  # one line of the per-layer profile


def benchmark(
    preset: str, repeats: int, seed: int = 0, members: int = 1, threads: int = 1
) -> dict[str, float | str | int]:
    """Training figures are one network's; inference runs all `members` (an ensemble)."""
    rng = np.random.default_rng(seed)
    net = build(preset, rng)
    optimizer = Adam(net.params, lr=1e-3)
    x64 = rng.standard_normal((64, *net.input_shape)).astype(np.float32)  # (64, 28, 28, 1)
    y64 = rng.integers(0, 10, size=64)
    x1 = x64[:1]  # (1, 28, 28, 1)
    x256 = rng.standard_normal((256, *net.input_shape)).astype(np.float32)  # (256, 28, 28, 1)
    others = [build(preset, rng) for _ in range(members - 1)]
    served = Ensemble([net, *others]) if others else net
    runner = inference_model(served)
    with ExitStack() as stack:
        trained: Sequential | DataParallel = training_network(net)
        batched: Model | DataParallel = runner
        if threads > 1:
            trained = stack.enter_context(DataParallel(net, threads, rng))
            if isinstance(runner, Sequential):
                batched = stack.enter_context(DataParallel(runner, threads, rng))

        def train_step() -> None:
            logits = trained.forward(x64, training=True)
            _, dlogits = softmax_cross_entropy(logits, y64)
            trained.backward(dlogits)
            optimizer.step(trained.grads)

        train_s = median_seconds(train_step, repeats * 4, warmup=10)
        b1_s = median_seconds(lambda: runner.predict_proba(x1), repeats * 40, warmup=50)
        b256_s = median_seconds(lambda: batched.predict_proba(x256), repeats * 2, warmup=3)
    return {
        "preset": preset,
        "members": members,
        "threads": threads,
        "params": served.num_params(),
        "train_img_s": round(64 / train_s, 1),
        "train_step_ms": round(train_s * 1e3, 3),
        "infer_b1_us": round(b1_s * 1e6, 1),
        "infer_b256_img_s": round(256 / b256_s, 1),
        "numpy": np.__version__,
        "cpus": os.cpu_count() or 0,
        "machine": platform.machine(),
    }


def profile(preset: str, repeats: int, batch: int = 64, seed: int = 0) -> list[Row]:
    """Per-layer forward and backward time of one training step (medians), plus the
    optimizer: where a training step spends its time."""
    rng = np.random.default_rng(seed)
    net = training_network(build(preset, rng))  # the order a step runs its layers in
    optimizer = Adam(net.params, lr=1e-3)
    x = rng.standard_normal((batch, *net.input_shape)).astype(np.float32)
    y = rng.integers(0, 10, size=batch)
    forward: list[list[float]] = [[] for _ in net.layers]
    backward: list[list[float]] = [[] for _ in net.layers]
    step: list[float] = []
    for r in range(repeats * 4 + 5):
        h = x
        for i, layer in enumerate(net.layers):
            start = time.perf_counter()
            h = layer.forward(h, training=True)
            forward[i].append(time.perf_counter() - start)
        _, grad = softmax_cross_entropy(h, y)
        for i in reversed(range(len(net.layers))):
            start = time.perf_counter()
            dx = net.layers[i].backward(grad)  # None from a first layer: nothing before it
            backward[i].append(time.perf_counter() - start)
            grad = grad if dx is None else dx
        start = time.perf_counter()
        optimizer.step(net.grads)
        step.append(time.perf_counter() - start)
        if r < 5:  # warm-up
            for times in (*forward, *backward, step):
                times.clear()
    rows: list[Row] = [
        {
            "layer": f"{i} {type(layer).__name__}",
            "output": str(shape),
            "forward_ms": round(statistics.median(forward[i]) * 1e3, 3),
            "backward_ms": round(statistics.median(backward[i]) * 1e3, 3),
        }
        for i, (layer, shape) in enumerate(zip(net.layers, net.shapes, strict=True))
    ]
    rows.append({"layer": "optimizer (Adam)", "output": "", "forward_ms": 0.0,
                 "backward_ms": round(statistics.median(step) * 1e3, 3)})  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--preset", default="lenet", choices=sorted(PRESETS), help="architecture")
    parser.add_argument("--repeats", type=int, default=10, help="timing repeats (scaled per test)")
    parser.add_argument(
        "--members", type=int, default=1, help="inference of an ensemble of this many networks"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="shards of a training step and of batch 256"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--profile", action="store_true", help="also time each layer of a training step"
    )
    args = parser.parse_args()
    keep_freed_memory()  # as scripts/train.py does: steps reuse the same pages
    if args.profile:
        rows = profile(args.preset, args.repeats)
        total = sum(float(r["forward_ms"]) + float(r["backward_ms"]) for r in rows)
        for row in rows:
            print(f"{row['layer']:<22}{row['output']:<16}fwd {row['forward_ms']:>8.3f} ms"
                  f"   bwd {row['backward_ms']:>8.3f} ms")  # fmt: skip
        print(f"{'sum of medians':<38}{total:>8.3f} ms per batch of 64")
    result = benchmark(args.preset, args.repeats, members=args.members, threads=args.threads)
    result["gemm_gflops"] = gemm_gflops()  # the machine's speed, to scale the figures by
    print_figures(result, args.json)


if __name__ == "__main__":
    main()
