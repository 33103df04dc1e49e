"""Schemathesis against the app's own OpenAPI schema: every operation, valid and invalid requests.

No request may give a 5xx, and every response must be one the schema documents: its status code,
its content type and its body. Bounded: a few dozen examples per operation, derandomised. The
model takes every image for no digit (`flagging_model_path`), so `strict=true` gives documented
422 `not_a_digit` answers too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from app.config import Settings
from app.main import create_app

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis (a dev dependency)")

from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 60
UPLOAD_LIMIT = 256 * 1024  # small: generated bodies stay fast to parse


@pytest.fixture(scope="module")
def api_schema(flagging_model_path: Path) -> object:
    app = create_app(Settings(model_path=flagging_model_path, max_upload_bytes=UPLOAD_LIMIT))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], deterministic=True
    )
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: object) -> None:
    case.call_and_validate(checks=CHECKS)  # type: ignore[attr-defined]


def test_the_fuzzed_operations_include_every_prediction_endpoint(api_schema: Any) -> None:
    """Guard against a filter dropping an endpoint: the number reader is fuzzed like /predict."""
    operations = {result.ok().label for result in api_schema.get_all_operations()}
    for path in ("/predict", "/predict/base64", "/predict/number", "/predict/number/base64"):
        assert f"POST {path}" in operations
