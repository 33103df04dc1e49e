"""Join sequence readers trained apart into one reader, saved as one file.

    python scripts/train_sequence_reader.py --data-dir ../shared/data/mnist --out first.npz
    python scripts/train_sequence_reader.py --data-dir ../shared/data/mnist --out second.npz \\
        --seed 1 --split-seed 0
    python scripts/join_sequence_readers.py first.npz second.npz --data-dir ../shared/data/mnist

Readers started from other random weights and shown other numbers misread partly different
strips; read together (model_core/number/sequence.py: the reading their looks find most
likely on average), they misread fewer. The joined reader is validated on the numbers of the
writers its members held out (blocked split `--split-seed`, which they must share).
`--shapes FILE` adds, after them, a network trained with `--nondigits` that reads nothing: it
flags shapes that hold no digit (model_core/number/shapes.py). `--gate FILE` adds, last, the
small network trained with `--gate` that is asked first (model_core/number/gate.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np

from model_core.nn.ensemble import Ensemble, members_of
from model_core.nn.network import Sequential
from model_core.nn.serialization import load_model, save_model
from model_core.number.gate import METADATA_KEY as GATE_KEY
from model_core.number.sequence import is_sequence_reader
from model_core.number.sequence_training import sequence_accuracy
from model_core.number.shapes import METADATA_KEY as SHAPES_KEY
from model_core.number.sources import writers_apart
from model_core.number.strip_data import strip_examples
from model_core.train.run import git_commit


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("readers", type=Path, nargs="+", help="sequence reader files, two or more")
    p.add_argument("--data-dir", type=Path, default=Path("data/mnist"), help="MNIST folder")
    p.add_argument("--out", type=Path, default=Path("trained_sequence_model.npz"))
    p.add_argument("--split-seed", type=int, default=0, help="the members' held-out writers")
    p.add_argument("--val-numbers", type=int, default=600, help="numbers to validate on")
    p.add_argument(
        "--shapes",
        type=Path,
        default=None,
        help="a reader network trained with --nondigits, held after the readers to flag shapes"
        " that hold no digit (model_core/number/shapes.py); it reads nothing",
    )
    p.add_argument(
        "--gate",
        type=Path,
        default=None,
        help="a network trained with --gate, held last and asked first: where it reads the"
        " path's digits surely, the readers do not look (model_core/number/gate.py)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    extras = [path for path in (args.shapes, args.gate) if path is not None]
    paths = [*args.readers, *extras]
    saved = [load_model(path) for path in paths]
    for path, reader in zip(paths, saved, strict=True):
        if not is_sequence_reader(reader.network):
            print(f"{path} is not a sequence reader", file=sys.stderr)
            return 2
        if (held_out := _split_seed(reader.metadata)) != args.split_seed:
            print(f"{path} held out split {held_out}, not {args.split_seed}", file=sys.stderr)
            return 2
    readers = saved[: len(args.readers)]
    reading = Ensemble(net for reader in readers for net in members_of(reader.network))
    rng = np.random.default_rng(args.split_seed)
    writers = writers_apart(args.data_dir, rng)
    val = strip_examples(*writers.val, args.val_numbers, rng)
    exact = sequence_accuracy(reading, val)
    metadata: dict[str, Any] = {
        "kind": "sequence_reader",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "numbers": saved[0].metadata.get("numbers"),
        "split_seed": args.split_seed,
        "val_exact": round(exact, 4),
        "members": [reader.metadata for reader in readers],
        "git_commit": git_commit(),
    }
    networks = list(reading.members)
    held_after = iter(saved[len(args.readers) :])  # the shape network, then the gate, if given
    for key, path in ((SHAPES_KEY, args.shapes), (GATE_KEY, args.gate)):
        if path is None:
            continue
        held = next(held_after)
        if not isinstance(held.network, Sequential):
            print(f"{path} must be one network, not an ensemble", file=sys.stderr)
            return 2
        metadata[key] = held.metadata | {"member": len(networks)}
        networks.append(held.network)
    save_model(args.out, Ensemble(networks), metadata)
    more = [name for name, path in (("a shape", args.shapes), ("a gate", args.gate)) if path]
    also = f" and {' and '.join(more)} network" if more else ""
    print(
        f"saved {args.out}: {len(reading.members)} members{also}, {exact:.4f} of validation strips"
    )
    return 0


def _split_seed(metadata: dict[str, Any]) -> object:
    """The seed of the blocked split whose writers a reader held out, by its metadata: its
    --split-seed, or else its --seed, which drew them."""
    split = metadata.get("split_seed")
    return metadata.get("seed") if split is None else split


if __name__ == "__main__":
    sys.exit(main())
