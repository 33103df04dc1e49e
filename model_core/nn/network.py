"""A sequential network: layers applied in order, parameters keyed by name."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any

import numpy as np

from model_core.nn.layers import LAYER_TYPES, Layer
from model_core.nn.layers.base import Shape
from model_core.nn.losses import softmax


class Sequential:
    """Layers in order over a fixed per-sample input shape (H, W, C).

    Parameters are named `"{layer index}.{name}"`, e.g. `"0.weight"`, in `params`, `grads` and
    `state` alike; the optimizer and the saved file use the same names.
    """

    def __init__(self, layers: Iterable[Layer], input_shape: Shape) -> None:
        self.layers = list(layers)
        self.input_shape = tuple(input_shape)
        if not self.layers:
            raise ValueError("a network needs at least one layer")
        self.layers[0].input_grad = False  # nothing upstream of the first layer
        self.shapes = self._infer_shapes()

    def _infer_shapes(self) -> list[Shape]:
        shapes, shape = [], self.input_shape
        for i, layer in enumerate(self.layers):
            try:
                shape = layer.output_shape(shape)
            except ValueError as exc:
                raise ValueError(f"layer {i} ({layer!r}) cannot take input {shape}") from exc
            shapes.append(shape)
        return shapes

    @property
    def output_shape(self) -> Shape:
        """The per-sample shape of the last layer's output, e.g. (10,)."""
        return self.shapes[-1]

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """(N, *input_shape) -> (N, *output_shape) logits."""
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        """Back-propagate from the output gradient; fills every layer's `grads`.

        Returns the input gradient only when `layers[0].input_grad` is switched on.
        """
        grad: np.ndarray | None = dout
        for layer in reversed(self.layers):
            assert grad is not None
            grad = layer.backward(grad)
        return grad

    def predict_proba(self, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """Class probabilities (N, K) for a batch (N, *input_shape), in cache-sized chunks."""
        if x.ndim != len(self.input_shape) + 1 or x.shape[1:] != self.input_shape:
            raise ValueError(f"expected input (N, {self.input_shape}), got {x.shape}")
        if not len(x):
            return np.zeros((0, self.shapes[-1][0]), dtype=np.float32)  # (0, K)
        chunks = [
            softmax(self.forward(x[i : i + batch_size])) for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(chunks)  # (N, K)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Most likely class per sample, (N,)."""
        return self.predict_proba(x).argmax(axis=1)

    def _named(self, attr: str) -> dict[str, np.ndarray]:
        return {
            f"{i}.{name}": array
            for i, layer in enumerate(self.layers)
            for name, array in getattr(layer, attr).items()
        }

    @property
    def params(self) -> dict[str, np.ndarray]:
        return self._named("params")

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return self._named("grads")

    @property
    def state(self) -> dict[str, np.ndarray]:
        return self._named("state")

    def num_params(self) -> int:
        return sum(p.size for p in self.params.values())

    def architecture(self) -> dict[str, Any]:
        """A JSON-serialisable description that `from_architecture` rebuilds."""
        return {
            "input_shape": list(self.input_shape),
            "layers": [{"type": type(layer).__name__, **layer.config()} for layer in self.layers],
        }

    @classmethod
    def from_architecture(
        cls,
        architecture: dict[str, Any],
        *,
        rng: np.random.Generator | None = None,
        dtype: np.dtype | type = np.float32,
    ) -> Sequential:
        """Rebuild a network; weights are random when `rng` is given, zeros otherwise."""
        layers = []
        for i, spec in enumerate(architecture["layers"]):
            config = dict(spec)
            kind = config.pop("type", None)
            if kind not in LAYER_TYPES:
                raise ValueError(f"layer {i}: unknown layer type {kind!r}")
            layers.append(_build_layer(LAYER_TYPES[kind], config, rng, dtype, i))
        return cls(layers, tuple(architecture["input_shape"]))

    def summary(self) -> str:
        """A table of layers, output shapes and parameter counts, like Keras' summary()."""
        rows = [("Layer (type)", "Output shape", "Param #")]
        for i, (layer, shape) in enumerate(zip(self.layers, self.shapes, strict=True)):
            count = sum(p.size for p in layer.params.values())
            rows.append((f"{i} {type(layer).__name__}", str((None, *shape)), f"{count:,}"))
        widths = [max(len(row[c]) for row in rows) + 2 for c in range(3)]
        line = "-" * sum(widths)

        def fmt(row: tuple[str, str, str]) -> str:
            return "".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))

        body = [fmt(rows[0]), line.replace("-", "=")] + [fmt(r) for r in rows[1:]]
        footer = [
            line,
            f"Input shape: {(None, *self.input_shape)}",
            f"Total params: {self.num_params():,}",
        ]
        return "\n".join(body + footer)

    def __repr__(self) -> str:
        return f"Sequential({len(self.layers)} layers, {self.num_params():,} params)"


def _build_layer(
    layer_type: type[Layer],
    config: dict[str, Any],
    rng: np.random.Generator | None,
    dtype: np.dtype | type,
    index: int,
) -> Layer:
    accepts = inspect.signature(layer_type).parameters
    extras = {name: value for name, value in (("rng", rng), ("dtype", dtype)) if name in accepts}
    try:
        return layer_type(**config, **extras)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"layer {index} ({layer_type.__name__}): bad config {config}: {exc}"
        ) from exc
