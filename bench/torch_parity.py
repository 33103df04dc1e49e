"""Check our NumPy network against the same network in PyTorch, and time both side by side.

    python -m bench.torch_parity --preset lenet_bn [--model trained_cnn_model.npz] [--json]

Builds the PyTorch twin of a `Sequential` (bench/torch_twin.py: same layers and weights; both
update BatchNorm's running variance with the unbiased batch variance). Prints: eval-mode
probabilities max |diff| (float32), training-mode parameter gradients max relative diff
(float64, dropout rates set to 0), then train img/s at batch 64, inference us at batch 1 and
img/s at batch 256 for ours (bench/benchmark.py) and for PyTorch in its default (NCHW) and
its channels-last memory format, the three alternated `--rounds` times: the median figures,
and our speed over each layout's (above 1: ours is faster), with the lowest and highest
ratio of a round. Both sides run under the allocator policy training uses
(model_core/allocator.py): glibc's default otherwise serves large arrays from fresh mappings
whose threshold moves with what was freed before, and either side's figures then move with
the history of the run (performance.md, "Why freed memory is kept"). Ours uses at most
`--our-threads` cores, BLAS included, as `--threads` bounds PyTorch: `--threads 1
--our-threads 1` compares one core with one core.
Needs torch: pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
from threadpoolctl import threadpool_limits
from torch import nn

from bench.benchmark import benchmark
from bench.timing import median_seconds
from bench.torch_twin import nchw, to_torch, torch_grads
from model_core.allocator import keep_freed_memory
from model_core.cpus import available_cpus
from model_core.nn.ensemble import members_of
from model_core.nn.losses import softmax_cross_entropy
from model_core.nn.network import Sequential
from model_core.nn.presets import PRESETS, build
from model_core.nn.serialization import load_model, save_model

# --- comparisons --------------------------------------------------------------------------------


def without_dropout(network: Sequential, dtype: type = np.float64) -> Sequential:
    """A copy of `network` in `dtype` with every dropout rate set to 0 (same weights, state)."""
    architecture = copy.deepcopy(network.architecture())
    for spec in architecture["layers"]:
        if spec["type"] == "Dropout":
            spec["rate"] = 0.0
    twin = Sequential.from_architecture(architecture, dtype=dtype)
    for source, target in ((network.params, twin.params), (network.state, twin.state)):
        for name, array in source.items():
            target[name][...] = array
    return twin


def probability_diff(network: Sequential, x: np.ndarray) -> float:
    """Max |p_ours - p_torch| in eval mode (the network's own dtype)."""
    model = to_torch(network).eval()
    ours = network.predict_proba(x)
    with torch.no_grad():
        theirs = torch.softmax(model(nchw(x)), dim=1).numpy()
    return float(np.abs(ours - theirs).max())


def gradient_diffs(network: Sequential, x: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Per parameter (and BatchNorm running statistic after the step): max relative diff.

    Both sides float64, training mode (batch statistics), mean cross-entropy, no dropout.
    """
    ours = without_dropout(network)
    model = to_torch(ours).train()
    logits = ours.forward(x.astype(np.float64), training=True)
    _, dlogits = softmax_cross_entropy(logits, labels)
    ours.backward(dlogits)
    loss = nn.functional.cross_entropy(model(nchw(x.astype(np.float64))), torch.from_numpy(labels))
    loss.backward()
    theirs = torch_grads(ours, model)
    diffs = {name: relative_diff(grad, theirs[name]) for name, grad in ours.grads.items()}
    for index, module in enumerate(model):
        if isinstance(module, nn.BatchNorm1d | nn.BatchNorm2d):
            for stat in ("running_mean", "running_var"):
                theirs_stat = getattr(module, stat).numpy()
                diffs[f"{index}.{stat}"] = relative_diff(ours.state[f"{index}.{stat}"], theirs_stat)
    return diffs


def relative_diff(ours: np.ndarray, theirs: np.ndarray, floor: float = 1e-8) -> float:
    """max |ours - theirs| over max |theirs|; the floor keeps gradients that are zero in theory
    (a conv bias followed by BatchNorm in training mode: ~1e-17 on both sides) from reading
    as large relative errors."""
    scale = max(float(np.abs(theirs).max()), floor)
    return float(np.abs(ours - theirs).max()) / scale


def randomise_batchnorm(network: Sequential, rng: np.random.Generator) -> None:
    """Non-trivial gamma, beta and running statistics, so that parity covers BatchNorm's maths."""
    for name, array in [*network.params.items(), *network.state.items()]:
        if name.endswith(("gamma", "running_var")):
            array[...] = rng.uniform(0.5, 1.5, array.shape)
        elif name.endswith(("beta", "running_mean")):
            array[...] = rng.normal(0.0, 0.2, array.shape)


def saved_preset(preset: str, path: Path, seed: int = 0) -> Path:
    """A random `preset` with randomised BatchNorm, saved to `path` like a trained model."""
    rng = np.random.default_rng(seed)
    network = build(preset, rng)
    randomise_batchnorm(network, rng)
    save_model(path, network, {"preset": preset})
    return path


# --- speed --------------------------------------------------------------------------------------


def torch_benchmark(
    network: Sequential, repeats: int, seed: int = 0, *, channels_last: bool = False
) -> dict[str, float]:
    """The figures of bench/benchmark.py, measured the same way on the torch twin; with
    `channels_last`, the twin and its inputs in PyTorch's NHWC memory format (oneDNN's
    faster convolutions on some CPUs)."""
    rng = np.random.default_rng(seed)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    # the documented call; Module.to's type stubs leave memory_format out
    model = to_torch(network).to(memory_format=layout)  # type: ignore[call-overload]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x64 = nchw(rng.standard_normal((64, *network.input_shape)).astype(np.float32))
    x64 = x64.contiguous(memory_format=layout)
    y64 = torch.from_numpy(rng.integers(0, 10, size=64))
    x256 = nchw(rng.standard_normal((256, *network.input_shape)).astype(np.float32))
    x256 = x256.contiguous(memory_format=layout)

    def train_step() -> None:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x64), y64).backward()
        optimizer.step()

    model.train()
    train_s = median_seconds(train_step, repeats * 4, warmup=10)
    model.eval()
    with torch.inference_mode():
        b1_s = median_seconds(lambda: torch.softmax(model(x64[:1]), 1), repeats * 40, 50)
        b256_s = median_seconds(lambda: torch.softmax(model(x256), 1), repeats * 2, 3)
    return {
        "train_img_s": round(64 / train_s, 1),
        "infer_b1_us": round(b1_s * 1e6, 1),
        "infer_b256_img_s": round(256 / b256_s, 1),
    }


