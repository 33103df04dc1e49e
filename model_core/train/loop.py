"""The training loop: shuffled mini-batches, augmentation, validation each epoch, best kept."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from model_core.cpus import available_cpus
from model_core.data.augment import random_affine, random_shift
from model_core.data.nondigits import nondigits
from model_core.nn.ensemble import Model
from model_core.nn.losses import softmax_cross_entropy, uniform_cross_entropy
from model_core.nn.network import Sequential
from model_core.nn.optimizers import OPTIMIZERS, SGD, Optimizer
from model_core.nn.parallel import DataParallel
from model_core.nn.reorder import training_network
from model_core.nn.schedules import make_schedule
from model_core.preprocessing import to_model_input
from model_core.train.config import TrainConfig


@dataclass(frozen=True)
class EpochStats:
    epoch: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    lr: float
    seconds: float


@dataclass
class TrainResult:
    history: list[EpochStats] = field(default_factory=list)
    best_epoch: int = 0
    best_val_acc: float = 0.0
    best_val_loss: float = float("inf")
    interrupted: bool = False
    seconds: float = 0.0

    def history_dicts(self) -> list[dict[str, float | None]]:
        """The history as JSON-ready dicts; without a validation split its figures are None."""
        return [
            {key: None if value != value else value for key, value in asdict(stats).items()}
            for stats in self.history
        ]


BatchCallback = Callable[[int, float, float], None]  # (images done, running loss, running acc)
EpochCallback = Callable[[EpochStats], None]


def evaluate(
    net: Model | DataParallel,
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int = 256,
    deskew: bool = False,
) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of the network on uint8 or [0, 1] images (N, 28, 28)."""
    if len(images) == 0:
        return float("nan"), float("nan")
    x = to_model_input(images, deskew=deskew)  # (N, 28, 28, 1)
    probs = net.predict_proba(x, batch_size=batch_size)  # (N, 10)
    picked = probs[np.arange(len(labels)), labels]
    loss = float(-np.mean(np.log(np.maximum(picked, 1e-12))))
    return loss, float(np.mean(probs.argmax(axis=1) == labels))


def make_optimizer(config: TrainConfig, net: Sequential) -> Optimizer:
    if config.optimizer not in OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {config.optimizer!r}; choose from {sorted(OPTIMIZERS)}"
        )
    if config.optimizer == "sgd":
        return SGD(net.params, config.lr, config.momentum, True, config.weight_decay)
    return OPTIMIZERS[config.optimizer](net.params, lr=config.lr, weight_decay=config.weight_decay)


