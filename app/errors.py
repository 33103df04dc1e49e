"""One error shape for every failure: `{"detail": "<for humans>", "code": "<for programs>"}`.

`ApiError` carries a status and a code; the handlers installed by `install_error_handlers` turn it,
FastAPI's validation errors, Starlette's 404/405 and any unexpected exception into that shape.
`error_responses(...)` documents the same errors in the OpenAPI schema of each endpoint.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from model_core.preprocessing import (
    EmptyImageError,
    ImageTooLargeError,
    InvalidImageError,
    PreprocessingError,
    UnsupportedFormatError,
)
from model_core.preprocessing.errors import SeveralLinesError, TooManyDigitsError

logger = logging.getLogger("app.errors")


class ErrorResponse(BaseModel):
    """The body of every error response."""

    detail: str = Field(description="what went wrong, for humans")
    code: str = Field(description="what went wrong, for programs (stable)")

    model_config = {
        "json_schema_extra": {
            "examples": [{"detail": "no digit found in the image", "code": "no_digit"}]
        }
    }


# code -> (HTTP status, an example detail)
ERROR_CODES: dict[str, tuple[int, str]] = {
    "invalid_image": (400, "the image is corrupt or truncated (OSError)"),
    "bad_request": (400, "There was an error parsing the body"),
    "not_found": (404, "no route GET /nope; see /docs"),
    "method_not_allowed": (405, "method DELETE not allowed on /predict; allowed: POST"),
    "payload_too_large": (413, "the request body is larger than the limit of 10,485,760 bytes"),
    "image_too_large": (
        413,
        "the image has 9000x9000 = 81,000,000 pixels; the limit is 16,000,000",
    ),
    "too_many_files": (413, "20 files sent; a batch holds at most 16"),
    "unsupported_format": (415, "unsupported image format SVG; send one of PNG, JPEG, GIF, ..."),
    "validation_error": (422, "missing field 'file': send multipart/form-data with a file 'file'"),
    "invalid_base64": (422, "the image is not valid base64: Incorrect padding"),
    "no_digit": (422, "no digit found in the image"),
    "too_many_digits": (
        422,
        "the image holds at least 21 digits; a number may have at most 20",
    ),
    "several_lines": (
        422,
        "the image holds 2 lines of digits, one above the other; a number is one line: send"
        " each line on its own",
    ),
    "not_a_digit": (
        422,
        "the image does not look like a handwritten digit: its max_probability 0.4127 is below"
        " the model's threshold 0.6; send strict=false to get the reading anyway (is_digit false)",
    ),
    "internal_error": (500, "internal server error"),
    "model_not_loaded": (503, "the model is not loaded yet"),
}


class ApiError(Exception):
    """An expected failure: an HTTP status, a machine code and a message for humans."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail

    def body(self) -> dict[str, str]:
        return {"detail": self.detail, "code": self.code}


def from_preprocessing(error: PreprocessingError) -> ApiError:
    """Map a preprocessing failure to its HTTP status and code."""
    status, code = 400, "invalid_image"  # InvalidImageError and any other PreprocessingError
    if isinstance(error, UnsupportedFormatError):
        status, code = 415, "unsupported_format"
    elif isinstance(error, ImageTooLargeError):
        status, code = 413, "image_too_large"
    elif isinstance(error, EmptyImageError):
        status, code = 422, "no_digit"
    elif isinstance(error, TooManyDigitsError):
        status, code = 422, "too_many_digits"
    elif isinstance(error, SeveralLinesError):
        status, code = 422, "several_lines"
    elif not isinstance(error, InvalidImageError):
        logger.warning("unmapped preprocessing error %s", type(error).__name__)
    return ApiError(status, code, error.message)


def error_json(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status, headers=headers)


def error_responses(*codes: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error codes, grouped by status, one example per code."""
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(ERROR_CODES[code][0], []).append(code)
    responses: dict[int | str, dict[str, Any]] = {}
    for status, group in sorted(by_status.items()):
        examples = {
            code: {"summary": code, "value": {"detail": ERROR_CODES[code][1], "code": code}}
            for code in group
        }
        responses[status] = {
            "model": ErrorResponse,
            "description": "Error: " + ", ".join(f"`{code}`" for code in group),
            "content": {"application/json": {"examples": examples}},
        }
    return responses


def describe_validation_error(errors: list[dict[str, Any]]) -> str:
    """One readable phrase per error, e.g. "missing field 'file' in the request body"."""
    messages = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        where, field = (loc[0] if loc else "request"), ".".join(loc[1:])
        kind = error.get("type", "")
        if kind == "json_invalid":
            reason = error.get("ctx", {}).get("error", "invalid JSON")
            messages.append(f"the body is not valid JSON: {reason} (at character {field or 0})")
        elif kind == "missing" and where == "body" and not field:
            messages.append("the request body is empty")
        elif kind == "missing" and where == "body":
            messages.append(f"missing field '{field}' in the request body")
        elif where == "body" and not field:
            messages.append(f"the request body is not what this endpoint takes: {error['msg']}")
        elif where == "body" and "Expected UploadFile" in str(error.get("msg", "")):
            name = loc[1]  # a form part without a filename: text, as curl -F 'file=<x.png' sends
            messages.append(
                f"field '{field}' holds text, not a file: attach the image as a file"
                f" (curl -F '{name}=@digit.png', not '{name}=<digit.png')"
            )
        else:
            messages.append(f"{where} field '{field}': {error['msg']}" if field else error["msg"])
    return "; ".join(messages) or "the request is not valid"


ERROR_CODE_BY_STATUS = {400: "bad_request", 413: "payload_too_large", 503: "model_not_loaded"}
_HINTS = {
    "/predict": "send multipart/form-data with the image in a file field named 'file'",
    "/predict/batch": "send multipart/form-data with the images in file fields named 'files'",
    "/predict/base64": 'send Content-Type: application/json with {"image": "<base64 or data URL>"}',
}
_HINTS["/predict/number"] = _HINTS["/predict"]
_HINTS["/predict/number/base64"] = _HINTS["/predict/base64"]


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_json(exc.status, exc.code, exc.detail)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    detail = describe_validation_error(errors)
    route_path = getattr(request.scope.get("route"), "path", request.url.path)
    in_body = any(tuple(error.get("loc", ()))[:1] == ("body",) for error in errors)
    hint = _HINTS.get(route_path) if in_body else None  # not for a bad query parameter
    return error_json(422, "validation_error", f"{detail}; {hint}" if hint else detail)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    method, path = request.method, request.url.path
    if exc.status_code == 404:
        return error_json(404, "not_found", f"no route {method} {path}; see /docs", headers)
    if exc.status_code == 405:
        allowed = headers.get("allow", headers.get("Allow", ""))
        detail = f"method {method} not allowed on {path}; allowed: {allowed}"
        return error_json(405, "method_not_allowed", detail, headers)
    code = ERROR_CODE_BY_STATUS.get(exc.status_code, f"http_{exc.status_code}")
    detail = str(exc.detail)
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        detail = "the request body is not UTF-8 text (JSON must be UTF-8)"
        hint = _HINTS.get(getattr(request.scope.get("route"), "path", ""))
        detail = f"{detail}; {hint}" if hint else detail
    return error_json(exc.status_code, code, detail, headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_json(500, "internal_error", "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
