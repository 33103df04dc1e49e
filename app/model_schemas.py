"""The body of GET /model/info, with the example /docs shows: the served model's
architecture, training record, input limits, number verifier and non-digit rule."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LayerInfo(BaseModel):
    member: int = Field(0, description="which network of an ensemble (0 for a single network)")
    index: int = Field(description="position in its network")
    type: str = Field(description='layer class, e.g. "Conv2D"')
    output_shape: list[int] = Field(description="per-sample output shape (channels last)")
    params: int = Field(description="trainable parameters in this layer")
    config: dict[str, Any] = Field(description="constructor arguments")


class Architecture(BaseModel):
    input_shape: list[int]
    members: int = Field(
        1, description="networks whose probabilities are averaged (1: a single network)"
    )
    layers: list[LayerInfo] = Field(description="every layer of every member, in order")
    total_params: int
    summary: str = Field(description="Keras-style text table")


class TrainingInfo(BaseModel):
    """What the training run recorded (fields absent from the model file are null)."""

    preset: str | None = None
    hyperparameters: dict[str, Any] | None = None
    history: list[dict[str, Any]] | None = Field(None, description="per-epoch statistics")
    best_epoch: int | None = None
    val_accuracy: float | None = None
    test_accuracy: float | None = None
    test_size: int | None = None
    train_size: int | None = None
    val_size: int | None = None
    train_seconds: float | None = None
    date: str | None = None
    git_commit: str | None = None


class InputSpec(BaseModel):
    formats: list[str] = Field(description="accepted image formats (detected from the bytes)")
    max_upload_bytes: int = Field(description="largest request body, a whole batch included")
    max_image_pixels: int = Field(description="largest width x height decoded")
    max_batch_size: int = Field(description="most files in one /predict/batch request")
    max_number_digits: int = Field(description="most digits one /predict/number reads")
    base64: str = Field(description="what /predict/base64 accepts")
    deskew: bool = Field(
        default=False, description="digits are sheared upright before the network (the model's own)"
    )


class VerifierInfo(BaseModel):
    """The number verifier: the network that lets /predict/number read touching digits."""

    sha256: str = Field(description="SHA-256 of the verifier file served")
    parameters: int = Field(description="trained parameters of the verifier network")
    val_accuracy: float | None = Field(
        None, description="accuracy on its validation candidates (ten digits and garbage)"
    )
    numbers: int | None = Field(None, description="numbers its training candidates were cut from")
    date: str | None = Field(None, description="when it was trained")


VERIFIER_EXAMPLE = {
    "sha256": "4b1d...07",
    "parameters": 105_931,
    "val_accuracy": 0.981,
    "numbers": 20_000,
    "date": "2026-12-03T18:00:00+00:00",
}


class SequenceReaderInfo(BaseModel):
    """The sequence reader: the network that reads a blob of touching digits whole."""

    sha256: str = Field(description="SHA-256 of the sequence reader file served")
    parameters: int = Field(description="trained parameters of the sequence reader")
    val_exact: float | None = Field(
        None, description="share of its validation blobs (held-out writers) read exactly"
    )
    numbers: int | None = Field(None, description="numbers its training blobs came from")
    date: str | None = Field(None, description="when it was trained")
    shape_network: bool = Field(
        False,
        description="whether it holds a shape network, which flags the digits of blobs that"
        " hold no digit (a letter, a doodle) with `is_digit` false",
    )
    gate_network: bool = Field(
        False,
        description="whether it holds a gate network, a small reader asked first: where it"
        " reads the cut path's digits surely, the reading networks do not look",
    )
    unlikely: float = Field(
        description="several digits read together in one blob count in the number's"
        " confidence at the reader's probability of them; under this probability they have"
        " `is_digit` false",
    )


SEQUENCE_READER_EXAMPLE = {
    "sha256": "7c0e...5a",
    "parameters": 785_686,
    "val_exact": 0.9368,
    "numbers": 20_000,
    "date": "2026-12-04T12:00:00+00:00",
    "shape_network": True,
    "gate_network": True,
    "unlikely": 0.05,
}


class NotADigitInfo(BaseModel):
    """How the model tells a digit from a non-digit: its metadata's `not_a_digit`, with every
    other figure training recorded there kept as it is."""

    model_config = ConfigDict(extra="allow")
    score: str = Field(
        description='what is compared: "max_probability", the largest of the ten probabilities'
    )
    threshold: float = Field(
        ge=0, le=1, description="an image whose score is below it has is_digit false"
    )
    touching_threshold: float = Field(
        ge=0,
        le=1,
        description="the threshold instead for a digit of a number cut from ink it shares with"
        " other digits (touching digits): its image holds some of a neighbour's strokes",
    )
    min_aspect: float | None = Field(
        None,
        ge=0,
        le=1,
        description="an image whose ink, as normalised, is less tall than this times its width"
        " (a dash, a word, a horizon), or whose box is mostly empty rows or columns (things"
        " apart), or that fills most of a round box (a blob), or that reads as a 0 pointed at"
        " the bottom (a heart), has is_digit false;"
        " null: no shape tests",
    )
    validation: dict[str, Any] | None = Field(
        None,
        description="the figures on validation digits and non-digits (made otherwise than the"
        " training ones) that the rule was chosen on, as the model file records them",
    )


NOT_A_DIGIT_INFO_EXAMPLE = {
    "score": "max_probability",
    "threshold": 0.6,
    "touching_threshold": 0.3,
    "min_aspect": 0.4,
    "validation": {"nondigits_flagged": 0.97, "digits_flagged": 0.004},
}


class CascadeInfo(BaseModel):
    """How an ensemble spends its work: its metadata's `cascade`, and whether it is used."""

    model_config = ConfigDict(extra="allow")
    sure: float = Field(
        gt=0,
        le=1,
        description="where the first network's largest probability is at least this, it"
        " answers alone; the other networks read only the rest",
    )
    used: bool = Field(
        description="false when the service runs every network on every image (FULL_ENSEMBLE)"
    )
    validation: dict[str, Any] | None = Field(
        None,
        description="the share of validation digits passed on to the other networks, as the"
        " model file records it",
    )


