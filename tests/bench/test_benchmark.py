from __future__ import annotations

from bench.benchmark import benchmark, profile
from bench.gemm import gemm_gflops


def test_benchmark_reports_the_three_figures() -> None:
    result = benchmark("seed", repeats=1)
    for key in ("train_img_s", "infer_b1_us", "infer_b256_img_s"):
        assert isinstance(result[key], float) and result[key] > 0
    assert result["params"] == 13_610


def test_benchmark_times_a_sharded_step_when_given_threads() -> None:
    result = benchmark("seed", repeats=1, threads=2)
    assert result["threads"] == 2
    assert all(float(result[key]) > 0 for key in ("train_img_s", "infer_b256_img_s"))


def test_profile_times_every_layer_and_the_optimizer() -> None:
    rows = profile("seed", repeats=1)
    assert [row["layer"] for row in rows] == [
        "0 Conv2D", "1 MaxPool2D", "2 Flatten", "3 Dense", "optimizer (Adam)"
    ]  # fmt: skip
    assert all(float(row["forward_ms"]) >= 0 and float(row["backward_ms"]) >= 0 for row in rows)


def test_gemm_speed_is_given_in_gflops() -> None:
    rate = gemm_gflops(size=256, repeats=3)
    assert 0.1 < rate < 100_000  # GFLOP/s: a unit slip (FLOP/s, or ms for s) lands outside
