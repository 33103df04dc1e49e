"""An ensemble: networks trained apart, whose class probabilities are averaged.

Networks started from different random weights and shown the data in different orders make
partly different mistakes, so the mean of their probabilities is more reliably right: on each
of the four validation splits measured (README), three vgg_lite averaged had a lower loss than
every one of them alone. An `Ensemble` offers what a served model needs of a `Sequential`
(shapes, probabilities, named parameters and state, an architecture that rebuilds it, a
summary), so saving, loading, inference and the service take either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from model_core.nn.layers.base import Shape
from model_core.nn.network import Sequential


class Ensemble:
    """Member networks of one input and output shape; parameters named `"{member}/{name}"`,
    e.g. `"2/0.weight"`, in `params` and `state` alike."""

    def __init__(self, members: Iterable[Sequential]) -> None:
        self.members = list(members)
        if len(self.members) < 2:
            raise ValueError(f"an ensemble needs at least two members, got {len(self.members)}")
        first = self.members[0]
        for i, member in enumerate(self.members[1:], start=1):
            if (member.input_shape, member.output_shape) != (first.input_shape, first.output_shape):
                raise ValueError(
                    f"member {i} maps {member.input_shape} to {member.output_shape}; member 0"
                    f" maps {first.input_shape} to {first.output_shape}"
                )
        self.input_shape: Shape = first.input_shape
        self.output_shape: Shape = first.output_shape

    def predict_proba(self, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """The members' mean class probabilities (N, K) for a batch (N, *input_shape)."""
        total = self.members[0].predict_proba(x, batch_size)  # (N, K)
        for member in self.members[1:]:
            total += member.predict_proba(x, batch_size)
        return total / len(self.members)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Most likely class per sample, (N,)."""
        return self.predict_proba(x).argmax(axis=1)

    def _named(self, attr: str) -> dict[str, np.ndarray]:
        return {
            f"{i}/{name}": array
            for i, member in enumerate(self.members)
            for name, array in getattr(member, attr).items()
        }

    @property
    def params(self) -> dict[str, np.ndarray]:
        return self._named("params")

    @property
    def state(self) -> dict[str, np.ndarray]:
        return self._named("state")

    def num_params(self) -> int:
        return sum(member.num_params() for member in self.members)

    def architecture(self) -> dict[str, Any]:
        """A JSON-serialisable description that `model_from_architecture` rebuilds."""
        return {
            "input_shape": list(self.input_shape),
            "members": [member.architecture() for member in self.members],
        }

    def summary(self) -> str:
        """Each member's table, then the ensemble's total."""
        parts = [
            f"Member {i + 1} of {len(self.members)}\n{member.summary()}"
            for i, member in enumerate(self.members)
        ]
        average = "mean of the members' class probabilities"
        return "\n\n".join([*parts, f"Ensemble: {average}; total params: {self.num_params():,}"])

    def __repr__(self) -> str:
        return f"Ensemble({len(self.members)} members, {self.num_params():,} params)"


Model = Sequential | Ensemble


def model_from_architecture(architecture: dict[str, Any]) -> Model:
    """Rebuild a Sequential, or an Ensemble when the description lists `members`."""
    if "members" not in architecture:
        return Sequential.from_architecture(architecture)
    members = architecture["members"]
    if not isinstance(members, list):
        raise ValueError("members must be a list of network architectures")
    ensemble = Ensemble(Sequential.from_architecture(spec) for spec in members)
    if list(ensemble.input_shape) != list(architecture.get("input_shape", [])):
        raise ValueError(
            f"input_shape {architecture.get('input_shape')} differs from the members'"
            f" {list(ensemble.input_shape)}"
        )
    return ensemble


def members_of(model: Model) -> list[Sequential]:
    """The networks inside a model: its members, or the network itself."""
    return model.members if isinstance(model, Ensemble) else [model]
