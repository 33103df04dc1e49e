"""GET /model/info: architecture, training record, input limits, the artifact's hash, the
number verifier's and sequence reader's, the rule that tells a digit from a non-digit, and the
ensemble's cascade."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ValidationError

from app.config import Settings
from app.dependencies import get_classifier, get_settings
from app.errors import error_responses
from app.model_schemas import (
    Architecture,
    CascadeInfo,
    InputSpec,
    LayerInfo,
    ModelInfo,
    NotADigitInfo,
    SequenceReaderInfo,
    TrainingInfo,
    VerifierInfo,
)
from model_core.classifier import DigitClassifier, NumberNetwork
from model_core.nn.cascade import METADATA_KEY as CASCADE_KEY
from model_core.nn.ensemble import members_of
from model_core.number import UNLIKELY
from model_core.preprocessing import ALLOWED_FORMATS
from model_core.rejection import METADATA_KEY

router = APIRouter(tags=["model"])

Info = TypeVar("Info", bound=BaseModel)


@router.get(
    "/model/info",
    summary="The served model: architecture, training, input expectations",
    responses=error_responses("model_not_loaded"),
)
def model_info(
    classifier: Annotated[DigitClassifier, Depends(get_classifier)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> ModelInfo:
    network = classifier.network
    members = members_of(network)
    layers = [
        LayerInfo(
            member=number,
            index=index,
            type=spec["type"],
            output_shape=list(shape),
            params=sum(p.size for p in layer.params.values()),
            config={key: value for key, value in spec.items() if key != "type"},
        )
        for number, member in enumerate(members)
        for index, (layer, shape, spec) in enumerate(
            zip(member.layers, member.shapes, member.architecture()["layers"], strict=True)
        )
    ]
    architecture = Architecture(
        input_shape=list(network.input_shape),
        members=len(members),
        layers=layers,
        total_params=network.num_params(),
        summary=network.summary(),
    )
    training = _known_fields(TrainingInfo, classifier.metadata)
    limits = InputSpec(
        formats=list(ALLOWED_FORMATS),
        max_upload_bytes=settings.max_upload_bytes,
        max_image_pixels=settings.max_image_pixels,
        max_batch_size=settings.max_batch_size,
        max_number_digits=settings.max_number_digits,
        base64="plain or URL-safe base64 (whitespace ignored), or a data:image/...;base64 URL",
        deskew=classifier.deskew,
    )
    return ModelInfo(
        architecture=architecture,
        training=training,
        input=limits,
        sha256=classifier.sha256,
        verifier=_network_info(VerifierInfo, classifier.verifier),
        sequence_reader=_network_info(
            SequenceReaderInfo,
            classifier.sequence,
            shape_network=classifier.has_shape_network,
            gate_network=classifier.has_gate_network,
            unlikely=UNLIKELY,
        ),
        not_a_digit=_not_a_digit_info(classifier),
        cascade=_cascade_info(classifier),
    )


def _network_info(schema: type[Info], loaded: NumberNetwork | None, **known: object) -> Info | None:
    """A number network's file as /model/info describes it: its hash, size, what the service
    knows of it (`known`) and the facts its metadata records."""
    if loaded is None:
        return None
    facts = {"sha256": loaded.sha256, "parameters": loaded.network.num_params(), **known}
    found = {key: value for key, value in loaded.metadata.items() if key not in facts}
    return _known_fields(schema, found, facts)


def _not_a_digit_info(classifier: DigitClassifier) -> NotADigitInfo | None:
    """The metadata's rule as the classifier read it, and the figures recorded beside it."""
    rule = classifier.rule
    if rule is None:
        return None
    facts = {"score": rule.score, "threshold": rule.threshold, "min_aspect": rule.min_aspect,
             "touching_threshold": rule.touching_threshold}  # fmt: skip
    entry = classifier.metadata[METADATA_KEY]  # a dict: the classifier checked it
    return _known_fields(NotADigitInfo, {k: v for k, v in entry.items() if k not in facts}, facts)


def _cascade_info(classifier: DigitClassifier) -> CascadeInfo | None:
    """The metadata's cascade, and whether this classifier runs it."""
    entry = classifier.metadata.get(CASCADE_KEY)
    if not isinstance(entry, dict) or len(members_of(classifier.network)) < 2:
        return None
    facts = {"sure": entry["sure"], "used": classifier.cascade is not None}
    return _known_fields(CascadeInfo, {k: v for k, v in entry.items() if k not in facts}, facts)


def _known_fields(
    schema: type[Info], metadata: dict[str, Any], facts: dict[str, Any] | None = None
) -> Info:
    """`schema` of the known metadata fields (every field, if the schema allows extra ones) and
    `facts`, always valid; a metadata field of an unexpected type is left out, not a 500."""
    every = schema.model_config.get("extra") == "allow"
    fields = {key: value for key, value in metadata.items() if every or key in schema.model_fields}
    while fields:
        try:
            return schema.model_validate({**fields, **(facts or {})})
        except ValidationError as error:
            bad = {str(problem["loc"][0]) for problem in error.errors() if problem["loc"]}
            fields = {key: value for key, value in fields.items() if key not in bad} if bad else {}
    return schema.model_validate(facts or {})
