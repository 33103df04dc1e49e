"""A ready-to-use digit classifier: a saved model plus the shared preprocessing.

from model_core.classifier import DigitClassifier
clf = DigitClassifier.load("trained_cnn_model.npz", "trained_verifier_model.npz",
                           sequence_path="trained_sequence_model.npz")
clf.predict("photo.jpg").digit        # a path, raw bytes, or an image array
clf.read_number("meter.jpg").reading.number   # a line of digits, e.g. "0427"
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model_core.nn.cascade import Cascade, cascade_from_metadata
from model_core.nn.ensemble import Ensemble, Model
from model_core.nn.folding import inference_model, inference_network
from model_core.nn.network import Sequential
from model_core.nn.serialization import ModelLoadError, load_model
from model_core.number import (
    DEFAULT_MAX_DIGITS,
    NumberUpload,
    Screen,
    read_number_array,
    read_number_bytes,
)
from model_core.number.gate import read_gated, split_gate
from model_core.number.sequence import (
    StripReading,
    frame_log_probs,
    is_sequence_reader,
    read_strips,
)
from model_core.number.shapes import split_shapes
from model_core.number.verifier import is_verifier
from model_core.preprocessing import (
    DEFAULT_MAX_PIXELS,
    PreprocessResult,
    input_options,
    preprocess_array,
    preprocess_bytes,
    to_model_input,
)
from model_core.rejection import RejectRule, rule_from_metadata

ImageSource = str | Path | bytes | np.ndarray


@dataclass(frozen=True)
class Prediction:
    digit: int
    confidence: float
    probabilities: list[float]  # ten floats summing to 1
    preprocessing: PreprocessResult
    is_digit: bool = True  # False: the model's rule says the image is not a digit


@dataclass(frozen=True)
class NumberNetwork:
    """A network that helps read numbers, as loaded from its file: the verifier that scores
    the cuts (model_core/number/verifier.py) or the sequence reader that reads touching digits
    whole (model_core/number/sequence.py)."""

    network: Model
    metadata: dict[str, Any]
    sha256: str = ""


class DigitClassifier:
    """Reads one digit per image, or a line of them. Inference only touches read-only
    weights: thread-safe. Without a verifier, a number's digits must not touch. An ensemble
    whose metadata asks for a cascade (model_core/nn/cascade.py) runs as one unless
    `full_ensemble`."""

    def __init__(
        self,
        network: Model,
        metadata: dict[str, Any],
        sha256: str = "",
        verifier: NumberNetwork | None = None,
        full_ensemble: bool = False,
        sequence: NumberNetwork | None = None,
    ) -> None:
        if network.input_shape != (28, 28, 1) or network.output_shape != (10,):
            raise ValueError(
                f"a digit classifier maps (28, 28, 1) to 10 classes; this network maps"
                f" {network.input_shape} to {network.output_shape}"
            )
        self.network, self.metadata, self.sha256 = network, metadata, sha256
        try:
            self.deskew = input_options(metadata)["deskew"]
            self.rule: RejectRule | None = rule_from_metadata(metadata)
            sure = cascade_from_metadata(metadata)
        except ValueError as error:
            raise ModelLoadError(f"the model's metadata is invalid: {error}") from error
        runner = inference_model(network)  # same outputs, BatchNorm folded away
        self.cascade: Cascade | None = None
        if isinstance(runner, Ensemble) and sure is not None and not full_ensemble:
            self.cascade = Cascade(runner, sure)
        self._runner: Model | Cascade = runner if self.cascade is None else self.cascade
        if verifier is not None and not is_verifier(verifier.network):
            raise ModelLoadError("the verifier must map (28, 28, 1) to 10 digits and garbage")
        self.verifier = verifier
        self._verifier = None if verifier is None else inference_model(verifier.network)
        self.sequence = sequence
        self._sequence: Model | None = None
        self._shapes: Sequential | None = None
        self._gate: Sequential | None = None
        if sequence is not None:
            if not is_sequence_reader(sequence.network):
                raise ModelLoadError(
                    "the sequence reader must map 28-row strips to frames of 10 digits and blank"
                )
            try:
                others, gate = split_gate(sequence.network, sequence.metadata)
                reading, shapes = split_shapes(others, sequence.metadata)
            except ValueError as error:
                message = f"the sequence reader's metadata is invalid: {error}"
                raise ModelLoadError(message) from error
            self._sequence = inference_model(reading)
            self._shapes = None if shapes is None else inference_network(shapes)
            self._gate = None if gate is None else inference_network(gate)

    @classmethod
    def load(
        cls,
        path: str | Path,
        verifier_path: str | Path | None = None,
        full_ensemble: bool = False,
        sequence_path: str | Path | None = None,
    ) -> DigitClassifier:
        """Load a saved model, and the number verifier and sequence reader if given; raises
        ModelLoadError naming what is wrong with a file."""
        saved = load_model(path)
        verifier = None if verifier_path is None else _number_network(verifier_path)
        sequence = None if sequence_path is None else _number_network(sequence_path)
        return cls(saved.network, saved.metadata, _sha256(path), verifier, full_ensemble, sequence)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (N, 10) for normalised digits (N, 28, 28), as preprocessing gives."""
        return self._runner.predict_proba(to_model_input(images, self.deskew))

    def is_digit(
        self, probabilities: np.ndarray, images: np.ndarray, touching: np.ndarray | None = None
    ) -> np.ndarray:
        """(N, 10) probabilities of (N, 28, 28) normalised digits -> (N,) booleans by the
        model's rule (all True without one); `touching` (N,): digits of a number cut apart."""
        if self.rule is None:
            return np.ones(len(probabilities), dtype=bool)  # (N,)
        return self.rule.is_digit(probabilities, images, touching)  # (N,)

    def verdicts(self, images: np.ndarray) -> np.ndarray:
        """The verifier's (N, 11) probabilities for candidates (N, 28, 28): ten digits, then
        that a candidate is not one digit. Needs a verifier."""
        if self._verifier is None:
            raise ValueError("this classifier was loaded without a verifier")
        return self._verifier.predict_proba(to_model_input(images, False))

    def preprocess(
        self, source: ImageSource, max_pixels: int = DEFAULT_MAX_PIXELS
    ) -> PreprocessResult:
        if isinstance(source, np.ndarray):
            return preprocess_array(source)
        if isinstance(source, str | Path):
            source = Path(source).read_bytes()
        return preprocess_bytes(source, max_pixels=max_pixels)

    def predict(self, source: ImageSource, max_pixels: int = DEFAULT_MAX_PIXELS) -> Prediction:
        """Read the digit in an image file path, encoded image bytes, or an image array."""
        return self.predict_many([source], max_pixels)[0]

    def predict_many(
        self, sources: Sequence[ImageSource], max_pixels: int = DEFAULT_MAX_PIXELS
    ) -> list[Prediction]:
        """Preprocess each image, then run the network once over the whole batch."""
        results = [self.preprocess(source, max_pixels) for source in sources]
        return self.predict_preprocessed(results)

    def predict_preprocessed(self, results: Sequence[PreprocessResult]) -> list[Prediction]:
        if not results:
            return []
        images = np.stack([r.image for r in results])  # (N, 28, 28)
        probs = self.probabilities(images)  # (N, 10)
        digits = self.is_digit(probs, images)  # (N,)
        return [
            Prediction(int(p.argmax()), float(p.max()), [float(v) for v in p], r, bool(d))
            for p, r, d in zip(probs, results, digits, strict=True)
        ]

    def read_number(
        self,
        source: ImageSource,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        max_digits: int = DEFAULT_MAX_DIGITS,
    ) -> NumberUpload:
        """Read the line of digits in an image file path, encoded bytes, or an image array."""
        verdicts = None if self._verifier is None else self.verdicts
        sequence = None if self.sequence is None else self.read_strips
        screen = None if self.cascade is None else Screen(self.screen, self.finish)
        shapes = None if self._shapes is None else self.shape_frames
        if isinstance(source, np.ndarray):
            return read_number_array(
                source,
                self.probabilities,
                max_digits=max_digits,
                verifier=verdicts,
                sequence=sequence,
                screen=screen,
                shapes=shapes,
            )
        if isinstance(source, str | Path):
            source = Path(source).read_bytes()
        return read_number_bytes(
            source,
            self.probabilities,
            max_pixels=max_pixels,
            max_digits=max_digits,
            verifier=verdicts,
            sequence=sequence,
            screen=screen,
            shapes=shapes,
        )

    def screen(self, images: np.ndarray) -> np.ndarray:
        """(N, 10) probabilities of the cascade's first network alone for normalised digits
        (N, 28, 28): a number's candidate cuts are scored by it, the digits chosen are read by
        the whole cascade (run p12 in docs/experiments.md). Needs a cascade."""
        if self.cascade is None:
            raise ValueError("this classifier does not run its ensemble as a cascade")
        first = self.cascade.ensemble.members[0]
        return first.predict_proba(to_model_input(images, self.deskew))

    def finish(self, images: np.ndarray, first: np.ndarray) -> np.ndarray:
        """The cascade's (N, 10) probabilities for normalised digits (N, 28, 28) whose first
        network's (N, 10) probabilities `first` are known (from `screen`). Needs a cascade."""
        if self.cascade is None:
            raise ValueError("this classifier does not run its ensemble as a cascade")
        return self.cascade.finish(to_model_input(images, self.deskew), first)

    def read_strips(
        self, strips: list[np.ndarray], known: list[list[int]] | None = None
    ) -> list[StripReading]:
        """The sequence reader's digits for blobs as strips (model_core/number/strips.py),
        looked at again where they differ from `known` (sequence.read_strips), and not at all
        where its gate network reads `known` surely (gate.py). Needs a sequence reader."""
        if self._sequence is None:
            raise ValueError("this classifier was loaded without a sequence reader")
        if self._gate is not None and known is not None:
            return read_gated(self._sequence, self._gate, strips, known)
        return read_strips(self._sequence, strips, known)

    @property
    def has_gate_network(self) -> bool:
        """Whether the sequence reader holds a gate network (model_core/number/gate.py)."""
        return self._gate is not None

    @property
    def has_shape_network(self) -> bool:
        """Whether the sequence reader holds a shape network (model_core/number/shapes.py)."""
        return self._shapes is not None

    def shape_frames(self, strips: list[np.ndarray]) -> list[np.ndarray]:
        """The shape network's (T, 11) frame log-probabilities of each strip: where it sees no
        digit (model_core/number/shapes.py). Needs a sequence reader that holds one."""
        if self._shapes is None:
            raise ValueError("this classifier's sequence reader holds no shape network")
        return frame_log_probs(self._shapes, strips)


def _number_network(path: str | Path) -> NumberNetwork:
    checked = load_model(path)
    return NumberNetwork(checked.network, checked.metadata, _sha256(path))


def _sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
