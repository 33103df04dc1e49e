"""Run the model on uploaded bytes (one digit, a batch, or a number) and time each step;
preprocessing errors become ApiErrors. Each reading carries the model's `is_digit`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from app.errors import ApiError, ErrorResponse, from_preprocessing
from app.number_schemas import NumberDigit, NumberResponse
from app.schemas import BatchItem, BatchResponse, PredictionResponse, Preprocessing, Timing
from app.strict import not_a_digit
from model_core.classifier import DigitClassifier, Prediction
from model_core.number import NumberUpload
from model_core.preprocessing import PreprocessingError, PreprocessResult, preprocess_bytes


def predict_image(
    classifier: DigitClassifier, data: bytes, max_pixels: int, started: float
) -> PredictionResponse:
    """One image; `started` is when the handler began (transport decoding counts as decoding)."""
    result = preprocess(data, max_pixels)
    preprocessed = time.perf_counter()
    [prediction] = classifier.predict_preprocessed([result])
    inferred = time.perf_counter()
    timing = Timing(
        decode_preprocess=_ms(preprocessed - started),
        inference=_ms(inferred - preprocessed),
        total=_ms(time.perf_counter() - started),
    )
    return to_response(prediction, timing)


def predict_files(
    classifier: DigitClassifier,
    files: Sequence[tuple[str | None, bytes]],
    max_pixels: int,
    started: float,
    strict: bool = False,
) -> BatchResponse:
    """Several (filename, bytes): each preprocessed alone, the good ones inferred in one pass.
    `strict`: an image the model takes for no digit gets /predict's 422 not_a_digit item."""
    outcomes: list[PreprocessResult | ApiError] = []
    own_ms: list[float] = []
    for _, data in files:
        begin = time.perf_counter()
        try:
            outcomes.append(preprocess(data, max_pixels))
        except ApiError as error:
            outcomes.append(error)
        own_ms.append(_ms(time.perf_counter() - begin))
    preprocessed = time.perf_counter()
    good = [outcome for outcome in outcomes if isinstance(outcome, PreprocessResult)]
    predictions = iter(classifier.predict_preprocessed(good))
    inference_ms = _ms(time.perf_counter() - preprocessed)
    items = []
    for index, ((filename, _), outcome) in enumerate(zip(files, outcomes, strict=True)):
        if isinstance(outcome, PreprocessResult):
            mine = own_ms[index]
            total_ms = round(mine + inference_ms, 3)
            timing = Timing(decode_preprocess=mine, inference=inference_ms, total=total_ms)
            prediction = to_response(next(predictions), timing)
            if prediction.is_digit or not strict:
                items.append(BatchItem(index=index, filename=filename, status=200,
                                       prediction=prediction, error=None))  # fmt: skip
                continue
            outcome = not_a_digit(classifier.rule, prediction.probabilities)
        failure = ErrorResponse(detail=outcome.detail, code=outcome.code)
        items.append(BatchItem(index=index, filename=filename, status=outcome.status,
                               prediction=None, error=failure))  # fmt: skip
    total = Timing(
        decode_preprocess=_ms(preprocessed - started),
        inference=inference_ms,
        total=_ms(time.perf_counter() - started),
    )
    succeeded = sum(item.prediction is not None for item in items)
    return BatchResponse(count=len(items), succeeded=succeeded, failed=len(items) - succeeded,
                         results=items, timing_ms=total)  # fmt: skip


class NumberRead(NamedTuple):
    """A number's answer, and for each digit whether the sequence reader saw no digit in its
    shape (one of the reasons its `is_digit` may be false) and whether it was cut from a blob
    of touching digits (its score is held to a laxer threshold)."""

    answer: NumberResponse
    unseen: list[bool]
    touching: list[bool]


def read_number_image(
    classifier: DigitClassifier, data: bytes, max_pixels: int, max_digits: int, started: float
) -> NumberRead:
    """The line of digits in one image; `started` is when the handler began. The core reads a
    number in one call (decoding, cutting, the network), timed as `inference`."""
    begin = time.perf_counter()
    try:
        upload = classifier.read_number(data, max_pixels=max_pixels, max_digits=max_digits)
    except PreprocessingError as error:
        raise from_preprocessing(error) from error
    digits = upload.reading.digits
    found = np.array([digit.probabilities for digit in digits], dtype=np.float64)  # (N, 10)
    images = np.array([digit.image for digit in digits]).reshape(-1, 28, 28)  # (N, 28, 28)
    unseen = [digit.unseen for digit in digits]
    touching = [digit.touching for digit in digits]
    is_digit = classifier.is_digit(found.reshape(-1, 10), images, np.array(touching, bool))
    is_digit &= ~np.array(unseen, bool)  # (N,)
    read = time.perf_counter()
    timing = Timing(
        decode_preprocess=_ms(begin - started),
        inference=_ms(read - begin),
        total=_ms(time.perf_counter() - started),
    )
    answer = to_number_response(upload, timing, [bool(flag) for flag in is_digit])
    return NumberRead(answer, unseen, touching)


def to_number_response(
    upload: NumberUpload, timing: Timing, is_digit: Sequence[bool]
) -> NumberResponse:
    """The answer for a number read; `is_digit` of each digit, left to right."""
    reading = upload.reading
    digits = [
        NumberDigit(
            digit=digit.digit,
            confidence=digit.confidence,
            probabilities=digit.probabilities,
            is_digit=flag,
            box=list(digit.box),
        )
        for digit, flag in zip(reading.digits, is_digit, strict=True)
    ]
    return NumberResponse(
        number=reading.number,
        confidence=reading.confidence,
        digits=digits,
        preprocessing=Preprocessing.model_validate(upload.describe()),
        timing_ms=timing,
    )


def preprocess(data: bytes, max_pixels: int) -> PreprocessResult:
    try:
        return preprocess_bytes(data, max_pixels=max_pixels)
    except PreprocessingError as error:
        raise from_preprocessing(error) from error


def to_response(prediction: Prediction, timing: Timing) -> PredictionResponse:
    return PredictionResponse(
        digit=prediction.digit,
        confidence=prediction.confidence,
        probabilities=prediction.probabilities,
        is_digit=prediction.is_digit,
        preprocessing=Preprocessing.model_validate(prediction.preprocessing.describe()),
        timing_ms=timing,
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
