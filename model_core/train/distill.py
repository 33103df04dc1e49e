"""A teacher for knowledge distillation: a saved model whose softened probabilities a smaller
network learns from, beside the labels (Hinton et al., 2015).

The teacher reads the same augmented batch as the student, so the student matches the teacher's
function on every image it is shown, not only on the clean training set.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from model_core.nn.ensemble import Model, members_of
from model_core.nn.folding import inference_model
from model_core.nn.losses import softmax
from model_core.nn.serialization import load_model


@functools.cache
def load_teacher(path: str) -> Model:
    """The model saved at `path`, folded for fast forward passes (loaded once per process)."""
    return inference_model(load_model(Path(path)).network)


def soft_targets(teacher: Model, x: np.ndarray, temperature: float) -> np.ndarray:
    """(N, K) the teacher's class probabilities at `temperature` for a model input batch
    (N, 28, 28, 1): softmax(logits / T), averaged over an ensemble's members."""
    members = members_of(teacher)
    total = np.zeros((len(x), members[0].output_shape[0]), dtype=np.float32)  # (N, K)
    for member in members:
        total += softmax(member.forward(x, training=False) / np.float32(temperature))
    return total / len(members)