def fit(
    net: Sequential,
    config: TrainConfig,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
    on_batch: BatchCallback | None = None,
    on_epoch: EpochCallback | None = None,
) -> TrainResult:
    """Train in place and leave the network at its best validation epoch.

    Ctrl-C (KeyboardInterrupt) stops after the current batch; the best epoch so far is kept
    and the result says it was interrupted.
    """
    images = train[0].astype(np.float32) / 255.0  # (N, 28, 28) in [0, 1]
    labels = train[1]
    n = len(images)
    outliers = exposure_set(config)  # (M, 28, 28) in [0, 1], M = config.outliers
    per_batch = -(-config.batch_size * len(outliers) // n)  # non-digits beside each batch
    steps_per_epoch = -(-n // config.batch_size)
    optimizer = make_optimizer(config, net)
    schedule = make_schedule(
        config.schedule,
        config.lr,
        total_steps=config.epochs * steps_per_epoch,
        warmup_steps=round(config.warmup_epochs * steps_per_epoch),
    )
    result, best = TrainResult(), snapshot(net)
    threads = step_threads(config)
    # trains net in place: shards sharing its arrays, or its own layers in training order
    model = DataParallel(net, threads, rng) if threads > 1 else training_network(net)
    start = time.perf_counter()
    try:
        for epoch in range(1, config.epochs + 1):
            epoch_start, order = time.perf_counter(), rng.permutation(n)
            others = rng.permutation(len(outliers))
            seen, loss_sum, correct = 0, 0.0, 0
            for step, first in enumerate(range(0, n, config.batch_size)):
                batch = order[first : first + config.batch_size]
                x = images[batch]  # (B, 28, 28)
                if per_batch:
                    turn = np.arange(step * per_batch, (step + 1) * per_batch)  # (k,)
                    picked = others[turn % len(others)]
                    x = np.concatenate([x, outliers[picked]])  # (B + k, 28, 28)
                if config.augment:
                    x = _augment(x, config, rng)
                optimizer.lr = schedule(optimizer.steps)
                out = model.forward(to_model_input(x, config.deskew), training=True)  # (B + k, 10)
                logits = out[: len(batch)]  # (B, 10) the digits
                loss, dlogits = softmax_cross_entropy(logits, labels[batch], config.label_smoothing)
                if per_batch:
                    flat, dflat = uniform_cross_entropy(out[len(batch) :])  # (k, 10)
                    dlogits = np.concatenate([dlogits, config.outlier_weight * dflat])
                    loss += config.outlier_weight * flat
                model.backward(dlogits)
                optimizer.step(model.grads)
                seen += len(batch)
                loss_sum += loss * len(batch)
                correct += int(np.sum(logits.argmax(axis=1) == labels[batch]))
                if on_batch is not None:
                    on_batch(seen, loss_sum / seen, correct / seen)
            val_loss, val_acc = evaluate(model, *val, deskew=config.deskew)
            improved = _better_than_best(val_acc, val_loss, result)
            if improved:
                best = snapshot(net)
            stats = EpochStats(
                epoch,
                loss_sum / seen,
                correct / seen,
                val_loss,
                val_acc,
                optimizer.lr,
                time.perf_counter() - epoch_start,
            )
            result.history.append(stats)
            if improved:
                result.best_epoch = epoch
                result.best_val_acc, result.best_val_loss = val_acc, val_loss
            if on_epoch is not None:
                on_epoch(stats)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if isinstance(model, DataParallel):
            model.close()
    restore(net, best)
    result.seconds = time.perf_counter() - start
    return result


MIN_SHARD = 16  # by default no shard gets fewer samples (measured only up to 2 cores)


def step_threads(config: TrainConfig) -> int:
    """The cores a training step runs on, a shard each: config.threads, else one per CPU
    available, but at most one per MIN_SHARD samples of a batch."""
    if config.threads:
        return config.threads
    return max(1, min(available_cpus(), config.batch_size // MIN_SHARD))


@functools.cache
def _nondigits(count: int, seed: int) -> np.ndarray:
    images = nondigits(count, np.random.default_rng([seed, 28])).astype(np.float32) / 255.0
    images.flags.writeable = False  # shared by every member of a run
    return images  # (count, 28, 28)


def exposure_set(config: TrainConfig) -> np.ndarray:
    """The run's synthetic non-digits in [0, 1], (config.outliers, 28, 28): the same for every
    member of a seed, made once."""
    return _nondigits(config.outliers, config.seed)


def _augment(x: np.ndarray, config: TrainConfig, rng: np.random.Generator) -> np.ndarray:
    if config.augmentation == "shift":
        return random_shift(x, rng, max_shift=round(config.max_shift))
    if config.augmentation != "affine":
        raise ValueError(f"unknown augmentation {config.augmentation!r}: use affine or shift")
    x = random_affine(
        x,
        rng,
        max_shift=config.max_shift,
        max_rotation=config.max_rotation,
        scale_range=config.scale_range,
    )
    return np.clip(x, 0.0, 1.0, out=x)  # interpolation rounding may step past 1


def _better_than_best(val_acc: float, val_loss: float, result: TrainResult) -> bool:
    """Higher validation accuracy wins; a tie goes to the lower validation loss. Without a
    validation set (NaN) every epoch wins, so the last one is kept."""
    if result.best_epoch == 0 or np.isnan(val_acc):
        return True
    return (val_acc, -val_loss) > (result.best_val_acc, -result.best_val_loss)


def snapshot(net: Sequential) -> dict[str, np.ndarray]:
    """A copy of every array the network saves: parameters and running statistics."""
    return {name: array.copy() for name, array in (net.params | net.state).items()}


def restore(net: Sequential, saved: dict[str, np.ndarray]) -> None:
    """Put a `snapshot` back into the network's own arrays."""
    for name, array in (net.params | net.state).items():
        array[...] = saved[name]
