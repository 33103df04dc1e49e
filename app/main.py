"""The FastAPI application: `create_app(settings)` builds it, the lifespan loads the model.

Run it with `uvicorn app.main:app --host 0.0.0.0 --port ${PORT:-8080} --no-access-log` or
`fastapi run app/main.py`. Importing this module is cheap: only the lifespan reads the model.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

import model_core
from app.access_log import AccessLogMiddleware
from app.body_limit import BodySizeLimitMiddleware
from app.config import Settings
from app.errors import install_error_handlers
from app.log import configure_logging
from app.metrics import Metrics, MetricsMiddleware
from app.routes import model, number, pages, predict, service
from model_core.classifier import DigitClassifier
from model_core.nn.ensemble import members_of

logger = logging.getLogger("app")

DESCRIPTION = """
Reads one handwritten digit (0-9) per image with a convolutional network written in NumPy,
or a whole number (a line of digits) with `/predict/number`.

Send a photo, a scan or a canvas drawing: preprocessing finds the digit, crops, centres and
scales it like MNIST. Every error answers `{"detail": "...", "code": "..."}`.
Try it by hand at [/draw](/draw).
"""


class ModelStartupError(RuntimeError):
    """The model (or a number network) could not be loaded: the service must not start."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    try:
        classifier = DigitClassifier.load(
            settings.model_path,
            settings.verifier_path,
            settings.full_ensemble,
            settings.sequence_reader_path,
        )
    except Exception as error:
        files = f"the model from {settings.model_path}"
        if settings.verifier_path is not None:
            files += f" and the number verifier from {settings.verifier_path}"
        if settings.sequence_reader_path is not None:
            files += f" and the sequence reader from {settings.sequence_reader_path}"
        message = f"cannot start: failed to load {files}: {error}"
        logger.critical(message)
        raise ModelStartupError(message) from error
    app.state.classifier = classifier
    # The limiter belongs to the running event loop: set it from inside the loop.
    to_thread.current_default_thread_limiter().total_tokens = settings.threadpool_size
    logger.info(
        "model loaded from %s: %s x %s, %s parameters, sha256 %s",
        settings.model_path,
        len(members_of(classifier.network)),
        classifier.metadata.get("preset", "unknown preset"),
        f"{classifier.network.num_params():,}",
        classifier.sha256[:12],
    )
    verifier = classifier.verifier
    if verifier is None:
        logger.info("no number verifier: numbers are read blob by blob (digits must not touch)")
    else:
        logger.info(
            "number verifier loaded from %s: %s parameters, sha256 %s",
            settings.verifier_path,
            f"{verifier.network.num_params():,}",
            verifier.sha256[:12],
        )
    if (reader := classifier.sequence) is not None:
        logger.info(
            "sequence reader loaded from %s: %s parameters, sha256 %s",
            settings.sequence_reader_path,
            f"{reader.network.num_params():,}",
            reader.sha256[:12],
        )
    try:
        yield
    finally:
        app.state.classifier = None
        app.state.metrics.process_stopped()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Handwritten digit recognition",
        version=model_core.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by pages.docs from local assets
        redoc_url=None,
    )
    app.state.settings, app.state.metrics, app.state.classifier = settings, Metrics(), None
    install_error_handlers(app)
    routers = (service.router, model.router, predict.router, number.router, pages.router)
    for router in routers:
        app.include_router(router)
    app.mount(pages.SWAGGER_ASSETS, StaticFiles(directory=pages.SWAGGER_DIR), name="swagger-ui")
    # Every route with its full path, for metrics on requests answered before routing.
    routes = [route for router in routers for route in router.routes]
    routes += [route for route in app.router.routes if isinstance(getattr(route, "path", 0), str)]
    _add_middleware(app, settings, routes)
    return app


def _add_middleware(app: FastAPI, settings: Settings, routes: list[BaseRoute]) -> None:
    """Innermost first: body limit, CORS (so errors carry CORS headers), metrics, access log."""
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_upload_bytes)
    origins = settings.cors_origins
    if origins:
        any_origin = "*" in origins
        app.add_middleware(
            CORSMiddleware,
            allow_origins=["*"] if any_origin else origins,
            allow_credentials=not any_origin,  # never credentials with a wildcard origin
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Content-Type", "Accept", "Authorization"],
            max_age=600,
        )
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics, routes=routes)
    app.add_middleware(AccessLogMiddleware)


app = create_app()
