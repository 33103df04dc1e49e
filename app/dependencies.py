"""What route handlers get by dependency injection, all read from `app.state`.

They are `async def` on purpose: they never block, and FastAPI runs a plain `def` dependency in
its threadpool, one thread hop per dependency and request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from app.config import Settings
from app.errors import ApiError
from app.metrics import Metrics
from model_core.classifier import DigitClassifier


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_classifier(request: Request) -> DigitClassifier:
    """The loaded model; 503 model_not_loaded before the lifespan has loaded it."""
    classifier = getattr(request.app.state, "classifier", None)
    if classifier is None:
        raise ApiError(503, "model_not_loaded", "the model is not loaded yet; retry shortly")
    return classifier


@dataclass(frozen=True, slots=True)
class Serving:
    """What a prediction handler needs, resolved as one dependency (each costs a resolution)."""

    classifier: DigitClassifier
    settings: Settings
    metrics: Metrics

    def strict(self, asked: bool | None) -> bool:
        """The `strict` query parameter as the client sent it, else the STRICT_DIGITS setting."""
        return self.settings.strict_digits if asked is None else asked


async def get_serving(request: Request) -> Serving:
    state = request.app.state
    return Serving(await get_classifier(request), state.settings, state.metrics)


def one_file(route: str, advice: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency for routes that read one image: a second `file` field is refused rather
    than silently dropped. The form is already parsed (and cached on the request) when
    dependencies run."""

    async def refuse_more(request: Request) -> None:
        count = len((await request.form()).getlist("file"))
        if count > 1:
            raise ApiError(
                422,
                "validation_error",
                f"{count} files sent in the field 'file'; {route} reads one image: {advice}",
            )

    return refuse_more
