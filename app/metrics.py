"""Prometheus metrics in a registry of their own per app (so several apps never collide).

http_requests_total{method, route, status}, http_request_duration_seconds{method, route},
predictions_total{digit} and prediction_errors_total{code} (single digits: /predict, its base64
and batch forms), number_readings_total, number_digits_total{digit} (each digit of a number
read) and number_reading_errors_total{code} (/predict/number and its base64 form), and
not_a_digit_total{endpoint}: readings the model's rule took for no digit (an image, a batch item
or one digit of a number), answered or refused by `strict`; a refusal is also an error above,
code "not_a_digit". `route` and `endpoint` are route templates (e.g. "/predict"), "<unmatched>"
for unknown paths, so the label set stays small.

Several worker processes (app/serve.py) share the counts through prometheus_client's
multiprocess mode: with PROMETHEUS_MULTIPROC_DIR set before prometheus_client is imported, every
process writes its values to files there, and `exposition()` sums the files of every worker, so
/metrics answers the same totals whichever worker serves it. A gauge added here then needs a
`multiprocess_mode` (how the workers' values combine), and `mark_process_dead` (called at the
lifespan's end) removes the gauges of a "live" mode that a stopped worker leaves.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self) -> None:
        # Read once: prometheus_client chose how to store values from it when it was imported.
        self.multiprocess_dir = os.environ.get(MULTIPROC_VARIABLE) or None
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by method, route template and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predictions = Counter(
            "predictions_total", "Digits predicted, by digit", ("digit",), registry=self.registry
        )
        self.prediction_errors = Counter(
            "prediction_errors_total",
            "Images refused, by error code",
            ("code",),
            registry=self.registry,
        )
        self.number_readings = Counter(
            "number_readings_total", "Numbers read, one per image", registry=self.registry
        )
        self.number_digits = Counter(
            "number_digits_total",
            "Digits read in numbers, by digit",
            ("digit",),
            registry=self.registry,
        )
        self.number_reading_errors = Counter(
            "number_reading_errors_total",
            "Number images refused, by error code",
            ("code",),
            registry=self.registry,
        )

        self.not_a_digit = Counter(
            "not_a_digit_total",
            "Readings taken for no digit (images, batch items, digits of numbers), by endpoint",
            ("endpoint",),
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The text format: this app's registry, or every worker's values in multiprocess mode."""
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=self.multiprocess_dir)
        return generate_latest(merged)

    def process_stopped(self) -> None:
        """Bookkeeping when this worker stops (multiprocess mode only)."""
        if self.multiprocess_dir is not None:
            multiprocess.mark_process_dead(os.getpid(), self.multiprocess_dir)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Sequence[BaseRoute] = ()) -> None:
        self.app, self.metrics, self.routes = app, metrics, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500
        incoming = dict(scope)  # routing rewrites path fields in place (mounts)

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = route_template(incoming | {"route": scope.get("route")}, self.routes)
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)


def route_template(scope: Scope, routes: Sequence[BaseRoute] = ()) -> str:
    """The matched route's path template, or "<unmatched>".

    A request answered before routing (e.g. a 413 from the body limit) is matched against
    `routes` here, so that it is still counted under its route.
    """
    route = scope.get("route")
    if route is None:
        matches = [(r, r.matches(scope)[0]) for r in routes]
        full = [r for r, match in matches if match == Match.FULL]
        partial = [r for r, match in matches if match == Match.PARTIAL]
        route = (full or partial)[0] if full or partial else None
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "<unmatched>"
    if isinstance(route, Mount):
        return path + "/{path}"  # static files
    return path
