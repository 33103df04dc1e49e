"""Train the sequence reader that reads touching digits whole, and save it as a .npz.

    python scripts/train_sequence_reader.py --data-dir ../shared/data/mnist  # the committed file

Synthetic numbers are laid out from the MNIST training images (model_core/number/synth.py),
found as blobs as /predict/number finds them, and each blob becomes a strip labelled with its
digits (model_core/number/strip_data.py); the network learns with CTC. Numbers for validation
come from held-out blocks of writers, as the digit network's blocked split holds them out;
the test files are not read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

from model_core.allocator import keep_freed_memory
from model_core.nn.network import Sequential
from model_core.nn.serialization import load_model, save_model
from model_core.number import gate
from model_core.number.sequence import HIDDEN, build_sequence_reader
from model_core.number.sequence_training import fit_sequence_reader
from model_core.number.sources import writers_apart
from model_core.number.strip_data import nondigit_strips, strip_examples
from model_core.train.run import git_commit


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data-dir", type=Path, default=Path("data/mnist"), help="MNIST folder")
    p.add_argument("--out", type=Path, default=Path("trained_sequence_model.npz"))
    p.add_argument("--numbers", type=int, default=20000, help="fresh numbers every epoch")
    p.add_argument("--val-numbers", type=int, default=600, help="numbers to validate on")
    p.add_argument("--epochs", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--context", type=int, default=1, help="neighbouring columns each frame reads (odd)"
    )
    p.add_argument("--hidden", type=int, default=HIDDEN, help="units of each frame's dense layer")
    p.add_argument("--ones", type=float, default=0.0, help="share of training digits made 1s")
    p.add_argument(
        "--repeats",
        type=float,
        default=0.0,
        help="share of training digits made equal to the digit before them",
    )
    p.add_argument(
        "--nondigits",
        type=float,
        default=0.0,
        help="non-digit strips labelled with no digits added to each epoch, as a share of its"
        " strips (outlier exposure)",
    )
    p.add_argument(
        "--init",
        type=Path,
        default=None,
        help="a saved reader network to go on training (fine-tuning) instead of a fresh one;"
        " --context and --hidden are then its own",
    )
    p.add_argument(
        "--gate",
        action="store_true",
        help="train the small gate network asked first (model_core/number/gate.py) instead of"
        " a reader; --context and --hidden are then its own",
    )
    p.add_argument(
        "--split-seed",
        type=int,
        default=None,
        help="seed of the held-out writers' blocked split; by default drawn from --seed's"
        " generator, as for the committed reader's first member. Members of one reader share it",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.gate and args.init is not None:
        raise SystemExit("--gate trains a fresh gate network: leave out --init")
    keep_freed_memory()
    rng = np.random.default_rng(args.seed)
    split = rng if args.split_seed is None else np.random.default_rng(args.split_seed)
    writers = writers_apart(args.data_dir, split)
    val = strip_examples(*writers.val, args.val_numbers, rng)
    print(f"{len(val[0])} strips to validate on", flush=True)
    strips = 0

    def examples(epoch: int) -> tuple[list[np.ndarray], list[list[int]]]:
        nonlocal strips
        fresh = strip_examples(*writers.train, args.numbers, rng, args.ones, args.repeats)
        strips += len(fresh[0])
        if args.nondigits:
            shapes, nothing = nondigit_strips(round(args.nondigits * len(fresh[0])), rng)
            fresh = (fresh[0] + shapes, fresh[1] + nothing)
        return fresh

    shape = {"context": args.context, "hidden": args.hidden}
    if args.gate:
        net = gate.build_gate(rng)
        shape = {"context": gate.CONTEXT, "hidden": gate.HIDDEN, "gate": True}
    elif args.init is None:
        net = build_sequence_reader(rng, args.context, args.hidden)
    else:
        saved = load_model(args.init)
        if not isinstance(saved.network, Sequential):
            raise SystemExit(f"{args.init}: --init needs one reader network, not an ensemble")
        net = saved.network
        shape = {key: saved.metadata.get(key) for key in shape}
    checkpoint = args.out.with_suffix(".epoch.npz")  # the last epoch's, to look at meanwhile

    def report(line: str) -> None:
        print(line, flush=True)
        save_model(checkpoint, net, {"kind": "sequence_reader", "checkpoint": line})

    started = time.perf_counter()
    exact = fit_sequence_reader(net, examples, val, args.epochs, rng, lr=args.lr, report=report)
    checkpoint.unlink(missing_ok=True)
    metadata = {
        "kind": "sequence_reader",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "numpy": np.__version__,
        "numbers": args.numbers,
        "val_numbers": args.val_numbers,
        "strips": strips,
        "epochs": args.epochs,
        **shape,
        "ones": args.ones,
        "repeats": args.repeats,
        "nondigits": args.nondigits,
        "init": None if args.init is None else str(args.init),
        "lr": args.lr,
        "seed": args.seed,
        "split_seed": args.split_seed,
        "val_exact": round(exact, 4),
        "train_seconds": round(time.perf_counter() - started, 1),
        "git_commit": git_commit(),
    }
    save_model(args.out, net, metadata)
    print(f"saved {args.out}: {exact:.4f} of validation strips read exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
