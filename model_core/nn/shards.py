"""A shard's side of data parallelism (parallel.py): the block of shared memory its arrays live
in, the messages it exchanges with the training process, the sums BatchNorm takes over every
shard (a pipe between each two shards), and the loop a shard's worker process runs.

Messages are a JSON header and, where an array goes with it, the array's raw bytes: nothing
is unpickled per step.
"""

from __future__ import annotations

import contextlib
import functools
import json
import mmap
import operator
import signal
from multiprocessing.connection import Connection
from threading import BrokenBarrierError
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from model_core.allocator import keep_freed_memory
from model_core.nn.layers import BatchNorm, Dropout
from model_core.nn.network import Sequential
from model_core.nn.reorder import training_network

ALIGN = 64  # bytes: each array of the block starts on its own cache line
PEER_TIMEOUT = 120.0  # seconds a shard waits for another's array at a BatchNorm sum
Entry = tuple[str, list[int], str, int]  # an array of the block: name, shape, dtype, offset


def plan(arrays: dict[str, tuple[tuple[int, ...], np.dtype]]) -> tuple[list[Entry], int]:
    """Where each named (shape, dtype) array lies in one block, and the block's size."""
    entries, offset = [], 0
    for name, (shape, dtype) in arrays.items():
        entries.append((name, list(shape), np.dtype(dtype).str, offset))
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        offset += -(-nbytes // ALIGN) * ALIGN
    return entries, max(offset, ALIGN)


def views(block: mmap.mmap, entries: list[Entry]) -> dict[str, np.ndarray]:
    """The block's arrays, as views of it."""
    return {
        name: np.ndarray(tuple(shape), np.dtype(dtype), buffer=block, offset=offset)
        for name, shape, dtype, offset in entries
    }


def send(conn: Connection, op: str, array: np.ndarray | None = None, **fields: Any) -> None:
    """A message: its header, then the array's bytes if it carries one."""
    header: dict[str, Any] = {"op": op, **fields}
    if array is not None:
        array = np.ascontiguousarray(array)
        header |= {"shape": list(array.shape), "dtype": array.dtype.str}
    conn.send_bytes(json.dumps(header).encode())
    if array is not None:
        conn.send_bytes(bytes_of(array))


def bytes_of(array: np.ndarray) -> memoryview:
    """A contiguous array's bytes, not copied (empty arrays included)."""
    return array.reshape(-1).view(np.uint8).data


def receive(conn: Connection) -> tuple[dict[str, Any], np.ndarray | None]:
    """A message sent by `send`: its header and its array (read-only), or None."""
    header = json.loads(conn.recv_bytes())
    if "shape" not in header:
        return header, None
    data, dtype = conn.recv_bytes(), np.dtype(header["dtype"])
    array = np.frombuffer(data, dtype=dtype) if data else np.empty(0, dtype)
    return header, array.reshape(header["shape"])


def total(arrays: list[np.ndarray]) -> np.ndarray:
    """The sum of equal-shaped arrays, added in list order (rank order, for the shards)."""
    summed: np.ndarray = functools.reduce(operator.add, arrays)
    return summed


class AllReduce:
    """The sum of an array that each rank of a step passes, the same for every rank: each
    sends its array to every other over their pipe and adds all of them up in rank order.

    An empty message is the abort signal: a rank that fails sends it, so that no other waits
    for an array that will never come."""

    def __init__(self, rank: int, peers: dict[int, Connection]) -> None:
        self.rank, self.peers = rank, peers  # the other ranks of the step, by rank

    def sum(self, local: np.ndarray) -> np.ndarray:
        local = np.ascontiguousarray(local)
        for conn in self.peers.values():
            conn.send_bytes(bytes_of(local))
        arrays = {self.rank: local}
        for rank, conn in self.peers.items():
            data = conn.recv_bytes() if conn.poll(PEER_TIMEOUT) else b""
            if not data:
                raise BrokenBarrierError(f"shard {rank} failed or went silent")
            arrays[rank] = np.frombuffer(data, dtype=local.dtype).reshape(local.shape)
        return total([arrays[r] for r in sorted(arrays)])

    def abort(self) -> None:
        """Wake every other rank waiting for this one's array."""
        for conn in self.peers.values():
            with contextlib.suppress(OSError):  # that rank's process has ended
                conn.send_bytes(b"")


def bind(
    net: Sequential,
    params: dict[str, np.ndarray],
    state: dict[str, np.ndarray],
    rng: np.random.Generator,
    tracks_running: bool,
) -> Sequential:
    """Make `net` compute with these arrays (keyed by the network's names), its Dropout draw
    from `rng`, and its BatchNorm layers update their running statistics or not."""
    for index, layer in enumerate(net.layers):
        layer.params = {key: params[f"{index}.{key}"] for key in layer.params}
        layer.state = {key: state[f"{index}.{key}"] for key in layer.state}
        if isinstance(layer, Dropout):
            layer.rng = rng
        if isinstance(layer, BatchNorm):
            layer.tracks_running = tracks_running
    return net


def use_group(net: Sequential, group: AllReduce | None) -> None:
    """BatchNorm's batch sums taken over the shards of `group` (None: this shard alone)."""
    for layer in net.layers:
        if isinstance(layer, BatchNorm):
            layer.all_reduce = None if group is None else group.sum


def group_of(rank: int, peers: dict[int, Connection], parties: int) -> AllReduce | None:
    """The BatchNorm sums of a step over ranks 0 to parties - 1, as `rank` takes part."""
    if parties < 2:
        return None
    return AllReduce(rank, {other: conn for other, conn in peers.items() if other < parties})


def serve(
    conn: Connection,
    architecture: dict[str, Any],
    path: str,
    entries: list[Entry],
    rank: int,
    rng: np.random.Generator,
    peers: dict[int, Connection],
) -> None:
    """A worker process: shard `rank` of every step, until told to stop.

    Its network's parameters and state are views of the block's mirror ("p/", "s/"), which
    the training process refreshes before each pass; its gradients go to its own part of the
    block ("g{rank}/"). Ctrl-C is the training process's to handle. A worker runs training
    steps only, so it keeps freed memory for the next step (model_core/allocator.py)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    keep_freed_memory()
    threadpool_limits(limits=1, user_api="blas")
    with open(path, "r+b") as file:
        block = mmap.mmap(file.fileno(), 0)
    arrays = views(block, entries)
    dtype = arrays[next(name for name in arrays if name.startswith("p/"))].dtype
    net = training_network(Sequential.from_architecture(architecture, dtype=dtype))
    mirror = {
        prefix: {n[2:]: a for n, a in arrays.items() if n[:2] == prefix} for prefix in ("p/", "s/")
    }
    bind(net, mirror["p/"], mirror["s/"], rng, tracks_running=False)
    grads = {name: arrays[f"g{rank}/{name}"] for name in net.params}
    group: AllReduce | None = None
    send(conn, "ready")
    while True:
        try:
            header, array = receive(conn)
        except EOFError:
            return  # the training process has gone
        op = header["op"]
        if op == "stop":
            return
        try:
            if op not in ("forward", "backward", "predict") or array is None:
                raise ValueError(f"unknown message {op!r}")
            if op == "forward":
                group = group_of(rank, peers, header["parties"])
                use_group(net, group)
                send(conn, "out", net.forward(array, training=header["training"]))
            elif op == "backward":
                net.backward(array)
                for name, grad in net.grads.items():
                    np.copyto(grads[name], grad)
                send(conn, "done")
            else:
                send(conn, "out", net.predict_proba(array, batch_size=header["batch_size"]))
        except Exception as error:  # reported to the training process, which raises it
            if group is not None:
                group.abort()
            send(conn, "error", kind=type(error).__name__, message=f"shard {rank}: {error!r}")
