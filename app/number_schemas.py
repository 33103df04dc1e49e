"""Bodies of /predict/number and /predict/number/base64, with the examples /docs shows.

The request of /predict/number/base64 is /predict/base64's `Base64Request`; the answer reuses
`Preprocessing` and `Timing` (app/schemas.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.schemas import PREPROCESSING_EXAMPLE, DigitRead, Preprocessing, Timing

# A real 50x28 PNG of the MNIST test digits 4 and 2 side by side (images 4 and 1), so that
# "Try it out" in /docs works as is: the committed model reads it as "42".
FORTY_TWO_PNG_BASE64 = (
    "iVBORw0KGgoAAAANSUhEUgAAADIAAAAcCAAAAAAG8rMrAAABsUlEQVR42tWUTUhUURTHf8Y8a2xAHLGQSoVZiR9Q2DoSalUK"
    "pczCjWtbSJKJs3LjrEpcCO2K0IV9GKLoThCK2kjqjCIKiq3eJLMxzBmce3wu3nvNe80d1F3dzfmf8z+/9w733fvgH10lpzU8"
    "CzZ38Orb+Nkf+U5ERGSrRuve2nXE/Rs+Yn1kWiSmRQZNR4xNuqWWI0nUhSj9Li90ROCzi3QnLjvqYS5RDcSycleH3FNxR/Wp"
    "KrdYGwZYFS3SlN4MOXIxjwDQn5GvZRpkMnPbUWFLfMiDjJh3NETHr6QrX8qC4bWGREa1+696HFWXOmr1OtOH8iakIcp/KFfG"
    "VdLrVO/Jz4iv94IdLl778y0irHkbpiqZ2NbNFVxaDdvqisgTj9GWlYW/xgrYIbP9eG4EaIzUWlh5uzJmsHKgP371738rpVTK"
    "zCkVzJfjIlOhoof/ZgT4yNsu980AWYPrJtrBgOVlAHagybdl4RywnzPKqXgKMnAYKLhzJfgIEgAfzKtRO00NFyCW5c3m2+3Y"
    "CahjZpb4QgFyiawne/TcgIYovN7l00aRm5tK9573/zHbyv+6TgDwHJNNaPdW0wAAAABJRU5ErkJggg=="
)
NUMBER_BASE64_EXAMPLES = {
    "plain": {"summary": "plain base64", "value": {"image": FORTY_TWO_PNG_BASE64}},
    "data_url": {
        "summary": "data URL (canvas.toDataURL())",
        "value": {"image": "data:image/png;base64," + FORTY_TWO_PNG_BASE64},
    },
}
# The committed model's answer to that PNG, rounded to 5 decimals.
DIGIT_EXAMPLES: list[dict[str, Any]] = [
    {
        "digit": 4,
        "confidence": 0.99999,
        "probabilities": [0.0, 0.0, 0.0, 0.0, 0.99999, 0.0, 0.0, 0.0, 0.0, 0.00001],
        "is_digit": True,
        "box": [7, 5, 21, 25],
    },
    {
        "digit": 2,
        "confidence": 0.99997,
        "probabilities": [0.0, 0.00002, 0.99997, 0.0, 0.0, 0.0, 0.00001, 0.0, 0.0, 0.0],
        "is_digit": True,
        "box": [29, 3, 49, 23],
    },
]
NUMBER_EXAMPLE: dict[str, Any] = {
    "number": "42",
    "confidence": 0.99996,
    "digits": DIGIT_EXAMPLES,
    "preprocessing": PREPROCESSING_EXAMPLE
    | {"width": 50, "height": 28, "mode": "L", "had_alpha": False, "bbox": [7, 3, 49, 25]},
    "timing_ms": {"decode_preprocess": 0.01, "inference": 9.43, "total": 9.44},
}


class NumberDigit(DigitRead):
    """One digit of the number, as /predict would answer for it, and where it is."""

    model_config = ConfigDict(json_schema_extra={"examples": [DIGIT_EXAMPLES[0]]})
    box: list[int] = Field(
        min_length=4,
        max_length=4,
        description="the digit's ink in the upload's pixels: left, top, right, bottom (right"
        " and bottom exclusive); digits whose strokes touch each get their side of the ink",
    )


class NumberResponse(BaseModel):
    """The line of digits read in one image, left to right."""

    model_config = ConfigDict(json_schema_extra={"examples": [NUMBER_EXAMPLE]})
    number: str = Field(
        min_length=1,
        pattern=r"^[0-9]+$",
        description='the digits read, left to right, leading zeros kept: "0427"',
    )
    confidence: float = Field(
        ge=0,
        le=1,
        description="the chance the whole reading is right: the product of each digit's"
        " confidence, except that digits read together in one blob of touching ink count at the"
        " sequence reader's probability of them all",
    )
    digits: list[NumberDigit] = Field(
        min_length=1,
        description="each digit, left to right; one with `is_digit` false looks like no digit,"
        " by the model's rule or because the number reader sees no digit in its shape (a"
        " letter, a doodle); with `strict=true` the number would have been refused",
    )
    preprocessing: Preprocessing = Field(
        description="the upload, as /predict describes it; `bbox` holds every digit"
    )
    timing_ms: Timing = Field(
        description="`decode_preprocess`: the transport (multipart or base64); `inference`:"
        " reading the number (decoding the image, finding and cutting the digits, the network"
        " on all of them in one batch); `total`: the whole handler"
    )
