"""One error shape everywhere: 404, 405, validation and even an unexpected exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.errors import ERROR_CODES, ApiError, describe_validation_error, from_preprocessing
from app.main import create_app
from model_core.preprocessing import (
    EmptyImageError,
    ImageTooLargeError,
    InvalidImageError,
    PreprocessingError,
    UnsupportedFormatError,
)
from model_core.preprocessing.errors import SeveralLinesError, TooManyDigitsError


def test_unknown_route_is_a_404_json_error(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "no route GET /no/such/page; see /docs",
        "code": "not_found",
    }


def test_wrong_method_is_a_405_json_error_with_allow(client: TestClient) -> None:
    response = client.get("/predict")
    assert response.status_code == 405
    assert response.json() == {
        "detail": "method GET not allowed on /predict; allowed: POST",
        "code": "method_not_allowed",
    }
    assert response.headers["allow"] == "POST"


def test_unexpected_exception_is_a_generic_500_json(tiny_model_path: Path) -> None:
    app = create_app(Settings(model_path=tiny_model_path))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error", "code": "internal_error"}
    assert "secret" not in response.text


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvalidImageError("bad"), 400, "invalid_image"),
        (UnsupportedFormatError("ico"), 415, "unsupported_format"),
        (ImageTooLargeError("big"), 413, "image_too_large"),
        (EmptyImageError(), 422, "no_digit"),
        (TooManyDigitsError("21 digits"), 422, "too_many_digits"),
        (SeveralLinesError("2 lines"), 422, "several_lines"),
        (PreprocessingError("other"), 400, "invalid_image"),
    ],
)
def test_preprocessing_errors_map_to_statuses(
    error: PreprocessingError, status: int, code: str
) -> None:
    mapped = from_preprocessing(error)
    assert (mapped.status, mapped.code, mapped.detail) == (status, code, error.message)
    assert ERROR_CODES[code][0] == status


def test_api_error_body_is_the_shared_shape() -> None:
    assert ApiError(422, "no_digit", "nothing").body() == {"detail": "nothing", "code": "no_digit"}


def test_validation_messages_are_readable() -> None:
    errors = [
        {"type": "missing", "loc": ("body", "image"), "msg": "Field required"},
        {"type": "json_invalid", "loc": ("body", 9), "msg": "JSON decode error",
         "ctx": {"error": "Expecting value"}},
        {"type": "int_parsing", "loc": ("query", "limit"), "msg": "Input should be an integer"},
        {"type": "value_error", "loc": ("body", "files", 0),
         "msg": "Value error, Expected UploadFile, received: <class 'str'>"},
    ]  # fmt: skip
    assert describe_validation_error(errors) == (
        "missing field 'image' in the request body; "
        "the body is not valid JSON: Expecting value (at character 9); "
        "query field 'limit': Input should be an integer; "
        "field 'files.0' holds text, not a file: attach the image as a file"
        " (curl -F 'files=@digit.png', not 'files=<digit.png')"
    )
