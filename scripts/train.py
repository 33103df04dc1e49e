"""Train a network (or an ensemble) on MNIST and save it as a self-describing .npz.

    python scripts/train.py --data-dir ../shared/data/mnist     # the committed model

Every option left out takes the preset's default (model_core/train/config.py). With a
validation split the best epoch by validation accuracy is kept, without one the last.
Ctrl-C stops early and still saves what finished. When the data folder also holds the test
files, the saved model records its test accuracy (the test set is never used to choose
anything: tune with --val-split blocked).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path
from typing import get_args, get_origin, get_type_hints

import numpy as np
from tqdm import tqdm

from model_core.allocator import keep_freed_memory
from model_core.data.mnist import file_sha256, load_mnist, mnist_paths
from model_core.nn.network import Sequential
from model_core.nn.serialization import save_model
from model_core.train.config import TrainConfig, default_config
from model_core.train.loop import EpochStats, TrainResult, evaluate, fit
from model_core.train.run import Data, TrainingRun, train_model


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    data_help = "folder with the MNIST IDX files, gzip or raw (default: data/mnist)"
    p.add_argument("--data-dir", type=Path, default=Path("data/mnist"), help=data_help)
    out_help = "where to write the model (default: trained_cnn_model.npz)"
    p.add_argument("--out", type=Path, default=Path("trained_cnn_model.npz"), help=out_help)
    p.add_argument("--limit", type=int, help="use only the first N training images (quick runs)")
    types = get_type_hints(TrainConfig)
    for f in fields(TrainConfig):  # one option per config field, default: the preset's
        kind = types[f.name]
        default = f" (default: {f.default}, the committed model)" if f.name == "preset" else ""
        kwargs: dict[str, object] = {"help": f.metadata["help"] + default}
        if f.metadata["choices"]:
            kwargs["choices"] = f.metadata["choices"]
        if kind is bool:
            kwargs["action"] = argparse.BooleanOptionalAction
        elif get_origin(kind) is tuple:
            kwargs |= {"type": get_args(kind)[0], "nargs": 2, "metavar": ("LOW", "HIGH")}
        else:
            kwargs["type"] = kind
        p.add_argument("--" + f.name.replace("_", "-"), **kwargs)  # type: ignore[arg-type]
    return p.parse_args(argv)


def train_member(
    net: Sequential, config: TrainConfig, train: Data, val: Data, rng: np.random.Generator
) -> TrainResult:
    """fit() with a progress bar per epoch and a summary line after each."""
    bar: tqdm | None = None

    def new_bar(epoch: int) -> tqdm:
        return tqdm(total=len(train[1]), desc=f"epoch {epoch}", unit="img", leave=False)

    def on_batch(done: int, loss: float, acc: float) -> None:
        assert bar is not None
        bar.n = done
        bar.set_postfix(loss=f"{loss:.4f}", acc=f"{acc:.4f}", refresh=False)
        bar.update(0)

    def on_epoch(stats: EpochStats) -> None:
        nonlocal bar
        if bar is not None:
            bar.close()
        validation = (
            f"val loss {stats.val_loss:.4f} acc {stats.val_acc:.4f}" if len(val[1]) else "no val"
        )
        print(
            f"epoch {stats.epoch:3d}/{config.epochs}  train loss {stats.train_loss:.4f}"
            f" acc {stats.train_acc:.4f}  {validation}  lr {stats.lr:.2e}  {stats.seconds:.1f}s"
        )
        bar = new_bar(stats.epoch + 1) if stats.epoch < config.epochs else None

    bar = new_bar(1)
    try:
        return fit(net, config, train, val, rng, on_batch=on_batch, on_epoch=on_epoch)
    finally:
        if bar is not None:
            bar.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = {f.name for f in fields(TrainConfig)}
    options = {k: v for k, v in vars(args).items() if k in names and v is not None}
    if "scale_range" in options:
        options["scale_range"] = tuple(options["scale_range"])
    config = default_config(**options)
    keep_freed_memory()  # each step reuses the last one's pages (allocator.py)

    images, labels = load_mnist(args.data_dir, "train")
    if args.limit:
        images, labels = images[: args.limit], labels[: args.limit]

    def on_member(run: TrainingRun, number: int, net: Sequential) -> None:
        if number == 0:
            print(f"data: {len(run.train[1])} training, {len(run.val[1])} validation images")
            print(net.summary())
        if config.members > 1:
            print(f"member {number + 1} of {config.members}")

    run = train_model(config, images, labels, train_member, on_member)
    if run.interrupted:
        print(f"interrupted: keeping the {len(run.networks)} network(s) with a finished epoch")
    if run.model is None:
        print("no epoch finished: nothing saved", file=sys.stderr)
        return 1
    metadata = run.metadata(args.data_dir)
    try:
        test_images, test_labels = load_mnist(args.data_dir, "test")
    except FileNotFoundError:
        print("no test files: test accuracy not recorded")
    else:
        _, test_acc = evaluate(run.model, test_images, test_labels, deskew=config.deskew)
        metadata |= {"test_accuracy": test_acc, "test_size": len(test_labels)}
        metadata["data"] |= {p.name: file_sha256(p) for p in mnist_paths(args.data_dir, "test")}  # type: ignore[operator]
        print(f"test accuracy: {test_acc:.4f} (n={len(test_labels)})")
    save_model(args.out, run.model, metadata)
    kept = "best epoch" if len(run.val[1]) else "last epoch"
    several = len(run.networks) > 1
    what = f"{len(run.networks)} networks, each at its {kept}" if several else f"the {kept}"
    accuracy = f", val acc {run.val_accuracy:.4f}" if run.val_accuracy is not None else ""
    print(f"saved {args.out}: {what}{accuracy}, {metadata['train_seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
