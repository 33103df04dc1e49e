"""Training the sequence reader with CTC: strips of similar widths batched together."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from model_core.nn.ctc import ctc_loss
from model_core.nn.ensemble import Model
from model_core.nn.layers.frames import frames_of
from model_core.nn.network import Sequential
from model_core.nn.optimizers import Adam
from model_core.nn.schedules import Cosine
from model_core.train.loop import restore, snapshot

from .sequence import BLANK, read_strips
from .strips import batch_strips

Examples = tuple[list[np.ndarray], list[list[int]]]  # strips (28, W) and their digits


def fit_sequence_reader(
    net: Sequential,
    examples: Callable[[int], Examples],
    val: Examples,
    epochs: int,
    rng: np.random.Generator,
    lr: float = 2e-3,
    batch_size: int = 32,
    report: Callable[[str], None] = print,
) -> float:
    """Adam on the mean CTC loss with a cosine-decayed rate, each epoch on fresh strips
    (`examples(epoch)`: the same digits in new numbers, so the network cannot learn the
    numbers by heart); keeps the weights (and running statistics) of the epoch that read the
    most validation strips exactly, and returns that share."""
    optimizer = Adam(net.params, lr)
    step, best, kept = 0, -1.0, {}
    schedule = None
    for epoch in range(1, epochs + 1):
        started, losses = time.perf_counter(), []
        strips, sequences = examples(epoch)
        batches = _batches([s.shape[1] for s in strips], batch_size, rng)
        schedule = schedule or Cosine(lr, epochs * len(batches))  # fresh epochs differ by a
        # few batches: the rate may reach its floor a little early or stop a little short
        for index in rng.permutation(len(batches)):
            chosen = batches[index]
            x, lengths = batch_strips([strips[i] for i in chosen])  # (B, 28, W, 1), (B,)
            logits = frames_of(net.forward(x, training=True), len(chosen))  # (B, T, 11)
            loss, dlogits = ctc_loss(logits, [sequences[i] for i in chosen], lengths, BLANK)
            net.backward(dlogits.reshape(-1, dlogits.shape[-1]))
            optimizer.lr = schedule(step)
            optimizer.step(net.grads)
            losses.append(loss)
            step += 1
        exact = sequence_accuracy(net, val)
        report(
            f"epoch {epoch}: loss {np.mean(losses):.4f}, validation exact {exact:.4f}"
            f" ({time.perf_counter() - started:.0f} s)"
        )
        if exact > best:
            best, kept = exact, snapshot(net)
    restore(net, kept)
    return best


def sequence_accuracy(net: Model, examples: Examples, batch_size: int = 64) -> float:
    """The share of strips read exactly."""
    strips, sequences = examples
    order = np.argsort([s.shape[1] for s in strips])  # similar widths, less padding
    right = 0
    for start in range(0, len(order), batch_size):
        chosen = order[start : start + batch_size]
        readings = read_strips(net, [strips[i] for i in chosen])
        right += sum(
            [d.digit for d in reading.digits] == sequences[i]
            for reading, i in zip(readings, chosen, strict=True)
        )
    return right / max(1, len(strips))


def _batches(widths: list[int], size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Indices in batches of similar widths: sorted with a little jitter, then chunked."""
    jitter = np.asarray(widths) + rng.uniform(0, 8, len(widths))  # (N,)
    order = np.argsort(jitter)
    return [order[i : i + size] for i in range(0, len(order), size)]
