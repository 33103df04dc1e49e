"""GET / (what this service is), /health, /health/live, /health/ready and /metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

import model_core
from app.dependencies import get_classifier, get_metrics
from app.errors import error_responses
from app.metrics import Metrics
from app.schemas import ModelSummary, ServiceInfo, Status
from model_core.classifier import DigitClassifier
from model_core.nn.cascade import METADATA_KEY as CASCADE_KEY
from model_core.nn.ensemble import members_of

router = APIRouter(tags=["service"])

SERVICE_NAME = "cnn-digit-recognition"
LINKS = {
    "docs": "/docs",
    "openapi": "/openapi.json",
    "draw": "/draw",
    "predict": "/predict",
    "predict_base64": "/predict/base64",
    "predict_batch": "/predict/batch",
    "predict_number": "/predict/number",
    "predict_number_base64": "/predict/number/base64",
    "model_info": "/model/info",
    "health": "/health",
    "health_live": "/health/live",
    "health_ready": "/health/ready",
    "metrics": "/metrics",
}


@router.get("/", summary="Service name, version, model summary and links")
def root(request: Request) -> ServiceInfo:
    classifier: DigitClassifier | None = getattr(request.app.state, "classifier", None)
    model = None
    if classifier is not None:
        model = ModelSummary(
            preset=classifier.metadata.get("preset"),
            members=len(members_of(classifier.network)),
            params=classifier.network.num_params(),
            test_accuracy=_served_test_accuracy(classifier),
        )
    return ServiceInfo(
        service=SERVICE_NAME, version=model_core.__version__, model=model, links=LINKS
    )


def _served_test_accuracy(classifier: DigitClassifier) -> float | None:
    """The test accuracy of the model as served: its cascade's figure when the cascade runs
    and recorded one, else the training run's; None where the file holds no number."""
    cascade = classifier.metadata.get(CASCADE_KEY)
    figure = classifier.metadata.get("test_accuracy")
    if classifier.cascade is not None and isinstance(cascade, dict):
        figure = cascade.get("test_accuracy", figure)
    return (
        float(figure) if isinstance(figure, int | float) and not isinstance(figure, bool) else None
    )


@router.get("/health/live", summary="Liveness: the process answers")
async def live() -> Status:  # async: probes never wait for a thread busy with predictions
    return Status(status="ok")


@router.get(
    "/health/ready",
    summary="Readiness: the model is loaded",
    responses=error_responses("model_not_loaded"),
)
@router.get(
    "/health",
    summary="Readiness under the path most tools try first (as /health/ready)",
    responses=error_responses("model_not_loaded"),
)
async def ready(classifier: Annotated[DigitClassifier, Depends(get_classifier)]) -> Status:
    return Status(status="ok")


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format)",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text format",
            "content": {
                CONTENT_TYPE_LATEST: {
                    "schema": {"type": "string"},
                    "example": 'predictions_total{digit="7"} 3.0\n',
                }
            },
        }
    },
)
def metrics(registry: Annotated[Metrics, Depends(get_metrics)]) -> Response:
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST)
