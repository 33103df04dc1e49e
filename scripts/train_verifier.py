"""Train the verifier that reads numbers' cuts, and save it as a self-describing .npz.

    python scripts/train_verifier.py --data-dir ../shared/data/mnist   # the committed file

Synthetic numbers are laid out from the MNIST training images (model_core/number/synth.py)
and cut into candidates as /predict/number cuts them; the candidates are the examples
(model_core/number/verifier_data.py). Numbers for validation come from held-out blocks of
writers, as the digit network's blocked split holds them out. The test files are not read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from model_core.allocator import keep_freed_memory
from model_core.nn.serialization import save_model
from model_core.number.sources import writers_apart
from model_core.number.verifier import build_verifier, verifier_metadata
from model_core.number.verifier_data import GARBAGE, candidate_examples
from model_core.train.config import default_config
from model_core.train.loop import EpochStats, fit
from model_core.train.run import git_commit


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data-dir", type=Path, default=Path("data/mnist"), help="MNIST folder")
    p.add_argument("--out", type=Path, default=Path("trained_verifier_model.npz"))
    p.add_argument("--numbers", type=int, default=3000, help="synthetic numbers to train on")
    p.add_argument("--val-numbers", type=int, default=600, help="numbers to validate on")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    keep_freed_memory()
    rng = np.random.default_rng(args.seed)
    writers = writers_apart(args.data_dir, rng)
    images, labels = writers.train
    print(f"cutting {args.numbers} + {args.val_numbers} synthetic numbers ...", flush=True)
    x, y = candidate_examples(images, labels, args.numbers, rng)
    val = candidate_examples(*writers.val, args.val_numbers, rng)
    x = np.concatenate([x, images])  # (M + N, 28, 28) the digits themselves too
    y = np.concatenate([y, labels.astype(np.int64)])
    print(f"{len(y)} examples, {np.mean(y == GARBAGE):.1%} garbage", flush=True)
    config = default_config("lenet", epochs=args.epochs, augment=False, lr=2e-3)
    net = build_verifier(rng)

    def report(stats: EpochStats) -> None:
        print(
            f"epoch {stats.epoch}: loss {stats.train_loss:.4f}, val loss {stats.val_loss:.4f},"
            f" val accuracy {stats.val_acc:.4f} ({stats.seconds:.0f} s)",
            flush=True,
        )

    result = fit(net, config, (x, y), val, rng, on_epoch=report)
    metadata = verifier_metadata(
        numbers=args.numbers,
        val_numbers=args.val_numbers,
        examples=len(y),
        garbage_share=round(float(np.mean(y == GARBAGE)), 4),
        epochs=args.epochs,
        seed=args.seed,
        val_accuracy=round(result.best_val_acc, 4),
        val_loss=round(result.best_val_loss, 4),
        train_seconds=round(result.seconds, 1),
        git_commit=git_commit(),
    )
    save_model(args.out, net, metadata)
    print(f"saved {args.out}: val accuracy {result.best_val_acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
