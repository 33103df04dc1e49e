"""Data parallelism over processes: a training step's batch cut into shards that run forward
and backward at the same time, one per core.

Shard 0 runs in this process, on a replica of the network: layers of its own (their caches
and grads) around the network's own parameter and state arrays. Every other shard runs in a
worker process of its own (shards.py), started once, whose replica computes with views of a
block of shared memory: the network's parameters and state are copied there before each pass,
and the worker leaves its gradients there. Threads would share the network for nothing, but
NumPy holds the GIL between the loops of a layer, so two threads on two cores fall well short
of twice one; processes have a GIL each. Three things couple the samples of a batch, and all
three stay whole-batch:

- BatchNorm's batch mean and variance, and the two sums of its backward pass, are summed over
  the shards (`AllReduce`, over a pipe between each two shards), so every shard normalises
  with the whole batch's statistics; the running statistics are updated once, by shard 0;
- the loss is the caller's, over the whole batch: `forward` returns the gathered logits and
  `backward` takes the whole batch's gradient of them;
- the parameter gradients are the shards' gradients added up, in shard order.

Sums taken in another order round differently: a step equals the one-process step to float
rounding, and is deterministic for a given seed and shard count.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import mmap
import multiprocessing
import os
import tempfile
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from threading import BrokenBarrierError
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from model_core.nn import shards
from model_core.nn.network import Sequential
from model_core.nn.reorder import training_network
from model_core.nn.shards import AllReduce, receive, send, total

SHARED_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None  # memory, not disk, on Linux


class ShardError(RuntimeError):
    """A worker's shard failed; the message is its error."""


