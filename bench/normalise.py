"""A clean drawing's normalisation in this checkout against an earlier commit's, one run.

    python -m bench.normalise db41c7e                 # issue 26's day
    python -m bench.normalise db41c7e --pairs 5 --json

Issue 26 asks that a clean canvas drawing take a fast path costing at most 0.3x what the
normalisation of the load test's 280x280 PNG cost on the day the issue was filed (db41c7e).
The commit's tree is exported with `git archive` (bench.baseline.exported). Each pair
starts a fresh process in that tree, then one in this checkout, each timing its own
`normalize_digit` on the same decoded PNG (bench.generators.digit_png) on one BLAS thread:
the median call of its best round, as bench.timing measures. A pair's ratio is this
checkout's time over the commit's; the report gives every pair's and their median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.baseline import exported
from bench.container.build import REPO_ROOT
from bench.generators import digit_png

TARGET = 0.3  # issue 26: at most this share of the commit's normalisation time

# Run in the tree given first on the path, so that it times that tree's own code; no import
# from `bench`, which an earlier tree may not hold.
_CHILD = """
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import model_core
from model_core.preprocessing import decode_image, normalize_digit
gray = decode_image(open(sys.argv[2], "rb").read()).gray
repeats, rounds = int(sys.argv[3]), int(sys.argv[4])
for _ in range(repeats):
    normalize_digit(gray)
medians = []
for _ in range(rounds):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        normalize_digit(gray)
        times.append(time.perf_counter() - start)
    medians.append(statistics.median(times))
print(json.dumps({"seconds": min(medians), "code": model_core.__file__}))
"""


def timed(root: Path, png: Path, repeats: int, rounds: int) -> dict:
    """`normalize_digit` of the tree `root` on the picture `png`, in a process of its own:
    {"seconds": one call, "code": the model_core it imported}."""
    threads = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    argv = [sys.executable, "-c", _CHILD, str(root), str(png), str(repeats), str(rounds)]
    env = {**os.environ, **threads}
    done = subprocess.run(argv, cwd=root, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def compare(commit: str, pairs: int, repeats: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="normalise-") as temporary:
        folder = Path(temporary)
        png = folder / "digit.png"
        png.write_bytes(digit_png())
        full = exported(commit, folder / "tree")
        runs = []
        for _ in range(pairs):  # the commit first in every pair
            before = timed(folder / "tree", png, repeats, rounds)
            now = timed(REPO_ROOT, png, repeats, rounds)
            runs.append({"commit": before, "checkout": now})
    ratios = [run["checkout"]["seconds"] / run["commit"]["seconds"] for run in runs]
    median = statistics.median(ratios)
    return {
        "commit": full,
        "pairs": [
            {
                "commit_us": round(run["commit"]["seconds"] * 1e6, 1),
                "checkout_us": round(run["checkout"]["seconds"] * 1e6, 1),
                "ratio": round(ratio, 3),
            }
            for run, ratio in zip(runs, ratios, strict=True)
        ],
        "code": {"commit": runs[0]["commit"]["code"], "checkout": runs[0]["checkout"]["code"]},
        "median_ratio": round(median, 3),
        "verdict": {f"clean 280x280 PNG normalised in <= {TARGET}x": median <= TARGET},
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("commit", help="the earlier commit to time beside this checkout")
    parser.add_argument("--pairs", type=int, default=5, help="alternated pairs of processes")
    parser.add_argument("--repeats", type=int, default=300, help="timed calls per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per process; best kept")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if min(args.pairs, args.repeats, args.rounds) < 1:
        parser.error("pairs, repeats and rounds must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = compare(args.commit, args.pairs, args.repeats, args.rounds)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"normalize_digit of the load test's 280x280 PNG: {result['commit'][:12]} against"
          " this checkout, one BLAS thread, fresh processes alternated")  # fmt: skip
    for number, pair in enumerate(result["pairs"], 1):
        print(f"pair {number}  commit {pair['commit_us']:8.1f} us  this checkout"
              f" {pair['checkout_us']:8.1f} us  ratio {pair['ratio']:.3f}")  # fmt: skip
    print(f"median ratio {result['median_ratio']:.3f} (target <= {TARGET}); code timed:"
          f" {result['code']['commit']} and {result['code']['checkout']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
