"""Download the official MNIST files, verified against their published checksums.

    python scripts/download_mnist.py --dest data/mnist
    python scripts/train.py --data-dir data/mnist

Prints the folder; exits with status 1 and what to do when no mirror answers.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from model_core.data.download import DEFAULT_MIRRORS, DownloadError, download_mnist


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dest", type=Path, default=None, help="target folder (default: cache)")
    parser.add_argument(
        "--mirror",
        action="append",
        default=None,
        help="base URL to try instead of the defaults (repeatable, tried in order)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        folder = download_mnist(
            args.dest, base_urls=args.mirror or DEFAULT_MIRRORS, timeout=args.timeout
        )
    except DownloadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
