"""Run the model on uploaded bytes and time each step; preprocessing errors become ApiErrors."""

from __future__ import annotations

import time
from collections.abc import Sequence

from app.errors import ApiError, ErrorResponse, from_preprocessing
from app.schemas import BatchItem, BatchResponse, PredictionResponse, Preprocessing, Timing
from model_core.classifier import DigitClassifier, Prediction
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
) -> BatchResponse:
    """Several (filename, bytes): each preprocessed alone, the good ones inferred in one pass."""
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
        if isinstance(outcome, ApiError):
            failure = ErrorResponse(detail=outcome.detail, code=outcome.code)
            items.append(BatchItem(index=index, filename=filename, status=outcome.status,
                                   prediction=None, error=failure))  # fmt: skip
            continue
        mine = own_ms[index]
        total_ms = round(mine + inference_ms, 3)
        timing = Timing(decode_preprocess=mine, inference=inference_ms, total=total_ms)
        prediction = to_response(next(predictions), timing)
        items.append(BatchItem(index=index, filename=filename, status=200,
                               prediction=prediction, error=None))  # fmt: skip
    total = Timing(
        decode_preprocess=_ms(preprocessed - started),
        inference=inference_ms,
        total=_ms(time.perf_counter() - started),
    )
    succeeded = len(good)
    return BatchResponse(count=len(items), succeeded=succeeded, failed=len(items) - succeeded,
                         results=items, timing_ms=total)  # fmt: skip


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
        preprocessing=Preprocessing.model_validate(prediction.preprocessing.describe()),
        timing_ms=timing,
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
