"""Validation splits of a training set: random by class, or whole runs of writers held out."""

from __future__ import annotations

import numpy as np

# The MNIST training file keeps each writer's digits together, in runs of up to ~200 images:
# the nearest other image (pixel distance) of 3,000 random training images lay within 200
# positions of it for 11% of them, against 1.5% by chance, and no closer than chance beyond 200.
# Blocks of 800 contiguous images therefore hold out mostly whole hands.
WRITER_BLOCK = 800

SPLITS = ("random", "blocked")


def stratified_split(
    labels: np.ndarray, fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation), the validation share taken from each class alike."""
    val_parts = []
    for digit in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == digit))
        val_parts.append(members[: round(len(members) * fraction)])
    val = np.sort(np.concatenate(val_parts))
    train = np.setdiff1d(np.arange(len(labels)), val)
    return train, val


def blocked_split(
    count: int, fraction: float, rng: np.random.Generator, block: int = WRITER_BLOCK
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation), the validation images taken as whole blocks of `block`
    contiguous images, chosen at random among the full blocks.

    A random split puts other digits of nearly every validation writer into training, so it
    rewards what fits known hands; held-out blocks measure what carries over to new ones, as
    the test set (other writers) does. The validation share is round(count * fraction) images
    rounded to whole blocks; with fewer than `block` of them the block shrinks to that count.
    """
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction must be in [0, 1), got {fraction}")
    wanted = round(count * fraction)
    if wanted == 0:
        return np.arange(count), np.arange(0)
    size = min(block, wanted)  # <= wanted, so at least one block is asked for
    blocks = count // size
    chosen = rng.choice(blocks, min(blocks, round(wanted / size)), replace=False)  # (k,), k >= 1
    val = (np.sort(chosen)[:, None] * size + np.arange(size)).ravel()  # (k * size,)
    train = np.setdiff1d(np.arange(count), val)
    return train, val


def split(
    labels: np.ndarray, fraction: float, rng: np.random.Generator, kind: str = "random"
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation) by a split's name: "random" or "blocked"."""
    if kind == "random":
        return stratified_split(labels, fraction, rng)
    if kind == "blocked":
        return blocked_split(len(labels), fraction, rng)
    raise ValueError(f"unknown validation split {kind!r}: use one of {SPLITS}")