FIGURES = ("train_img_s", "infer_b1_us", "infer_b256_img_s")
SIDES = ("ours", "pytorch", "pytorch_channels_last")


def ratios(ours: dict[str, float], theirs: dict[str, float]) -> dict[str, float]:
    """Our speed over theirs per figure (above 1: ours is faster; latency inverted)."""
    return {
        key: round(theirs[key] / ours[key] if key.endswith("_us") else ours[key] / theirs[key], 3)
        for key in FIGURES
    }


def alternated(
    network: Sequential, preset: str, repeats: int, threads: int, rounds: int
) -> dict[str, list[dict[str, float]]]:
    """Each side's figures, round by round: ours (on `threads` cores: shards, and BLAS
    threads where ours runs one process), then PyTorch in each layout, `rounds` times, so
    that a machine drifting over the run slows every side alike. Our BLAS keeps its limit
    for the whole run: raised again after each of our turns, it slowed PyTorch's one-thread
    figures (batch 1 took 1.5 times as long on machine F), though PyTorch does not call it."""
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in SIDES}
    with threadpool_limits(limits=threads, user_api="blas"):
        for _ in range(rounds):
            ours = benchmark(preset, repeats, threads=threads)
            runs["ours"].append({key: float(ours[key]) for key in FIGURES})
            runs["pytorch"].append(torch_benchmark(network, repeats))
            runs["pytorch_channels_last"].append(
                torch_benchmark(network, repeats, channels_last=True)
            )
    return runs


def summary(runs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Each side's median figures, and per PyTorch layout the ratios of the medians and
    the lowest and highest ratio of a round."""
    report: dict[str, Any] = {
        side: {key: float(np.median([run[key] for run in runs[side]])) for key in FIGURES}
        for side in SIDES
    }
    for side in SIDES[1:]:
        report[f"ratio_{side}"] = ratios(report["ours"], report[side])
        rounds = [
            ratios(ours, theirs) for ours, theirs in zip(runs["ours"], runs[side], strict=True)
        ]
        report[f"ratio_range_{side}"] = {
            key: [min(r[key] for r in rounds), max(r[key] for r in rounds)] for key in FIGURES
        }
    return report


# --- the report ---------------------------------------------------------------------------------


def parity(network: Sequential, batch: int = 16, seed: int = 1) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *network.input_shape)).astype(np.float32)
    labels = rng.integers(0, 10, size=batch)
    diffs = gradient_diffs(network, x, labels)
    worst = max(diffs, key=diffs.__getitem__)
    return {
        "eval_prob_max_abs_diff": probability_diff(network, x),
        "grad_max_rel_diff": diffs[worst],
        "grad_worst": worst,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", default="lenet_bn", choices=sorted(PRESETS))
    parser.add_argument("--model", type=Path, help="a saved .npz (default: random --preset)")
    parser.add_argument("--repeats", type=int, default=10, help="timing repeats (scaled per test)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: torch's)")
    parser.add_argument(
        "--our-threads",
        type=int,
        default=available_cpus(),
        help="our cores: shards of our training step and batch 256, and at most as many BLAS"
        " threads (default: the CPUs available)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="ours and PyTorch alternated this many times"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    keep_freed_memory()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.model:
        network = members_of(load_model(args.model).network)[0]  # an ensemble's first network
    else:
        rng = np.random.default_rng(0)
        network = build(args.preset, rng)
        randomise_batchnorm(network, rng)
    runs = alternated(network, args.preset, args.repeats, args.our_threads, args.rounds)
    report = {
        "preset": args.preset,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "our_threads": args.our_threads,
        "rounds": args.rounds,
        **parity(network),
        **summary(runs),
        "runs": runs,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    for key in ("preset", "torch", "torch_threads", "our_threads", "rounds",
                "eval_prob_max_abs_diff", "grad_max_rel_diff", "grad_worst"):  # fmt: skip
        print(f"{key:>24}: {report[key]}")
    print(f"{'medians':>24}  {'ours':>10} {'pytorch':>10} {'chan-last':>10}   ours over each "
          f"(lowest-highest round)")  # fmt: skip
    for key in FIGURES:
        figures = " ".join(f"{report[side][key]:>10.1f}" for side in SIDES)
        over = "  ".join(
            f"{report[f'ratio_{side}'][key]:.3f} ({low:.2f}-{high:.2f})"
            for side in SIDES[1:]
            for low, high in [report[f"ratio_range_{side}"][key]]
        )
        print(f"{key:>24}: {figures}   {over}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
