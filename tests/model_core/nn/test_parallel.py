"""Tests for parallel.py and shards.py: a step over shards in worker processes equals the
one-process step."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import tempfile
import threading
from multiprocessing.connection import Connection
from threading import BrokenBarrierError

import numpy as np
import pytest

from model_core.nn.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D, ReLU
from model_core.nn.losses import softmax_cross_entropy
from model_core.nn.network import Sequential
from model_core.nn.parallel import SHARED_DIR, DataParallel, ShardError, replica
from model_core.nn.shards import AllReduce, bind, receive, send
from tests.model_core.nn.layers.helpers import F64


def _net(dropout: float = 0.0, seed: int = 0) -> Sequential:
    """A float64 network with every layer kind that couples or draws: BatchNorm over a feature
    map and over features, Dropout."""
    rng = np.random.default_rng(seed)
    layers: list[Layer] = [
        Conv2D(1, 4, 3, padding=1, rng=rng, dtype=F64),  # (8, 8, 4)
        BatchNorm(4, dtype=F64),
        ReLU(),
        MaxPool2D(2),  # (4, 4, 4)
        Flatten(),  # (64,)
        Dense(64, 12, rng=rng, dtype=F64),
        BatchNorm(12, dtype=F64),
        ReLU(),
        Dropout(dropout, rng=np.random.default_rng(seed + 1)),
        Dense(12, 5, rng=rng, dtype=F64),  # (5,)
    ]
    net = Sequential(layers, (8, 8, 1))
    for name, p in net.params.items():
        if name.endswith(("gamma", "beta")):
            p[:] = rng.uniform(0.5, 1.5, p.shape)
    return net


def _step(model: Sequential | DataParallel, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One forward and backward over the whole batch; returns the logits."""
    logits = model.forward(x, training=True)
    _, dlogits = softmax_cross_entropy(logits, labels)
    model.backward(dlogits)
    return logits


def _batch(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 8, 8, 1)), rng.integers(0, 5, n)


@pytest.mark.parametrize(("threads", "n"), [(2, 16), (3, 17), (4, 3), (3, 2)])
def test_a_sharded_step_equals_the_one_thread_step(threads: int, n: int) -> None:
    """Logits, every gradient and BatchNorm's running statistics, whatever the shard sizes,
    even with fewer samples than threads; the conv and dense biases before BatchNorm have a
    zero gradient in theory, compared absolutely."""
    one, sharded = _net(), _net()
    x, labels = _batch(n)
    logits = _step(one, x, labels)
    with DataParallel(sharded, threads, np.random.default_rng(9)) as parallel:
        np.testing.assert_allclose(_step(parallel, x, labels), logits, rtol=1e-10, atol=1e-12)
        assert parallel.grads.keys() == one.grads.keys()
        for name, grad in one.grads.items():
            np.testing.assert_allclose(parallel.grads[name], grad, rtol=1e-9, atol=1e-12)
    for name, stat in one.state.items():
        np.testing.assert_allclose(sharded.state[name], stat, rtol=1e-12)


def test_the_shards_share_the_networks_arrays() -> None:
    """An update of the network's parameters (as an optimizer makes) is what every shard
    computes with next; its grads stay its own."""
    net = _net()
    x, labels = _batch(12)
    with DataParallel(net, 2, np.random.default_rng(0)) as parallel:
        before = _step(parallel, x, labels)
        for name, p in net.params.items():
            p -= 0.5 * parallel.grads[name]
        after = _step(parallel, x, labels)
    assert not np.allclose(before, after)
    fresh = _net()
    for name, p in fresh.params.items():
        p[...] = net.params[name]
    for name, s in fresh.state.items():
        s[...] = net.state[name]
    np.testing.assert_allclose(fresh.forward(x), net.forward(x), rtol=1e-12)


def test_a_step_is_deterministic_for_a_seed_and_thread_count() -> None:
    x, labels = _batch(20)
    runs = []
    for _ in range(2):
        with DataParallel(_net(dropout=0.5), 3, np.random.default_rng(4)) as parallel:
            _step(parallel, x, labels)
            runs.append(parallel.grads)
    for name, grad in runs[0].items():
        assert np.array_equal(grad, runs[1][name]), name


def test_inference_is_the_networks_over_parts_of_the_batch() -> None:
    net = _net()
    x, _ = _batch(11)
    with DataParallel(net, 3, np.random.default_rng(0)) as parallel:
        np.testing.assert_allclose(parallel.predict_proba(x, 4), net.predict_proba(x), rtol=1e-12)
        assert parallel.predict_proba(x[:2]).shape == (2, 5)


