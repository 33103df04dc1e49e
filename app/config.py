"""Service settings, read from environment variables (no prefix): MODEL_PATH, VERIFIER_PATH,
SEQUENCE_READER_PATH, MAX_UPLOAD_BYTES, STRICT_DIGITS, ...

PORT and WEB_CONCURRENCY are not here: the start command (app/serve.py) reads them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PositiveInt, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from model_core.number import DEFAULT_MAX_DIGITS
from model_core.preprocessing import DEFAULT_MAX_PIXELS

MODEL_FILE = "trained_cnn_model.npz"
VERIFIER_FILE = "trained_verifier_model.npz"
SEQUENCE_READER_FILE = "trained_sequence_model.npz"


def _committed(name: str) -> Path:
    """A committed file: at the root of a source checkout (found from this file, so any
    working directory works), else in the working directory (/app in the container, where
    the package itself lives in site-packages)."""
    in_checkout = Path(__file__).resolve().parents[1] / name
    return in_checkout if in_checkout.is_file() else Path.cwd() / name


def default_model_path() -> Path:
    """The committed model (see `_committed`)."""
    return _committed(MODEL_FILE)


def default_verifier_path() -> Path | None:
    """The committed number verifier, found as the model is; None where there is none (numbers
    are then read blob by blob: their digits must not touch)."""
    path = _committed(VERIFIER_FILE)
    return path if path.is_file() else None


def default_sequence_reader_path() -> Path | None:
    """The committed sequence reader, found as the model is; None where there is none (touching
    digits are then read along the verifier's cuts alone)."""
    path = _committed(SEQUENCE_READER_FILE)
    return path if path.is_file() else None


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    model_path: Path = Field(
        default_factory=default_model_path, description="the .npz model to serve"
    )
    verifier_path: Path | None = Field(
        default_factory=default_verifier_path,
        description="the .npz number verifier, which lets /predict/number read touching digits;"
        " default: the committed one if present; empty: none (digits must not touch)",
    )
    sequence_reader_path: Path | None = Field(
        default_factory=default_sequence_reader_path,
        description="the .npz sequence reader, which reads a blob of touching digits whole on"
        " /predict/number (with a verifier); default: the committed one if present; empty:"
        " none (touching digits are read along the verifier's cuts alone)",
    )
    max_upload_bytes: PositiveInt = Field(
        10 * 1024 * 1024, description="largest request body accepted (a batch counts as a whole)"
    )
    max_image_pixels: PositiveInt = Field(
        DEFAULT_MAX_PIXELS,
        description="most pixels (width x height) decoded; a JPEG over 2048 px is decoded at"
        " 1/2 to 1/8 scale, so a 24 MP phone photo counts as 6 MP",
    )
    max_batch_size: PositiveInt = Field(16, description="most files in one /predict/batch")
    max_number_digits: PositiveInt = Field(
        DEFAULT_MAX_DIGITS,
        description="most digits /predict/number reads in one image; more: 422 too_many_digits",
    )
    strict_digits: bool = Field(
        False,
        description="the default of the prediction endpoints' `strict` query parameter: true"
        " refuses an image the model's rule takes for no digit at all (422 not_a_digit)"
        " instead of answering it with is_digit false",
    )
    full_ensemble: bool = Field(
        False,
        description="run every network of an ensemble on every image, instead of the cascade"
        " its metadata may ask for (the first network alone where it is sure, its"
        " probabilities then the answer's): the same digits on nearly every image, at"
        " about three times the cost",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description='CORS origins, JSON list or comma-separated; "*" for any; empty: CORS off',
    )
    log_level: LogLevel = "INFO"
    threadpool_size: PositiveInt = Field(
        1,
        description="threads running the request handlers (preprocessing and the model). One,"
        " beside the event loop that parses requests, makes a two-stage pipeline on two cores;"
        " more only contend for the GIL (bench/loadtest.py: 2 ms of CPU per request with 1,"
        " 3 ms with 2, 4 ms with 4). Scale with processes or instances instead",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept `["https://a.example", ...]` (JSON) or `https://a.example,https://b.example`."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [origin.strip() for origin in text.split(",") if origin.strip()]

    @field_validator("verifier_path", "sequence_reader_path", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """VERIFIER_PATH= (empty) turns the verifier off; SEQUENCE_READER_PATH= the reader."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value