CASCADE_INFO_EXAMPLE = {"sure": 0.7, "used": True, "validation": {"digits_escalated": 0.034}}


MODEL_INFO_EXAMPLE: dict[str, Any] = {
    "architecture": {
        "input_shape": [28, 28, 1],
        "members": 1,
        "layers": [
            {"member": 0, "index": 0, "type": "Conv2D", "output_shape": [26, 26, 8],
             "params": 80, "config": {"in_channels": 1, "out_channels": 8,
                                      "kernel_size": 3, "stride": 1, "padding": 0}},
            {"member": 0, "index": 1, "type": "MaxPool2D", "output_shape": [13, 13, 8],
             "params": 0, "config": {"kernel_size": 2, "stride": 2}},
        ],
        "total_params": 13_610,
        "summary": "Layer (type)  Output shape  Param # ...",
    },
    "training": {"preset": "seed", "val_accuracy": 0.975, "test_accuracy": 0.9742,
                 "test_size": 10_000, "train_seconds": 61.2,
                 "date": "2026-11-20T10:00:00+00:00"},
    "input": {"formats": ["PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF", "AVIF"],
              "max_upload_bytes": 10_485_760, "max_image_pixels": 16_000_000,
              "max_batch_size": 16, "max_number_digits": 20,
              "base64": "plain, URL-safe or data URL",
              "deskew": True},
    "sha256": "9f2c...e1",
    "verifier": VERIFIER_EXAMPLE,
    "sequence_reader": SEQUENCE_READER_EXAMPLE,
    "not_a_digit": NOT_A_DIGIT_INFO_EXAMPLE,
    "cascade": CASCADE_INFO_EXAMPLE,
}  # fmt: skip


class ModelInfo(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MODEL_INFO_EXAMPLE]})
    architecture: Architecture
    training: TrainingInfo
    input: InputSpec
    sha256: str = Field(description="SHA-256 of the model file served")
    verifier: VerifierInfo | None = Field(
        None,
        description="the number verifier; null: none loaded, so /predict/number reads the"
        " digits blob by blob and they must not touch",
    )
    sequence_reader: SequenceReaderInfo | None = Field(
        None,
        description="the sequence reader; null: none loaded, so touching digits are read along"
        " the verifier's cuts alone",
    )
    not_a_digit: NotADigitInfo | None = Field(
        None,
        description="the rule behind every prediction's `is_digit` (and `strict`'s refusals);"
        " null: the model has none, so every image is taken for a digit",
    )
    cascade: CascadeInfo | None = Field(
        None,
        description="an ensemble's cascade (its first network alone where it is sure); null:"
        " every network reads every image",
    )
