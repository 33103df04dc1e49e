"""A saved-looking network for the serialization tests."""

from __future__ import annotations

import numpy as np

from model_core.nn import presets
from model_core.nn.network import Sequential


def trained_looking(name: str, seed: int) -> Sequential:
    """A preset with every parameter and statistic non-trivial (biases are zero at init)."""
    rng = np.random.default_rng(seed)
    net = presets.build(name, rng)
    for key, p in net.params.items():
        if p.ndim == 1:  # biases, BatchNorm gamma / beta
            p[:] = (
                rng.uniform(0.5, 1.5, p.shape)
                if key.endswith("gamma")
                else rng.normal(0, 0.1, p.shape)
            )
    net.forward(rng.random((4, 28, 28, 1)).astype(np.float32), training=True)  # running stats
    return net
