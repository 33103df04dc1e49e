from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model_core.data.mnist import load_mnist
from model_core.nn.presets import build
from model_core.train.config import TrainConfig
from model_core.train.loop import EpochStats, evaluate, fit, step_threads


def test_short_training_run_on_real_images_reaches_the_bar(mnist_dir: Path) -> None:
    """Regression bar: a seeded lenet on 1,500 real images must read 500 unseen test digits."""
    images, labels = load_mnist(mnist_dir, "train")
    test_images, test_labels = load_mnist(mnist_dir, "test")
    rng = np.random.default_rng(0)
    net = build("lenet", rng)
    config = TrainConfig(preset="lenet", epochs=3, lr=2e-3, warmup_epochs=0.5)
    train = (images[:1500], labels[:1500])
    val = (images[1500:1800], labels[1500:1800])
    result = fit(net, config, train, val, rng)
    _, test_acc = evaluate(net, test_images[:500], test_labels[:500])
    assert len(result.history) == 3
    assert result.history[-1].train_loss < result.history[0].train_loss
    assert test_acc >= 0.90, f"test accuracy {test_acc:.3f} fell below the 0.90 bar"


def _tiny_data(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, 10, n)
    images = np.zeros((n, 28, 28), np.uint8)  # (N, 28, 28)
    for i, digit in enumerate(labels):  # one bright bar per class: easy to learn
        images[i, 2 + 2 * digit : 4 + 2 * digit, 4:24] = 255
    return images, labels


def test_fit_keeps_the_best_validation_epoch() -> None:
    rng = np.random.default_rng(1)
    net = build("seed", rng)
    data = _tiny_data(rng, 200)
    seen: list[EpochStats] = []
    config = TrainConfig(preset="seed", epochs=4, augment=False, lr=1e-2, warmup_epochs=0)
    result = fit(net, config, data, data, rng, on_epoch=seen.append)
    assert [s.epoch for s in seen] == [1, 2, 3, 4]
    best = max(seen, key=lambda s: (s.val_acc, -s.val_loss))  # ties: the lower loss
    assert result.best_epoch == best.epoch
    _, acc = evaluate(net, *data)
    assert acc == pytest.approx(best.val_acc)


def test_ctrl_c_stops_and_keeps_the_best_epoch_so_far() -> None:
    rng = np.random.default_rng(2)
    net = build("seed", rng)
    data = _tiny_data(rng, 128)
    epochs_done: list[int] = []

    def interrupt_in_epoch_three(done: int, loss: float, acc: float) -> None:
        if len(epochs_done) == 2 and done >= 64:
            raise KeyboardInterrupt

    config = TrainConfig(preset="seed", epochs=10, augment=False, batch_size=32, warmup_epochs=0)
    result = fit(
        net,
        config,
        data,
        data,
        rng,
        on_batch=interrupt_in_epoch_three,
        on_epoch=lambda s: epochs_done.append(s.epoch),
    )
    assert result.interrupted
    assert len(result.history) == 2
    _, acc = evaluate(net, *data)
    assert acc == pytest.approx(result.best_val_acc)


def test_fit_on_threads_is_deterministic_and_learns_as_on_one() -> None:
    """Two runs on 3 threads give the same weights; they learn the tiny task as one thread
    does (the same step up to float rounding and Dropout's draws)."""
    data = _tiny_data(np.random.default_rng(5), 150)
    weights, accuracies = [], []
    for threads in (3, 3, 1):
        rng = np.random.default_rng(6)
        net = build("seed", rng)
        config = TrainConfig(
            preset="seed", epochs=3, augment=False, lr=1e-2, warmup_epochs=0, threads=threads
        )
        fit(net, config, data, data, rng)
        weights.append(net.params)
        accuracies.append(evaluate(net, *data)[1])
    for name, array in weights[0].items():
        assert np.array_equal(array, weights[1][name]), name
    assert min(accuracies) > 0.9, accuracies
    assert abs(accuracies[0] - accuracies[2]) <= 0.05, accuracies


def test_a_step_runs_on_one_thread_per_cpu_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("model_core.train.loop.available_cpus", lambda: 6)
    assert step_threads(TrainConfig(preset="seed", batch_size=128)) == 6
    assert step_threads(TrainConfig(preset="seed", batch_size=64)) == 4  # 16 samples a shard
    assert step_threads(TrainConfig(preset="seed", batch_size=8)) == 1
    assert step_threads(TrainConfig(preset="seed", batch_size=8, threads=3)) == 3
    assert step_threads(TrainConfig(preset="seed", threads=1)) == 1
    with pytest.raises(ValueError, match="threads must be 0"):
        TrainConfig(preset="seed", threads=-1)
