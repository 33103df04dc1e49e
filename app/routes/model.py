"""GET /model/info: architecture, training record, input limits and the artifact's hash."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import ValidationError

from app.config import Settings
from app.dependencies import get_classifier, get_settings
from app.errors import error_responses
from app.schemas import Architecture, InputSpec, LayerInfo, ModelInfo, TrainingInfo
from model_core.classifier import DigitClassifier
from model_core.nn.ensemble import members_of
from model_core.preprocessing import ALLOWED_FORMATS

router = APIRouter(tags=["model"])


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
    training = _training_info(classifier.metadata)
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
        architecture=architecture, training=training, input=limits, sha256=classifier.sha256
    )


def _training_info(metadata: dict[str, Any]) -> TrainingInfo:
    """The known metadata fields; a field of an unexpected type is left out, not a 500."""
    fields = {key: value for key, value in metadata.items() if key in TrainingInfo.model_fields}
    while fields:
        try:
            return TrainingInfo.model_validate(fields)
        except ValidationError as error:
            bad = {str(problem["loc"][0]) for problem in error.errors() if problem["loc"]}
            fields = {key: value for key, value in fields.items() if key not in bad} if bad else {}
    return TrainingInfo()
