"""POST /predict (multipart), /predict/base64 (JSON) and /predict/batch (several files).

Handlers are plain `def`: FastAPI runs them in its threadpool, so decoding and the forward pass
never block the event loop. They answer the JSON themselves (`json_response`): FastAPI would
otherwise validate the returned model again, in one more threadpool hop per request.
`response_model` still documents the body in the OpenAPI schema.

Each takes `strict` (app/strict.py): an image the model takes for no digit is then a 422
`not_a_digit`, not an answer with `is_digit` false.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Response, UploadFile
from pydantic import BaseModel

from app.dependencies import Serving, get_serving, one_file
from app.errors import ApiError, error_responses
from app.inference import predict_files, predict_image
from app.schemas import BASE64_EXAMPLES, Base64Request, BatchResponse, PredictionResponse
from app.strict import Strict, not_a_digit
from app.transport import decode_base64_image

router = APIRouter(prefix="/predict", tags=["predict"])

Service = Annotated[Serving, Depends(get_serving)]
ImageFile = Annotated[
    UploadFile, File(description="the image: PNG, JPEG, GIF, BMP, WEBP, TIFF or AVIF")
]

_IMAGE_ERRORS = (
    "invalid_image",
    "payload_too_large",
    "image_too_large",
    "unsupported_format",
    "no_digit",
    "not_a_digit",
    "validation_error",
    "model_not_loaded",
)


@router.post(
    "",
    response_model=PredictionResponse,
    dependencies=[
        Depends(one_file("/predict", "send several to /predict/batch, in fields named 'files'"))
    ],
    summary="Read the digit in an uploaded image file",
    responses=error_responses("bad_request", *_IMAGE_ERRORS),
)
def predict(
    file: ImageFile,
    service: Service,
    strict: Strict = None,
) -> Response:
    started = time.perf_counter()
    data = file.file.read()
    return json_response(_counted(service, data, started, service.strict(strict), "/predict"))


@router.post(
    "/base64",
    response_model=PredictionResponse,
    summary="Read the digit in a base64 image or data URL",
    responses=error_responses("invalid_base64", *_IMAGE_ERRORS),
)
def predict_base64(
    body: Annotated[Base64Request, Body(openapi_examples=BASE64_EXAMPLES)],
    service: Service,
    strict: Strict = None,
) -> Response:
    started = time.perf_counter()
    try:
        data = decode_base64_image(body.image)
    except ApiError as error:
        service.metrics.prediction_errors.labels(error.code).inc()
        raise
    strictly = service.strict(strict)
    return json_response(_counted(service, data, started, strictly, "/predict/base64"))


@router.post(
    "/batch",
    response_model=BatchResponse,
    summary="Read the digits in several image files at once",
    description=(
        "Send up to MAX_BATCH_SIZE files (default 16) in file fields named `files`. The answer "
        "has one item per file, in request order. A file that cannot be read does not fail the "
        "batch: its item has the `status` and `error` that /predict would give it alone, and "
        "`prediction` null; with `strict=true`, an image the model takes for no digit gets 422 "
        "`not_a_digit` there. More files than the limit: 413 `too_many_files`."
    ),
    responses=error_responses(
        "too_many_files", "payload_too_large", "bad_request", "validation_error", "model_not_loaded"
    ),
)
def predict_batch(
    files: Annotated[list[UploadFile], File(description="the images, one per `files` field")],
    service: Service,
    strict: Strict = None,
) -> Response:
    started = time.perf_counter()
    settings, metrics = service.settings, service.metrics
    if len(files) > settings.max_batch_size:
        metrics.prediction_errors.labels("too_many_files").inc()
        raise ApiError(
            413,
            "too_many_files",
            f"{len(files)} files sent; a batch holds at most {settings.max_batch_size}",
        )
    payloads = [(upload.filename, upload.file.read()) for upload in files]
    max_pixels, strictly = settings.max_image_pixels, service.strict(strict)
    batch = predict_files(service.classifier, payloads, max_pixels, started, strictly)
    for item in batch.results:
        if item.prediction is not None:
            metrics.predictions.labels(str(item.prediction.digit)).inc()
            if not item.prediction.is_digit:
                metrics.not_a_digit.labels("/predict/batch").inc()
        elif item.error is not None:
            metrics.prediction_errors.labels(item.error.code).inc()
            if item.error.code == "not_a_digit":
                metrics.not_a_digit.labels("/predict/batch").inc()
    return json_response(batch)


def json_response(body: BaseModel) -> Response:
    """The model as a JSON response, serialised once by pydantic (already validated)."""
    return Response(body.model_dump_json(), media_type="application/json")


def _counted(
    service: Serving, data: bytes, started: float, strict: bool, endpoint: str
) -> PredictionResponse:
    max_pixels, classifier = service.settings.max_image_pixels, service.classifier
    try:
        result = predict_image(classifier, data, max_pixels, started)
        if not result.is_digit:
            service.metrics.not_a_digit.labels(endpoint).inc()
            if strict:
                raise not_a_digit(classifier.rule, result.probabilities)
    except ApiError as error:
        service.metrics.prediction_errors.labels(error.code).inc()
        raise
    service.metrics.predictions.labels(str(result.digit)).inc()
    return result
