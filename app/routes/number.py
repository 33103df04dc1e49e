"""POST /predict/number (multipart) and /predict/number/base64 (JSON): a line of digits.

Plain `def` handlers answering with `json_response`, as /predict's (app/routes/predict.py).
With `strict` (app/strict.py), a digit the model takes for no digit refuses the whole number.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from app.dependencies import Serving, one_file
from app.errors import ApiError, error_responses
from app.inference import read_number_image
from app.number_schemas import NUMBER_BASE64_EXAMPLES, NumberResponse
from app.routes.predict import ImageFile, Service, json_response
from app.schemas import Base64Request
from app.strict import Strict, flagged, not_a_number
from app.transport import decode_base64_image

router = APIRouter(prefix="/predict/number", tags=["predict"])


_NUMBER_ERRORS = (
    "invalid_image",
    "payload_too_large",
    "image_too_large",
    "unsupported_format",
    "no_digit",
    "too_many_digits",
    "several_lines",
    "not_a_digit",
    "validation_error",
    "model_not_loaded",
)
DESCRIPTION = (
    "Reads one line of handwritten digits, left to right: a meter reading, an amount, a code."
    " The answer has the `number` as a string (leading zeros kept), its `confidence` (the"
    " chance the whole reading is right), and each digit with its probabilities and its"
    " `box` (left, top, right, bottom in the upload's pixels). A single digit reads as a"
    " one-digit number."
    " Errors and limits are /predict's; an image without ink is 422 `no_digit`, and one with"
    " more than MAX_NUMBER_DIGITS digits (default 20) is 422 `too_many_digits`, and one with"
    " lines of digits one above the other is 422 `several_lines`. Each digit"
    " has `is_digit`: false where the model's rule takes it for no digit, or where the number"
    " reader sees no digit in its shape; with `strict=true`, a number with any such digit is"
    " 422 `not_a_digit`, whose detail names the digits and why."
)


@router.post(
    "",
    response_model=NumberResponse,
    dependencies=[Depends(one_file("/predict/number", "send one request per number"))],
    summary="Read the number (a line of digits) in an uploaded image file",
    description=DESCRIPTION + " Send the image in a multipart file field named `file`.",
    responses=error_responses("bad_request", *_NUMBER_ERRORS),
)
def predict_number(
    file: ImageFile,
    service: Service,
    strict: Strict = None,
) -> Response:
    started = time.perf_counter()
    data = file.file.read()
    strictly = service.strict(strict)
    return json_response(_counted(service, data, started, strictly, "/predict/number"))


@router.post(
    "/base64",
    response_model=NumberResponse,
    summary="Read the number (a line of digits) in a base64 image or data URL",
    description=DESCRIPTION + ' Send JSON `{"image": "..."}`: plain base64 or a data URL.',
    responses=error_responses("invalid_base64", *_NUMBER_ERRORS),
)
def predict_number_base64(
    body: Annotated[Base64Request, Body(openapi_examples=NUMBER_BASE64_EXAMPLES)],
    service: Service,
    strict: Strict = None,
) -> Response:
    started = time.perf_counter()
    try:
        data = decode_base64_image(body.image)
    except ApiError as error:
        service.metrics.number_reading_errors.labels(error.code).inc()
        raise
    strictly = service.strict(strict)
    return json_response(_counted(service, data, started, strictly, "/predict/number/base64"))


def _counted(
    service: Serving, data: bytes, started: float, strict: bool, endpoint: str
) -> NumberResponse:
    settings, metrics, classifier = service.settings, service.metrics, service.classifier
    try:
        result, unseen, touching = read_number_image(
            classifier,
            data,
            settings.max_image_pixels,
            settings.max_number_digits,
            started,
        )
        positions = flagged([digit.is_digit for digit in result.digits])
        if positions:
            metrics.not_a_digit.labels(endpoint).inc(len(positions))
            if strict:
                found = [digit.probabilities for digit in result.digits]
                raise not_a_number(classifier.rule, found, positions, unseen, touching)
    except ApiError as error:
        metrics.number_reading_errors.labels(error.code).inc()
        raise
    metrics.number_readings.inc()
    for digit in result.digits:
        metrics.number_digits.labels(str(digit.digit)).inc()
    return result
