"""The machine's float32 matrix-multiply speed, printed beside any absolute figure.

    python -m bench.gemm

Machines of the same kind differ by up to 3x, and the engine's speed follows their GEMM speed,
so an absolute time means little without it.
"""

from __future__ import annotations

import numpy as np

from bench.timing import median_seconds


def gemm_gflops(size: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of one float32 (size x size) @ (size x size) product, the median of `repeats`."""
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)  # (n, n)
    seconds = median_seconds(lambda: a @ a, repeats, warmup=1)
    return round(2 * size**3 / seconds / 1e9, 1)


if __name__ == "__main__":
    print(f"float32 GEMM: {gemm_gflops()} GFLOP/s")
