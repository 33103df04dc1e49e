"""An exponential moving average (EMA) of a network's weights, for evaluation and keeping.

The average of the weights over the last few hundred steps usually generalises better than
the weights of the last step: it smooths out the noise of the mini-batch updates. Parameters
and state (BatchNorm running statistics) are averaged alike; the decay warms up as
min(decay, (1 + t) / (10 + t)) so that the early average does not remember the random start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from model_core.nn.network import Sequential


class WeightAverage:
    def __init__(self, net: Sequential, decay: float) -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"the average's decay must be in (0, 1), got {decay}")
        self.decay, self.updates = decay, 0
        self.shadow = {name: array.copy() for name, array in _weights(net).items()}

    def update(self, net: Sequential) -> None:
        """Fold the network's current weights into the average (call after each step)."""
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for name, array in _weights(net).items():
            average = self.shadow[name]
            average *= decay
            average += (1.0 - decay) * array

    @contextmanager
    def applied(self, net: Sequential) -> Iterator[None]:
        """Within the block the network holds the averaged weights; its own come back after."""
        weights = _weights(net)
        own = {name: array.copy() for name, array in weights.items()}
        for name, array in weights.items():
            array[...] = self.shadow[name]
        try:
            yield
        finally:
            for name, array in weights.items():
                array[...] = own[name]


def _weights(net: Sequential) -> dict[str, np.ndarray]:
    return net.params | net.state
