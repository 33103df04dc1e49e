"""The verifier: a small network that tells one digit (0-9) from anything else (GARBAGE).

Reading a line of touching digits means choosing among candidate cuts (candidates.py), and the
digit network cannot choose: it reads two touching digits, or half of one, as some digit, and
surely. The verifier is trained on the candidates themselves (verifier_data.py), so its last
class says how likely a candidate is not one digit at all. It is about a fifth of one member
of the committed ensemble, so it can score every candidate of a line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from model_core.nn.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
from model_core.nn.network import Sequential

from .verifier_data import GARBAGE

CLASSES = GARBAGE + 1
WIDTH = 16  # filters of the first convolution (twice as many in the second)
HIDDEN = 64


def build_verifier(rng: np.random.Generator) -> Sequential:
    """Conv 16 - pool - conv 32 - pool - dense 64 - 11 classes (~1.1 M multiply-adds)."""
    return Sequential(
        [
            Conv2D(1, WIDTH, 3, padding=1, rng=rng),  # (28, 28, 16)
            ReLU(),
            MaxPool2D(2),  # (14, 14, 16)
            Conv2D(WIDTH, 2 * WIDTH, 3, padding=1, rng=rng),  # (14, 14, 32)
            ReLU(),
            MaxPool2D(2),  # (7, 7, 32)
            Flatten(),  # (1568,)
            Dense(7 * 7 * 2 * WIDTH, HIDDEN, rng=rng),
            ReLU(),
            Dense(HIDDEN, CLASSES, rng=rng),  # (11,)
        ],
        (28, 28, 1),
    )


def is_verifier(network: Any) -> bool:
    """A network maps (28, 28, 1) to the 10 digits and GARBAGE."""
    shapes = (tuple(network.input_shape), tuple(network.output_shape))
    return shapes == ((28, 28, 1), (CLASSES,))


def verifier_metadata(**facts: Any) -> dict[str, Any]:
    """What the saved verifier records about itself, `facts` added."""
    return {
        "kind": "number_verifier",
        "classes": [str(d) for d in range(10)] + ["garbage"],
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "numpy": np.__version__,
        **facts,
    }
