from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from model_core.data.mnist import file_sha256, load_mnist
from model_core.data.splits import split
from model_core.nn.ensemble import Ensemble, members_of
from model_core.nn.serialization import load_model
from model_core.train.loop import evaluate


def test_train_writes_a_model_with_its_metadata(
    mnist_dir: Path,
    tmp_path: Path,
    script: Callable[[str], ModuleType],
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "seed.npz"
    args = ["--preset", "seed", "--data-dir", str(mnist_dir), "--out", str(out)]
    code = script("train").main([*args, "--epochs", "2", "--limit", "600", "--seed", "3"])
    assert code == 0
    saved = load_model(out)
    meta = saved.metadata
    assert meta["preset"] == "seed"
    assert meta["input"] == {"deskew": meta["hyperparameters"]["deskew"]}
    assert meta["hyperparameters"]["epochs"] == 2 and meta["hyperparameters"]["seed"] == 3
    assert [h["epoch"] for h in meta["history"]] == [1, 2]
    assert meta["val_accuracy"] == max(h["val_acc"] for h in meta["history"])
    assert meta["train_size"] + meta["val_size"] == 600
    assert meta["test_size"] == 5000 and 0.0 <= meta["test_accuracy"] <= 1.0
    assert meta["data"]["train-images-idx3-ubyte.gz"] == file_sha256(
        mnist_dir / "train-images-idx3-ubyte.gz"
    )
    assert meta["date"].startswith("20")
    printed = capsys.readouterr().out
    assert (
        "epoch   1/2" in printed
        and f"test accuracy: {meta['test_accuracy']:.4f} (n=5000)" in printed
    )


def test_train_holds_out_a_block_with_val_split_blocked(
    mnist_dir: Path, tmp_path: Path, script: Callable[[str], ModuleType]
) -> None:
    out = tmp_path / "blocked.npz"
    args = ["--preset", "seed", "--data-dir", str(mnist_dir), "--out", str(out)]
    code = script("train").main(
        [*args, "--epochs", "1", "--limit", "600", "--val-split", "blocked"]
    )
    assert code == 0
    meta = load_model(out).metadata
    assert meta["hyperparameters"]["val_split"] == "blocked"
    assert (meta["train_size"], meta["val_size"]) == (540, 60)


def test_same_seed_same_model(
    mnist_dir: Path, tmp_path: Path, script: Callable[[str], ModuleType]
) -> None:
    train = script("train")
    for name in ("a", "b"):
        args = [
            "--preset",
            "seed",
            "--data-dir",
            str(mnist_dir),
            "--out",
            str(tmp_path / f"{name}.npz"),
        ]
        assert train.main([*args, "--epochs", "1", "--limit", "300"]) == 0
    a, b = load_model(tmp_path / "a.npz").network, load_model(tmp_path / "b.npz").network
    for name, value in a.params.items():
        np.testing.assert_array_equal(value, b.params[name])


def test_help_explains_every_option(
    script: Callable[[str], ModuleType], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        script("train").parse_args(["--help"])
    text = capsys.readouterr().out
    for option in (
        "--data-dir",
        "--preset",
        "--epochs",
        "--batch-size",
        "--optimizer",
        "--lr",
        "--schedule",
        "--weight-decay",
        "--val-fraction",
        "--augment",
        "--deskew",
        "--val-split",
        "--label-smoothing",
        "--scale-range",
        "--members",
        "--seed",
        "--out",
    ):
        assert option in text


def test_without_a_validation_split_the_metadata_is_strict_json(
    mnist_dir: Path, tmp_path: Path, script: Callable[[str], ModuleType]
) -> None:
    import json

    out = tmp_path / "refit.npz"
    args = ["--preset", "seed", "--data-dir", str(mnist_dir), "--out", str(out), "--limit", "300"]
    assert script("train").main([*args, "--epochs", "1", "--val-fraction", "0"]) == 0
    with np.load(out, allow_pickle=False) as archive:
        text = str(archive["metadata"])

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    meta = json.loads(text, parse_constant=refuse)
    assert meta["val_accuracy"] is None and meta["val_size"] == 0 and meta["train_size"] == 300
    assert meta["history"][0]["val_acc"] is None


def test_members_trains_an_ensemble_of_differently_seeded_networks(
    mnist_dir: Path, tmp_path: Path, script: Callable[[str], ModuleType]
) -> None:
    out = tmp_path / "pair.npz"
    args = ["--preset", "seed", "--data-dir", str(mnist_dir), "--out", str(out), "--limit", "400"]
    assert script("train").main([*args, "--epochs", "2", "--members", "2"]) == 0

    saved = load_model(out)
    meta, ensemble = saved.metadata, saved.network
    assert isinstance(ensemble, Ensemble) and len(ensemble.members) == 2
    first, second = (m.params["3.weight"] for m in ensemble.members)
    assert not np.allclose(first, second)  # each member started from its own seed
    assert meta["hyperparameters"]["members"] == 2
    assert [(h["member"], h["epoch"]) for h in meta["history"]] == [(0, 1), (0, 2), (1, 1), (1, 2)]
    assert [m["best_epoch"] for m in meta["members"]] == [
        max(meta["history"][i : i + 2], key=lambda h: (h["val_acc"], -h["val_loss"]))["epoch"]
        for i in (0, 2)
    ]
    images, labels = load_mnist(mnist_dir, "train")
    _, val_idx = split(labels[:400], 0.1, np.random.default_rng(0), "random")
    _, val_acc = evaluate(ensemble, images[val_idx], labels[val_idx], deskew=True)
    assert meta["val_accuracy"] == val_acc


def test_the_first_member_is_the_single_network_of_the_same_seed(
    mnist_dir: Path, tmp_path: Path, script: Callable[[str], ModuleType]
) -> None:
    args = ["--preset", "seed", "--data-dir", str(mnist_dir), "--limit", "300", "--epochs", "1"]
    assert script("train").main([*args, "--out", str(tmp_path / "one.npz")]) == 0
    assert script("train").main([*args, "--out", str(tmp_path / "two.npz"), "--members", "2"]) == 0

    single = load_model(tmp_path / "one.npz").network
    first = load_model(tmp_path / "two.npz").network.members[0]  # type: ignore[union-attr]
    for name, array in single.params.items():
        np.testing.assert_array_equal(first.params[name], array, err_msg=name)


@pytest.mark.parametrize(
    ("stop_in", "kept"), [("on_epoch", 2), ("on_batch", 1)], ids=["after-an-epoch", "at-once"]
)
def test_ctrl_c_in_a_later_member_keeps_the_members_with_a_finished_epoch(
    stop_in: str,
    kept: int,
    mnist_dir: Path,
    tmp_path: Path,
    script: Callable[[str], ModuleType],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C while member 2 of 3 trains: no third member, and member 2 is kept only if one of
    its epochs finished (then at its best epoch); a lone survivor is saved as one network."""
    train = script("train")
    real_fit, calls = train.fit, []  # train_member calls the script's fit

    def fit(*args: object, **callbacks: Callable[..., None]) -> object:
        calls.append(1)
        if len(calls) == 2:
            wrapped = callbacks[stop_in]

            def interrupt(*a: object) -> None:
                wrapped(*a)
                raise KeyboardInterrupt

            callbacks[stop_in] = interrupt
        return real_fit(*args, **callbacks)

    monkeypatch.setattr(train, "fit", fit)
    out = tmp_path / "stopped.npz"
    args = ["--preset", "seed", "--data-dir", str(mnist_dir), "--out", str(out), "--limit", "300"]
    assert train.main([*args, "--epochs", "2", "--members", "3"]) == 0

    saved = load_model(out)
    assert len(calls) == 2  # the third member never started
    assert len(members_of(saved.network)) == kept
    assert isinstance(saved.network, Ensemble) == (kept > 1)
    assert saved.metadata["interrupted"] is True
    assert len(saved.metadata["members"]) == kept
