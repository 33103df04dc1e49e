"""Our NumPy network and its PyTorch twin agree: probabilities in eval mode, gradients in training.

The twin is built by bench/torch_twin.py from a saved .npz (BatchNorm statistics randomised
so that its maths is covered). Skipped where torch is not installed: it is not a dependency.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from model_core.nn.layers import BatchNorm, Conv2D, Dense, Flatten, MaxPool2D, ReLU
from model_core.nn.network import Sequential
from model_core.nn.serialization import load_model

torch = pytest.importorskip(
    "torch",
    reason="PyTorch is not installed (optional): "
    "pip install /opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl",
)
from bench import torch_parity, torch_twin  # noqa: E402  (after the skip: they import torch)

PRESETS = ("seed", "lenet", "lenet_bn", "vgg_bn", "vgg_lite")  # vgg_lite: the served members
BATCH = 16


@pytest.fixture(scope="module")
def parity() -> ModuleType:
    return torch_parity


@pytest.fixture(scope="module", params=PRESETS)
def saved(
    request: pytest.FixtureRequest, parity: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> Sequential:
    path = tmp_path_factory.mktemp("parity") / f"{request.param}.npz"
    return load_model(parity.saved_preset(request.param, Path(path))).network


def batch(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, 28, 28, 1)).astype(np.float32)  # (N, 28, 28, 1)
    return x, rng.integers(0, 10, size=BATCH)


def test_eval_probabilities_match(parity: ModuleType, saved: Sequential) -> None:
    x, _ = batch()
    assert parity.probability_diff(saved, x) < 1e-4


def test_training_gradients_and_running_statistics_match(
    parity: ModuleType, saved: Sequential
) -> None:
    x, labels = batch()
    diffs = parity.gradient_diffs(saved, x, labels)
    expected = set(saved.params) | set(saved.state)
    assert set(diffs) == expected  # every parameter and statistic compared
    worst = max(diffs, key=diffs.__getitem__)
    assert diffs[worst] < 1e-4, (worst, diffs[worst])


def test_flatten_row_permutation_round_trips() -> None:
    twin = torch_twin
    weight = np.arange(7 * 5 * 3 * 2, dtype=np.float64).reshape(7 * 5 * 3, 2)  # (H*W*C, F)
    moved = twin.flatten_rows(weight, (7, 5, 3))
    assert not np.array_equal(moved, weight)
    np.testing.assert_array_equal(twin.unflatten_rows(moved, (7, 5, 3)), weight)
    # our row (h, w, c) = (1, 2, 0) sits at torch's row c*H*W + h*W + w
    np.testing.assert_array_equal(moved[0 * 35 + 1 * 5 + 2], weight[(1 * 5 + 2) * 3 + 0])


def test_a_wrong_weight_layout_is_caught(parity: ModuleType, saved: Sequential) -> None:
    """The check has teeth: a conv weight with its kernel transposed changes the answer."""
    conv = next(layer for layer in saved.layers if type(layer).__name__ == "Conv2D")
    original = conv.params["weight"].copy()
    conv.params["weight"][...] = original.transpose(1, 0, 2, 3)  # swap kernel rows/columns
    try:
        model = parity.to_torch(saved)
    finally:
        conv.params["weight"][...] = original
    x, _ = batch()
    ours = saved.predict_proba(x)
    with torch.no_grad():
        theirs = torch.softmax(model.eval()(parity.nchw(x)), dim=1).numpy()
    assert np.abs(ours - theirs).max() > 1e-3


def test_ratios_read_above_one_where_ours_is_faster(parity: ModuleType) -> None:
    ours = {"train_img_s": 200.0, "infer_b1_us": 50.0, "infer_b256_img_s": 100.0}
    theirs = {"train_img_s": 100.0, "infer_b1_us": 100.0, "infer_b256_img_s": 400.0}
    assert parity.ratios(ours, theirs) == {
        "train_img_s": 2.0,
        "infer_b1_us": 2.0,  # half their latency
        "infer_b256_img_s": 0.25,
    }


def test_a_convolution_without_bias_has_a_twin_without_one(parity: ModuleType) -> None:
    rng = np.random.default_rng(2)
    network = Sequential(
        [
            Conv2D(1, 4, 3, padding=1, rng=rng, bias=False),
            BatchNorm(4),
            ReLU(),
            MaxPool2D(2),
            Flatten(),
            Dense(14 * 14 * 4, 10, rng=rng),
        ],
        (28, 28, 1),
    )
    parity.randomise_batchnorm(network, rng)
    x, labels = batch()

    assert parity.to_torch(network)[0].bias is None
    assert parity.probability_diff(network, x) < 1e-4
    diffs = parity.gradient_diffs(network, x, labels)
    assert set(diffs) == set(network.params) | set(network.state)
    assert max(diffs.values()) < 1e-4


def test_summary_takes_medians_and_each_rounds_ratio(parity: ModuleType) -> None:
    def figures(train: float, b1: float, b256: float) -> dict[str, float]:
        return {"train_img_s": train, "infer_b1_us": b1, "infer_b256_img_s": b256}

    runs = {
        "ours": [figures(100, 10, 1000), figures(300, 30, 3000), figures(200, 20, 2000)],
        "pytorch": [figures(100, 10, 1000)] * 3,
        "pytorch_channels_last": [figures(400, 5, 4000)] * 3,
    }
    report = parity.summary(runs)
    assert report["ours"] == figures(200, 20, 2000)
    assert report["ratio_pytorch"] == {
        "train_img_s": 2.0,
        "infer_b1_us": 0.5,
        "infer_b256_img_s": 2.0,
    }
    assert report["ratio_range_pytorch"]["train_img_s"] == [1.0, 3.0]
    assert report["ratio_range_pytorch"]["infer_b1_us"] == [0.333, 1.0]
    assert report["ratio_pytorch_channels_last"]["infer_b256_img_s"] == 0.5


def test_each_round_times_ours_and_both_pytorch_layouts(
    parity: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[bool] = []

    def fake_torch(
        network: Sequential, repeats: int, seed: int = 0, *, channels_last: bool = False
    ) -> dict[str, float]:
        assert seed == 0  # the same inputs for both layouts
        layouts.append(channels_last)
        return dict.fromkeys(parity.FIGURES, 1.0)

    monkeypatch.setattr(parity, "torch_benchmark", fake_torch)
    monkeypatch.setattr(
        parity, "benchmark", lambda *args, **kwargs: dict.fromkeys(parity.FIGURES, 2.0)
    )
    runs = parity.alternated(Sequential([Flatten()], (28, 28, 1)), "lenet", 1, 1, rounds=2)

    assert layouts == [False, True, False, True]
    assert {side: len(figures) for side, figures in runs.items()} == dict.fromkeys(parity.SIDES, 2)


def blas_threads() -> list[int]:
    """The thread count of each BLAS library loaded (NumPy's; PyTorch's where it has one)."""
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_ours_uses_no_more_blas_threads_than_our_threads(
    parity: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []

    def fake_ours(*args: object, **kwargs: object) -> dict[str, float]:
        seen.append(max(blas_threads()))
        return dict.fromkeys(parity.FIGURES, 2.0)

    monkeypatch.setattr(parity, "benchmark", fake_ours)
    monkeypatch.setattr(
        parity, "torch_benchmark", lambda *args, **kwargs: dict.fromkeys(parity.FIGURES, 1.0)
    )
    with threadpool_limits(limits=2, user_api="blas"):
        if max(blas_threads()) < 2:
            pytest.skip("BLAS runs one thread here: there is nothing to bound")
        parity.alternated(Sequential([Flatten()], (28, 28, 1)), "lenet", 1, 1, rounds=1)

    assert seen == [1]
