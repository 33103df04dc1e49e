"""Tests for parallel.py: a step over shards on threads equals the one-thread step."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from model_core.nn.layers import BatchNorm, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D, ReLU
from model_core.nn.losses import softmax_cross_entropy
from model_core.nn.network import Sequential
from model_core.nn.parallel import AllReduce, DataParallel
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


def test_a_failing_shard_raises_its_own_error_and_wakes_the_others() -> None:
    """Shard 1 fails before BatchNorm; shard 0, waiting there for it, is woken (no hang), and
    the error raised is shard 1's."""
    with DataParallel(_net(), 2, np.random.default_rng(0)) as parallel:
        first = parallel.replicas[1].layers[0]

        def broken(x: np.ndarray, training: bool = False) -> np.ndarray:
            raise RuntimeError("shard 1 broke")

        first.forward = broken  # type: ignore[method-assign]
        x, _ = _batch(8)
        with pytest.raises(RuntimeError, match="shard 1 broke"):
            parallel.forward(x, training=True)


def test_closing_wakes_a_shard_left_waiting_for_its_partner() -> None:
    parallel = DataParallel(_net(), 2, np.random.default_rng(0))
    parallel._group = group = AllReduce(2)
    waiting = parallel._pool.submit(group.sum, 0, np.ones(1))  # its partner never comes
    closer = threading.Thread(target=parallel.close)
    closer.start()
    closer.join(timeout=10)
    assert not closer.is_alive()
    assert isinstance(waiting.exception(), threading.BrokenBarrierError)


def test_all_reduce_gives_every_thread_the_sum_in_rank_order() -> None:
    group, parties = AllReduce(3), 3
    results: dict[int, list[np.ndarray]] = {}

    def run(rank: int) -> None:
        results[rank] = [group.sum(rank, np.array([float(rank + round_)])) for round_ in (1, 10)]

    threads = [threading.Thread(target=run, args=(rank,)) for rank in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(results) == [0, 1, 2]
    for rank in range(parties):
        assert [float(r[0]) for r in results[rank]] == [6.0, 33.0]


@pytest.mark.parametrize("threads", [0, 1])
def test_data_parallelism_needs_two_threads(threads: int) -> None:
    with pytest.raises(ValueError, match="at least 2 threads"):
        DataParallel(_net(), threads, np.random.default_rng())


def test_only_the_first_shard_tracks_batchnorm_running_statistics() -> None:
    with DataParallel(_net(), 3, np.random.default_rng(0)) as parallel:
        norms = [
            [layer.tracks_running for layer in net.layers if isinstance(layer, BatchNorm)]
            for net in parallel.replicas
        ]
    assert norms == [[True, True], [False, False], [False, False]]
