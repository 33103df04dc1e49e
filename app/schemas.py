"""Request and response bodies, with the examples /docs shows."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.errors import ERROR_CODES, ErrorResponse

_PROBABILITIES = [0.0001, 0.0002, 0.0011, 0.0006, 0.0003, 0.0001, 0.0, 0.9968, 0.0002, 0.0006]
PREPROCESSING_EXAMPLE = {
    "format": "PNG",
    "width": 280,
    "height": 280,
    "mode": "RGBA",
    "inverted": False,
    "had_alpha": True,
    "bbox": [92, 40, 190, 236],
    "animated": False,
}
NOT_A_DIGIT_DETAIL = ERROR_CODES["not_a_digit"][1]
TIMING_EXAMPLE = {"decode_preprocess": 2.41, "inference": 1.87, "total": 4.35}
IS_DIGIT_DESCRIPTION = (
    "false when the model's rule takes the image for no handwritten digit at all (a letter, a"
    " symbol, a doodle, a photo): `digit` and `probabilities` are then a guess. The rule and its"
    " threshold are /model/info's `not_a_digit`; a model without one calls every image a digit."
    " With `strict=true` such an image is refused instead (422 `not_a_digit`)"
)
PREDICTION_EXAMPLE = {
    "digit": 7,
    "confidence": 0.9968,
    "probabilities": _PROBABILITIES,
    "is_digit": True,
    "preprocessing": PREPROCESSING_EXAMPLE,
    "timing_ms": TIMING_EXAMPLE,
}


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class Status(BaseModel):
    model_config = _examples({"status": "ok"})
    status: str = Field(description='"ok" when the check passes')


class Preprocessing(BaseModel):
    """What preprocessing found in the upload."""

    model_config = _examples(PREPROCESSING_EXAMPLE)
    format: str = Field(description='file format as decoded: "PNG", "JPEG", "GIF", ...')
    width: int = Field(description="width of the upload in pixels, as displayed")
    height: int = Field(description="height of the upload in pixels, as displayed")
    mode: str = Field(description='Pillow colour mode of the upload: "L", "RGB", "RGBA", ...')
    inverted: bool = Field(description="dark ink on a light background (inverted to match MNIST)")
    had_alpha: bool = Field(description="the upload had an alpha channel or transparency")
    bbox: list[int] = Field(
        min_length=4, max_length=4, description="digit box in the upload: left, top, right, bottom"
    )
    animated: bool = Field(False, description="several frames: only the first was read")


class Timing(BaseModel):
    """Server-side time spent, in milliseconds."""

    model_config = _examples(TIMING_EXAMPLE)
    decode_preprocess: float = Field(description="decoding the transport and the image, cleanup")
    inference: float = Field(description="the network's forward pass (shared by a whole batch)")
    total: float = Field(description="all of the above and the rest of the handler")


class DigitRead(BaseModel):
    """A digit as the network read it: the fields /predict and each digit of a number share."""

    digit: int = Field(ge=0, le=9, description="the most probable digit")
    confidence: float = Field(ge=0, le=1, description="its probability")
    probabilities: list[float] = Field(
        min_length=10, max_length=10, description="probability of each digit 0..9 (sum 1)"
    )
    is_digit: bool = Field(description=IS_DIGIT_DESCRIPTION)


# An X drawn on a canvas, read by a model with a rule: a guess, flagged.
_GUESS = [0.0121, 0.0734, 0.0519, 0.0302, 0.4127, 0.0285, 0.0163, 0.1648, 0.1374, 0.0727]
NOT_A_DIGIT_EXAMPLE = PREDICTION_EXAMPLE | {
    "digit": 4,
    "confidence": 0.4127,
    "probabilities": _GUESS,
    "is_digit": False,
}


class PredictionResponse(DigitRead):
    """The digit read in one image."""

    model_config = _examples(PREDICTION_EXAMPLE, NOT_A_DIGIT_EXAMPLE)
    preprocessing: Preprocessing
    timing_ms: Timing


# A real 28x28 PNG of a 7, so that "Try it out" in /docs works as is.
SEVEN_PNG_BASE64 = (
    "iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAAS0lEQVR42mNgGEqAEUr/xybMhF3Pf3ySjCjGomnDaSxc"
    "DpexuCQRGknUiaQRm05GnDr/4zH2P4rPSXAQqkYSdKJpJF7nf+yRRF8AAPlbCyOMLQH0AAAAAElFTkSuQmCC"
)
BASE64_EXAMPLES = {
    "plain": {"summary": "plain base64", "value": {"image": SEVEN_PNG_BASE64}},
    "data_url": {
        "summary": "data URL (canvas.toDataURL())",
        "value": {"image": "data:image/png;base64," + SEVEN_PNG_BASE64},
    },
}


class Base64Request(BaseModel):
    """An image as base64 text: plain, URL-safe, or a data URL; whitespace is ignored."""

    model_config = _examples({"image": SEVEN_PNG_BASE64})
    image: str = Field(description="base64 of the image file, or a data:image/...;base64 URL")


class BatchItem(BaseModel):
    """One file of a batch: a prediction, or the error /predict would have answered for it
    (with `strict=true`, 422 `not_a_digit` for an image the model takes for no digit)."""

    model_config = _examples(
        {"index": 0, "filename": "seven.png", "status": 200,
         "prediction": PREDICTION_EXAMPLE, "error": None},
        {"index": 1, "filename": "blank.png", "status": 422, "prediction": None,
         "error": {"detail": "no digit found in the image", "code": "no_digit"}},
        {"index": 2, "filename": "letter-a.png", "status": 422, "prediction": None,
         "error": {"detail": NOT_A_DIGIT_DETAIL, "code": "not_a_digit"}},
    )  # fmt: skip
    index: int = Field(description="position of the file in the request, from 0")
    filename: str | None = Field(description="the file name the client sent, if any")
    status: int = Field(description="the HTTP status /predict would give this file alone")
    prediction: PredictionResponse | None = Field(description="set when status is 200")
    error: ErrorResponse | None = Field(description="set when status is not 200")


class BatchResponse(BaseModel):
    """One item per file, in request order. A bad file fails alone: see its `error`."""

    model_config = _examples(
        {
            "count": 2,
            "succeeded": 1,
            "failed": 1,
            "results": [
                {"index": 0, "filename": "seven.png", "status": 200,
                 "prediction": PREDICTION_EXAMPLE, "error": None},
                {"index": 1, "filename": "blank.png", "status": 422, "prediction": None,
                 "error": {"detail": "no digit found in the image", "code": "no_digit"}},
            ],
            "timing_ms": {"decode_preprocess": 4.1, "inference": 2.2, "total": 6.5},
        }
    )  # fmt: skip

    count: int = Field(description="files received")
    succeeded: int = Field(description="files with a prediction")
    failed: int = Field(description="files with an error")
    results: list[BatchItem]
    timing_ms: Timing = Field(description="whole batch: preprocessing summed, one inference pass")


class ModelSummary(BaseModel):
    preset: str | None = Field(description="architecture preset name, e.g. lenet_bn")
    members: int = Field(1, description="networks averaged (an ensemble of the preset when > 1)")
    params: int = Field(description="number of trained parameters, all members together")
    test_accuracy: float | None = Field(
        description="accuracy on the MNIST test set of the model as served (its cascade's when"
        " it runs one)"
    )


class ServiceInfo(BaseModel):
    model_config = _examples(
        {
            "service": "cnn-digit-recognition",
            "version": "1.0.0",
            "model": {
                "preset": "lenet_bn",
                "members": 1,
                "params": 422_090,
                "test_accuracy": 0.9931,
            },
            "links": {"docs": "/docs", "predict": "/predict", "draw": "/draw"},
        }
    )
    service: str
    version: str
    model: ModelSummary | None = Field(description="null while the model is not loaded")
    links: dict[str, str] = Field(description="endpoint name -> path")
