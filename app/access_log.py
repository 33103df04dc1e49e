"""One JSON access-log line per HTTP request (pure ASGI): method, path, status, latency."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("app.access")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status, size = 500, 0  # an exception before any response is a 500

        async def recording_send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            _log(scope, status, size, time.perf_counter() - start)


def _log(scope: Scope, status: int, size: int, seconds: float) -> None:
    agent = next((value for name, value in scope["headers"] if name == b"user-agent"), b"")
    query = scope.get("query_string", b"").decode("latin-1")
    url = scope["path"] + (f"?{query}" if query else "")
    client = scope.get("client")
    latency_ms = round(seconds * 1000, 2)
    level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
    http = {
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "latency_ms": latency_ms,
        "httpRequest": {
            "requestMethod": scope["method"],
            "requestUrl": url,
            "status": status,
            "responseSize": str(size),
            "userAgent": agent.decode("latin-1"),
            "remoteIp": client[0] if client else "",
            "latency": f"{seconds:.6f}s",
            "protocol": f"HTTP/{scope.get('http_version', '1.1')}",
        },
    }
    message = f"{scope['method']} {url} {status} {latency_ms:.1f}ms"
    logger.log(level, message, extra={"http": http})
