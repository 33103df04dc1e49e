"""WeightAverage: the exponential moving average of weights, and fit() keeping it."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.presets import build
from model_core.train.averaging import WeightAverage
from model_core.train.loop import TrainConfig, fit


def test_update_follows_the_warmed_up_decay() -> None:
    net = build("lenet_bn", np.random.default_rng(0))
    name = "0.weight"
    expected = net.params[name].astype(np.float64)
    average = WeightAverage(net, decay=0.9)
    rng = np.random.default_rng(1)
    for step in range(1, 40):
        net.params[name][...] = rng.normal(size=net.params[name].shape)
        decay = min(0.9, (1 + step) / (10 + step))
        expected = decay * expected + (1 - decay) * net.params[name]
        average.update(net)
    np.testing.assert_allclose(average.shadow[name], expected, rtol=1e-5, atol=1e-6)
    assert set(average.shadow) == set(net.params) | set(net.state)  # BatchNorm statistics too


def test_applied_swaps_the_average_in_and_restores_the_weights() -> None:
    net = build("seed", np.random.default_rng(0))
    average = WeightAverage(net, decay=0.5)
    own = {name: array.copy() for name, array in net.params.items()}
    for array in average.shadow.values():
        array += 1.0
    with average.applied(net):
        for name, array in net.params.items():
            np.testing.assert_array_equal(array, own[name] + 1.0)
    for name, array in net.params.items():
        np.testing.assert_array_equal(array, own[name])


@pytest.mark.parametrize("decay", [0.0, 1.0, -0.5])
def test_decay_outside_zero_one_is_refused(decay: float) -> None:
    with pytest.raises(ValueError, match="decay"):
        WeightAverage(build("seed", np.random.default_rng(0)), decay)


def test_fit_with_ema_keeps_the_average_not_the_last_step() -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (96, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 96)
    no_val = (images[:0], labels[:0])

    def train(ema: float) -> dict[str, np.ndarray]:
        net = build("seed", np.random.default_rng(5))
        config = TrainConfig(preset="seed", epochs=2, batch_size=32, augment=False, ema=ema)
        fit(net, config, (images, labels), no_val, np.random.default_rng(6))
        return net.params

    raw, averaged = train(0.0), train(0.9)
    assert not np.allclose(raw["3.weight"], averaged["3.weight"])
    # Same data order and updates: the kept weights are the average of the raw trajectory,
    # which lags behind it, so they sit closer to the initial weights.
    start = build("seed", np.random.default_rng(5)).params["3.weight"]
    assert np.abs(averaged["3.weight"] - start).sum() < np.abs(raw["3.weight"] - start).sum()
