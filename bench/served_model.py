"""Batch-1 inference of a saved model over real digits, as the service runs it.

    python -m bench.served_model --data-dir ../shared/data/mnist

An ensemble with a cascade (model_core/nn/cascade.py) costs what its digits make it cost: its
first network reads every image, the others only the images that network is unsure of. So
this times one image at a time over real MNIST digits (the test split by default, digits the
model never saw: the training digits it learned would flatter the cascade), the cascade, the
full ensemble and the first network alone, each through the same folded networks the service
runs, in alternated rounds on one BLAS thread. Each figure is the mean time per image, the
lowest of the rounds (other load on the machine only ever adds time).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from bench.figures import print_figures
from bench.gemm import gemm_gflops
from model_core.classifier import DigitClassifier
from model_core.data.mnist import load_mnist
from model_core.preprocessing import preprocess_array, to_model_input

Runner = Callable[[np.ndarray], np.ndarray]


def mean_seconds(run: Runner, inputs: np.ndarray) -> float:
    """Mean seconds of `run` on each (1, 28, 28, 1) image of `inputs` in turn."""
    start = time.perf_counter()
    for i in range(len(inputs)):
        run(inputs[i : i + 1])
    return (time.perf_counter() - start) / len(inputs)


def measure(model_path: str, images: np.ndarray, rounds: int) -> dict[str, float | int]:
    """Per-image seconds of the cascade, the full ensemble and the first network, and the
    share of images the cascade passed on to the other networks."""
    classifier = DigitClassifier.load(model_path)
    cascade = classifier.cascade
    if cascade is None:
        raise SystemExit(f"{model_path} is not an ensemble with a cascade in its metadata")
    normalised = np.stack([preprocess_array(image).image for image in images])  # (N, 28, 28)
    inputs = to_model_input(normalised, classifier.deskew)  # (N, 28, 28, 1)
    runners: dict[str, Runner] = {
        "cascade": cascade.predict_proba,
        "full_ensemble": cascade.ensemble.predict_proba,
        "first_network": cascade.ensemble.members[0].predict_proba,
    }
    best = dict.fromkeys(runners, float("inf"))
    with threadpool_limits(limits=1, user_api="blas"):
        for run in runners.values():
            mean_seconds(run, inputs[:50])  # warm-up
        for _ in range(rounds):
            for name, run in runners.items():
                best[name] = min(best[name], mean_seconds(run, inputs))
    first = cascade.ensemble.members[0].predict_proba(inputs)  # (N, 10)
    return {
        "images": len(inputs),
        "sure": cascade.sure,
        "escalated": round(float(cascade.passed_on(first).mean()), 4),
        **{f"{name}_us": round(seconds * 1e6, 1) for name, seconds in best.items()},
        "cascade_over_full": round(best["cascade"] / best["full_ensemble"], 3),
        "first_over_full": round(best["first_network"] / best["full_ensemble"], 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="trained_cnn_model.npz", help="the .npz to time")
    parser.add_argument("--data-dir", default="data/mnist", help="folder with the MNIST files")
    parser.add_argument("--split", choices=("test", "train"), default="test")
    parser.add_argument("--images", type=int, default=1000, help="digits timed, the first N")
    parser.add_argument("--rounds", type=int, default=5, help="alternated rounds")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    images, _ = load_mnist(args.data_dir, args.split)
    figures = measure(args.model, images[: args.images], args.rounds) | {
        "gemm_gflops": round(gemm_gflops(), 1)
    }
    print_figures(figures, args.json)


if __name__ == "__main__":
    main()