def test_a_failing_shard_raises_its_own_error_and_wakes_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shard 1 (a worker) fails in its first layer; shard 0, waiting at the first BatchNorm for
    its sums, is woken (no hang), the error raised is shard 1's, and the object refuses to
    go on (its pipes may hold the failed pass's leftovers)."""
    x, _ = _batch(8)
    with DataParallel(_net(), 2, np.random.default_rng(0)) as parallel:
        cut = DataParallel._shard

        def broken(self: DataParallel, array: np.ndarray, rank: int) -> np.ndarray:
            shard = cut(self, array, rank)
            return shard[..., :0] if rank == 1 else shard  # no channels: Conv2D refuses it

        monkeypatch.setattr(DataParallel, "_shard", broken)
        with pytest.raises(ShardError, match="shard 1"):
            parallel.forward(x, training=True)
        monkeypatch.undo()
        with pytest.raises(ShardError, match="start another"):
            parallel.forward(x, training=True)


def test_closing_wakes_a_shard_left_waiting_for_its_partner() -> None:
    parallel = DataParallel(_net(), 2, np.random.default_rng(0))
    x, _ = _batch(4)
    send(parallel._conn(1), "forward", x, training=True, parties=2)  # shard 0 never comes
    closer = threading.Thread(target=parallel.close)
    closer.start()
    closer.join(timeout=30)
    assert not closer.is_alive()
    assert not any(process.is_alive() for process in multiprocessing.active_children())


def test_a_worker_answers_an_unknown_message_with_an_error() -> None:
    with DataParallel(_net(), 2, np.random.default_rng(0)) as parallel:
        send(parallel._conn(1), "bogus")
        header, array = receive(parallel._conn(1))
    assert header["op"] == "error" and "bogus" in header["message"] and array is None


def test_the_workers_stop_and_the_shared_block_leaves_no_file() -> None:
    before = set(os.listdir(SHARED_DIR or tempfile.gettempdir()))
    with DataParallel(_net(), 3, np.random.default_rng(0)) as parallel:
        processes = [process for process, _ in parallel._workers]
        assert [process.is_alive() for process in processes] == [True, True]
        assert set(os.listdir(SHARED_DIR or tempfile.gettempdir())) == before
    assert [process.is_alive() for process in processes] == [False, False]


def test_all_reduce_gives_every_rank_the_sum_in_rank_order() -> None:
    parties = 3
    ends: list[dict[int, Connection]] = [{} for _ in range(parties)]
    for low, high in itertools.combinations(range(parties), 2):
        ends[low][high], ends[high][low] = multiprocessing.Pipe()
    results: dict[int, list[np.ndarray]] = {}

    def run(rank: int) -> None:
        group = AllReduce(rank, ends[rank])
        results[rank] = [group.sum(np.array([float(rank + round_)])) for round_ in (1, 10)]

    threads = [threading.Thread(target=run, args=(rank,)) for rank in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(results) == [0, 1, 2]
    for rank in range(parties):
        assert [float(r[0]) for r in results[rank]] == [6.0, 33.0]


def test_an_aborted_sum_wakes_the_rank_waiting_for_it() -> None:
    mine, theirs = multiprocessing.Pipe()
    AllReduce(1, {0: theirs}).abort()
    with pytest.raises(BrokenBarrierError, match="shard 1"):
        AllReduce(0, {1: mine}).sum(np.ones(2))


@pytest.mark.parametrize("threads", [0, 1])
def test_data_parallelism_needs_two_threads(threads: int) -> None:
    with pytest.raises(ValueError, match="at least 2 threads"):
        DataParallel(_net(), threads, np.random.default_rng())


def test_a_replica_bound_not_to_track_leaves_running_statistics_alone() -> None:
    """Only shard 0 updates BatchNorm's running statistics; the workers' replicas are bound
    with tracks_running=False."""
    net, x = _net(), _batch(6)[0]
    twin = bind(Sequential.from_architecture(net.architecture(), dtype=F64),
                net.params, net.state, np.random.default_rng(0), tracks_running=False)  # fmt: skip
    before = {name: s.copy() for name, s in net.state.items()}
    twin.forward(x, training=True)
    for name, s in net.state.items():
        np.testing.assert_array_equal(s, before[name])
    replica(net, np.random.default_rng(0)).forward(x, training=True)
    assert not np.array_equal(net.state["1.running_mean"], before["1.running_mean"])
