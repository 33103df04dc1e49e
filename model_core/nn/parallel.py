"""Data parallelism over threads: a training step's batch cut into shards that run forward and
backward at the same time, one per core.

NumPy lets go of the GIL inside BLAS and its element-wise loops, so threads running the shards
really do run at once; BLAS itself is held to one thread meanwhile (threadpoolctl), the shards
being the parallelism. Each shard runs on a replica of the network: layers of its own (their
caches and grads) around the same parameter and state arrays. Three things couple the samples
of a batch, and all three stay whole-batch:

- BatchNorm's batch mean and variance, and the two sums of its backward pass, are summed over
  the shards (`AllReduce`), so every shard normalises with the whole batch's statistics; the
  running statistics are updated once, by the first shard;
- the loss is the caller's, over the whole batch: `forward` returns the gathered logits and
  `backward` takes the whole batch's gradient of them;
- the parameter gradients are the shards' gradients added up, in shard order.

Sums taken in another order round differently: a step equals the one-thread step to float
rounding, and is deterministic for a given seed and thread count.
"""

from __future__ import annotations

import functools
import operator
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

import numpy as np
from threadpoolctl import ThreadpoolController

from model_core.nn.layers import BatchNorm, Dropout
from model_core.nn.network import Sequential

T = TypeVar("T")


class AllReduce:
    """The sum of an array that each of `parties` threads passes, the same for every thread:
    added up in rank order whichever thread arrives first."""

    def __init__(self, parties: int) -> None:
        self._barrier = threading.Barrier(parties)
        self._slots: list[np.ndarray] = [np.empty(0)] * parties

    def sum(self, rank: int, local: np.ndarray) -> np.ndarray:
        self._slots[rank] = local
        self._barrier.wait()  # every shard's array is in
        total = _total(self._slots)
        self._barrier.wait()  # every shard has read the slots before one is written again
        return total

    def abort(self) -> None:
        """Wake every waiting thread with BrokenBarrierError: a shard failed."""
        self._barrier.abort()


class DataParallel:
    """`network`'s training forward and backward over `threads` shards of each batch, and its
    inference over `threads` parts: what a training loop uses of a Sequential."""

    def __init__(self, network: Sequential, threads: int, rng: np.random.Generator) -> None:
        if threads < 2:
            raise ValueError(f"data parallelism needs at least 2 threads, got {threads}")
        self.network, self.threads = network, threads
        self.replicas = [replica(network, rank, r) for rank, r in enumerate(rng.spawn(threads))]
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="shard")
        self._blas = ThreadpoolController()
        self._cuts: list[int] = []
        self._group = AllReduce(1)
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """(N, *input_shape) -> (N, *output_shape) logits, each shard on its own thread."""
        shards = min(self.threads, len(x))
        self._cuts = np.linspace(0, len(x), shards + 1).round().astype(int).tolist()
        self._group = group = AllReduce(shards)
        for rank, net in enumerate(self.replicas[:shards]):
            for layer in net.layers:
                if isinstance(layer, BatchNorm):
                    layer.all_reduce = functools.partial(group.sum, rank)
        outs = self._run(lambda rank: self.replicas[rank].forward(self._shard(x, rank), training),
                         shards, group)  # fmt: skip
        return np.concatenate(outs)

    def backward(self, dout: np.ndarray) -> None:
        """Back-propagate the whole batch's output gradient; `grads` is then the sum of the
        shards' parameter gradients."""
        shards = len(self._cuts) - 1  # as the forward pass cut the batch
        self._run(lambda rank: self.replicas[rank].backward(self._shard(dout, rank)),
                  shards, self._group)  # fmt: skip
        used = [net.grads for net in self.replicas[:shards]]
        self.grads = {name: _total([grads[name] for grads in used]) for name in used[0]}

    def predict_proba(self, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """Class probabilities (N, K), a part of the batch on each thread (inference mode)."""
        shards = max(1, min(self.threads, len(x)))
        parts = np.array_split(x, shards)
        probs = self._run(lambda rank: self.replicas[rank].predict_proba(parts[rank], batch_size),
                          shards, AllReduce(shards))  # fmt: skip
        return np.concatenate(probs)

    def close(self) -> None:
        """Stop the threads. A shard left waiting for a partner that never came (Ctrl-C while
        the shards were being handed out) is woken first, so this never hangs."""
        self._group.abort()
        self._pool.shutdown()

    def __enter__(self) -> DataParallel:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _shard(self, array: np.ndarray, rank: int) -> np.ndarray:
        return array[self._cuts[rank] : self._cuts[rank + 1]]

    def _run(self, work: Callable[[int], T], shards: int, group: AllReduce) -> list[T]:
        """work(rank) for each rank on the pool, BLAS on one thread; the first real error of a
        shard is raised (the others, woken from the barrier, only report that it broke)."""

        def guarded(rank: int) -> T:
            try:
                return work(rank)
            except BaseException:
                group.abort()
                raise

        with self._blas.limit(limits=1, user_api="blas"):
            futures = [self._pool.submit(guarded, rank) for rank in range(shards)]
            wait(futures)
        errors = [error for future in futures if (error := future.exception()) is not None]
        if errors:
            broken = threading.BrokenBarrierError
            raise next((e for e in errors if not isinstance(e, broken)), errors[0])
        return [future.result() for future in futures]


def _total(arrays: list[np.ndarray]) -> np.ndarray:
    """The sum of equal-shaped arrays, added in list order."""
    total: np.ndarray = functools.reduce(operator.add, arrays)
    return total


def replica(network: Sequential, rank: int, rng: np.random.Generator) -> Sequential:
    """A network of `network`'s layers sharing its parameter and state arrays, with caches and
    grads of its own; its Dropout draws from `rng`; only rank 0 updates BatchNorm's running
    statistics."""
    dtype = next(iter(network.params.values())).dtype if network.params else np.float32
    twin = Sequential.from_architecture(network.architecture(), dtype=dtype)
    for source, layer in zip(network.layers, twin.layers, strict=True):
        layer.params, layer.state = source.params, source.state
        if isinstance(layer, Dropout):
            layer.rng = rng
        if isinstance(layer, BatchNorm):
            layer.tracks_running = rank == 0
    return twin
