"""Train a network on MNIST and save it as a self-describing .npz.

    python scripts/train.py --data-dir ../shared/data/mnist --out trained_cnn_model.npz

With no options beyond --data-dir this reproduces the committed model. Any option left out
takes the preset's default (see model_core/train/loop.py, PRESET_DEFAULTS). The best epoch by
validation accuracy is kept; Ctrl-C stops early and still saves the best epoch so far. When
the data folder also holds the test files, the saved model records its test accuracy (the
test set is never used to choose anything).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
from tqdm import tqdm

from model_core.data.mnist import file_sha256, load_mnist, mnist_paths
from model_core.data.splits import SPLITS, WRITER_BLOCK, split
from model_core.nn.ensemble import Ensemble
from model_core.nn.network import Sequential
from model_core.nn.optimizers import OPTIMIZERS
from model_core.nn.presets import DEFAULT_PRESET, PRESETS, build
from model_core.nn.serialization import save_model
from model_core.train.allocator import keep_freed_memory
from model_core.train.loop import (
    EpochStats,
    TrainConfig,
    TrainResult,
    default_config,
    evaluate,
    fit,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data/mnist"),
        help="folder with the MNIST IDX files, gzip or raw (default: data/mnist)",
    )
    p.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        choices=sorted(PRESETS),
        help=f"architecture (default: {DEFAULT_PRESET}, the committed model)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("trained_cnn_model.npz"),
        help="where to write the model (default: trained_cnn_model.npz)",
    )
    p.add_argument("--epochs", type=int, help="passes over the training split")
    p.add_argument("--batch-size", type=int, help="images per optimizer step")
    p.add_argument(
        "--optimizer",
        choices=sorted(OPTIMIZERS),
        help="sgd (Nesterov momentum), adam, adamw or rmsprop",
    )
    p.add_argument("--lr", type=float, help="peak learning rate")
    p.add_argument(
        "--schedule",
        choices=["constant", "step", "cosine"],
        help="learning-rate schedule after warm-up",
    )
    p.add_argument("--warmup-epochs", type=float, help="linear warm-up length in epochs")
    p.add_argument("--weight-decay", type=float, help="weight decay on weights (not biases)")
    p.add_argument("--momentum", type=float, help="momentum, for --optimizer sgd")
    p.add_argument("--label-smoothing", type=float, help="label smoothing of the targets")
    p.add_argument(
        "--val-fraction", type=float, help="share of the training images held out for validation"
    )
    p.add_argument(
        "--val-split",
        choices=SPLITS,
        help="random: the share taken from each class at random (writers shared with training);"
        f" blocked: whole blocks of {WRITER_BLOCK} contiguous images, mostly whole writers,"
        " as the test set is",
    )
    p.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="random shifts, rotations and scaling of training images",
    )
    p.add_argument(
        "--augmentation",
        choices=["affine", "shift"],
        help="affine: random rotation, scale and shift; shift: whole-pixel shifts only",
    )
    p.add_argument("--max-shift", type=float, help="augmentation: largest shift in pixels")
    p.add_argument("--max-rotation", type=float, help="augmentation: largest rotation in degrees")
    p.add_argument(
        "--scale-range",
        type=float,
        nargs=2,
        metavar=("LOW", "HIGH"),
        help="augmentation: range of the random scale factor",
    )
    p.add_argument(
        "--elastic-alpha",
        type=float,
        help="augmentation (affine): strength of a random elastic distortion, in pixels of"
        " smoothed displacement per unit noise (Simard et al. use 34; 0 turns it off)",
    )
    p.add_argument(
        "--elastic-sigma",
        type=float,
        help="augmentation (affine): smoothness of the elastic distortion (Gaussian sigma, px)",
    )
    p.add_argument(
        "--thickness",
        type=float,
        help="augmentation (affine): largest random change of stroke thickness, as a share of"
        " a 3x3 grey dilation or erosion in [0, 1] (0 turns it off)",
    )
    p.add_argument(
        "--ema",
        type=float,
        help="decay of an exponential moving average of the weights, which is then evaluated"
        " and saved (e.g. 0.999; 0 keeps the raw weights)",
    )
    p.add_argument(
        "--deskew",
        action=argparse.BooleanOptionalAction,
        help="shear each digit upright (from its moments) before the network, in training and"
        " wherever the saved model is used (it records this)",
    )
    p.add_argument(
        "--members",
        type=int,
        help="networks to train, each from its own random start; more than one are saved as"
        " an ensemble that averages their probabilities",
    )
    p.add_argument("--seed", type=int, help="random seed: same seed, same model")
    p.add_argument("--limit", type=int, help="use only the first N training images (quick runs)")
    return p.parse_args(argv)


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def train_member(
    net: Sequential,
    config: TrainConfig,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
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
    names = {f.name for f in fields(default_config(args.preset))} - {"preset"}
    overrides = {k: v for k, v in vars(args).items() if k in names and v is not None}
    if "scale_range" in overrides:
        overrides["scale_range"] = tuple(overrides["scale_range"])
    config = default_config(args.preset, **overrides)
    keep_freed_memory()  # each step reuses the last one's pages (allocator.py)
    rng = np.random.default_rng(config.seed)

    images, labels = load_mnist(args.data_dir, "train")
    if args.limit:
        images, labels = images[: args.limit], labels[: args.limit]
    train_idx, val_idx = split(labels, config.val_fraction, rng, config.val_split)
    print(f"data: {len(train_idx)} training, {len(val_idx)} validation images from {args.data_dir}")
    train, val = (images[train_idx], labels[train_idx]), (images[val_idx], labels[val_idx])
    nets, results, interrupted = [], [], False
    for number in range(config.members):
        # Member 0 continues the split's generator (a single network trains as it always
        # has); every other member draws its weights, order and augmentation apart.
        member_rng = rng if number == 0 else np.random.default_rng([config.seed, number])
        net = build(config.preset, member_rng)
        if number == 0:
            print(net.summary())
        if config.members > 1:
            print(f"member {number + 1} of {config.members}")
        result = train_member(net, config, train, val, member_rng)
        if result.history:
            nets.append(net)
            results.append(result)
        if result.interrupted:
            interrupted = True
            kept = f"its best epoch so far ({result.best_epoch})" if result.history else "nothing"
            rest = ", and training no further networks" if number + 1 < config.members else ""
            print(f"interrupted: keeping {kept} of this network{rest}")
            break
    if not nets:
        print("no epoch finished: nothing saved", file=sys.stderr)
        return 1
    model = nets[0] if len(nets) == 1 else Ensemble(nets)
    val_acc = evaluate(model, *val, deskew=config.deskew)[1] if len(val_idx) else None

    metadata: dict[str, object] = {
        "preset": config.preset,
        "input": {"deskew": config.deskew},  # what to_model_input must do for this model
        "hyperparameters": asdict(config),
        "history": [
            stats | ({"member": number} if len(nets) > 1 else {})
            for number, result in enumerate(results)
            for stats in result.history_dicts()
        ],
        "best_epoch": results[0].best_epoch if len(nets) == 1 else None,
        "members": [
            {"best_epoch": r.best_epoch, "train_seconds": round(r.seconds, 1)} for r in results
        ],
        "val_accuracy": val_acc,
        "val_size": len(val_idx),
        "train_size": len(train_idx),
        "train_seconds": round(sum(r.seconds for r in results), 1),
        "interrupted": interrupted,
        "data": {p.name: file_sha256(p) for p in mnist_paths(args.data_dir, "train")},
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "numpy": np.__version__,
    }
    try:
        test_images, test_labels = load_mnist(args.data_dir, "test")
    except FileNotFoundError:
        print("no test files: test accuracy not recorded")
    else:
        _, test_acc = evaluate(model, test_images, test_labels, deskew=config.deskew)
        metadata |= {"test_accuracy": test_acc, "test_size": len(test_labels)}
        metadata["data"] |= {p.name: file_sha256(p) for p in mnist_paths(args.data_dir, "test")}
        print(f"test accuracy: {test_acc:.4f} (n={len(test_labels)})")
    save_model(args.out, model, metadata)
    kept = "best epoch" if len(val_idx) else "last epoch"
    what = f"{len(nets)} networks, each at its {kept}" if len(nets) > 1 else f"the {kept}"
    accuracy = f", val acc {val_acc:.4f}" if val_acc is not None else ""
    print(f"saved {args.out}: {what}{accuracy}, {metadata['train_seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