class DataParallel:
    """`network`'s training forward and backward over `threads` shards of each batch (one in
    this process, the others in worker processes), and its inference over as many parts:
    what a training loop uses of a Sequential. Close it (or use it as a context manager) to
    stop the workers."""

    def __init__(self, network: Sequential, threads: int, rng: np.random.Generator) -> None:
        if threads < 2:
            raise ValueError(f"data parallelism needs at least 2 threads, got {threads}")
        self.network, self.threads = network, threads
        generators = rng.spawn(threads)
        self._blas = ThreadpoolController()
        self._cuts: list[int] = []
        self._group: AllReduce | None = None
        self._broken = False  # a pass failed: the pipes may hold its leftovers
        self._workers: list[tuple[BaseProcess, Connection]] = []
        self._peers: dict[int, Connection] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.replica = replica(network, generators[0])
        arrays = {f"p/{name}": (p.shape, p.dtype) for name, p in network.params.items()}
        arrays |= {f"s/{name}": (s.shape, s.dtype) for name, s in network.state.items()}
        for rank in range(1, threads):
            arrays |= {f"g{rank}/{name}": (p.shape, p.dtype) for name, p in network.params.items()}
        entries, size = shards.plan(arrays)
        fd, path = tempfile.mkstemp(prefix="dataparallel-", dir=SHARED_DIR)
        try:
            os.ftruncate(fd, size)
            self._block = mmap.mmap(fd, size)
            self._arrays = shards.views(self._block, entries)
            context = multiprocessing.get_context("spawn")
            ends: list[dict[int, Connection]] = [{} for _ in range(threads)]
            for low, high in itertools.combinations(range(threads), 2):
                ends[low][high], ends[high][low] = context.Pipe()  # BatchNorm's sums
            self._peers = ends[0]
            for rank in range(1, threads):
                mine, theirs = context.Pipe()
                args = (theirs, network.architecture(), path, entries, rank, generators[rank],
                        ends[rank])  # fmt: skip
                process = context.Process(target=shards.serve, args=args, daemon=True,
                                          name=f"shard-{rank}")  # fmt: skip
                process.start()
                theirs.close()
                for conn in ends[rank].values():
                    conn.close()  # the worker's ends are the worker's
                self._workers.append((process, mine))
            self._gather(threads, None, lambda: None)  # every worker has mapped the block
        except BaseException:
            self.close()
            raise
        finally:
            os.close(fd)
            os.unlink(path)  # the mappings keep the memory until the last one goes

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """(N, *input_shape) -> (N, *output_shape) logits, each shard on its own core."""
        self._check()
        count = max(1, min(self.threads, len(x)))
        self._cuts = np.linspace(0, len(x), count + 1).round().astype(int).tolist()
        self._mirror()
        self._group = group = shards.group_of(0, self._peers, count)
        shards.use_group(self.replica, group)
        for rank in range(1, count):
            self._send(rank, "forward", self._shard(x, rank), training=training, parties=count)
        own = functools.partial(self.replica.forward, self._shard(x, 0), training)
        return np.concatenate(self._gather(count, group, own))

    def backward(self, dout: np.ndarray) -> None:
        """Back-propagate the whole batch's output gradient; `grads` is then the sum of the
        shards' parameter gradients."""
        self._check()
        count = len(self._cuts) - 1  # as the forward pass cut the batch
        for rank in range(1, count):
            self._send(rank, "backward", self._shard(dout, rank))
        own = functools.partial(self.replica.backward, self._shard(dout, 0))
        self._gather(count, self._group, own)
        worker_grads = [
            {name: self._arrays[f"g{rank}/{name}"] for name in self.network.params}
            for rank in range(1, count)
        ]
        used = [self.replica.grads, *worker_grads]
        self.grads = {name: total([grads[name] for grads in used]) for name in used[0]}

    def predict_proba(self, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """Class probabilities (N, K), a part of the batch on each core (inference mode)."""
        self._check()
        count = max(1, min(self.threads, len(x)))
        parts = np.array_split(x, count)
        self._mirror()
        for rank in range(1, count):
            self._send(rank, "predict", parts[rank], batch_size=batch_size)
        own = functools.partial(self.replica.predict_proba, parts[0], batch_size)
        return np.concatenate(self._gather(count, None, own))

    def close(self) -> None:
        """Stop the workers. One left waiting for a BatchNorm sum that never came (Ctrl-C
        during a step) is woken first, so this never hangs."""
        if self._group is not None:
            self._group.abort()
        for conn in self._peers.values():
            conn.close()
        self._peers, self._group = {}, None
        for process, conn in self._workers:
            with contextlib.suppress(OSError):  # its process has ended
                send(conn, "stop")
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
            conn.close()
        self._workers = []

    def __enter__(self) -> DataParallel:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _check(self) -> None:
        if self._broken or not self._workers:
            raise ShardError("a pass failed or the workers were stopped: start another")

    def _send(self, rank: int, op: str, array: np.ndarray, **fields: Any) -> None:
        try:
            send(self._conn(rank), op, array, **fields)
        except BaseException:  # a message cut short would garble the next
            self._broken = True
            raise

    def _conn(self, rank: int) -> Connection:
        return self._workers[rank - 1][1]

    def _shard(self, array: np.ndarray, rank: int) -> np.ndarray:
        return array[self._cuts[rank] : self._cuts[rank + 1]]

    def _mirror(self) -> None:
        """The network's current parameters and state, where the workers read them."""
        for prefix, arrays in (("p/", self.network.params), ("s/", self.network.state)):
            for name, array in arrays.items():
                np.copyto(self._arrays[prefix + name], array)

    def _gather(
        self, count: int, group: AllReduce | None, own: Callable[[], np.ndarray | None]
    ) -> list[np.ndarray]:
        """Run this process's shard (BLAS on one thread), then collect the workers' replies
        for ranks 1 to count - 1. The first real error is raised: this shard's own, else a
        worker's; those woken from the barrier only report that it broke."""
        error: BaseException | None = None
        try:
            with self._blas.limit(limits=1, user_api="blas"):
                mine = own()
        except BaseException as exc:  # Ctrl-C included: the workers are woken and heard
            error = exc
            if group is not None:
                group.abort()
        outs: list[np.ndarray | None] = [mine] if error is None else []
        failures: list[tuple[str, str]] = []
        for rank in range(1, count):
            try:
                header, array = receive(self._conn(rank))
            except (EOFError, OSError):
                failures.append((f"shard {rank}: its process ended", "EOFError"))
                continue
            if header["op"] == "error":
                failures.append((header["message"], header["kind"]))
            elif array is not None:
                outs.append(array)
        if error is not None or failures:
            self._broken = True
        real = [message for message, kind in failures if kind != "BrokenBarrierError"]
        if (error is None or isinstance(error, BrokenBarrierError)) and (real or failures):
            raise ShardError((real or [failures[0][0]])[0]) from error
        if error is not None:
            raise error
        return [out for out in outs if out is not None]


def replica(network: Sequential, rng: np.random.Generator) -> Sequential:
    """A network of `network`'s layers (in training order, reorder.py) sharing its parameter
    and state arrays, with caches and grads of its own; its Dropout draws from `rng`; it
    updates BatchNorm's running statistics."""
    dtype = next(iter(network.params.values())).dtype if network.params else np.float32
    twin = training_network(Sequential.from_architecture(network.architecture(), dtype=dtype))
    return shards.bind(twin, network.params, network.state, rng, tracks_running=True)
