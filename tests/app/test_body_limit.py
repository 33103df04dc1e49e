"""The body limit refuses oversized requests early, declared or streamed (pure ASGI)."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import anyio
from fastapi.testclient import TestClient

from app.body_limit import BodySizeLimitMiddleware
from tests.app.conftest import LIVE_MAX_UPLOAD_BYTES


def test_streamed_body_stops_being_read_once_over_the_limit() -> None:
    """The middleware pulls chunks only until the limit is crossed, then answers 413."""
    pulled: list[int] = []
    sent: list[dict] = []

    async def app(scope, receive, send) -> None:  # reads the whole body, like a form parser
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    async def receive() -> dict:
        pulled.append(1000)
        return {"type": "http.request", "body": bytes(1000), "more_body": len(pulled) < 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/predict", "headers": []}
    anyio.run(BodySizeLimitMiddleware(app, max_bytes=4500), scope, receive, send)
    assert len(pulled) == 5  # 5,000 bytes crossed the 4,500 limit: nothing more was read
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["code"] == "payload_too_large"
    assert len(sent) == 2  # the app's own response never went out


def test_declared_length_over_the_limit_is_refused_without_calling_the_app() -> None:
    called: list[bool] = []
    sent: list[dict] = []

    async def app(scope, receive, send) -> None:
        called.append(True)

    async def receive() -> dict:
        raise AssertionError("the body must not be read")

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"99")]}
    anyio.run(BodySizeLimitMiddleware(app, max_bytes=98), scope, receive, send)
    assert not called
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == {
        "detail": "the request body is larger than the limit of 98 bytes",
        "code": "payload_too_large",
    }


def test_a_body_exactly_at_the_limit_passes(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_upload_bytes=100)
    body = b'{"image": "' + b"A" * 87 + b'"}'
    assert len(body) == 100
    response = client.post(
        "/predict/base64", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code != 413
    assert response.json()["code"] == "invalid_image"  # it reached the handler


def test_a_non_numeric_content_length_is_400(client: TestClient) -> None:
    scope_headers = {"content-length": "lots", "content-type": "application/json"}
    response = client.post("/predict/base64", content=b"{}", headers=scope_headers)
    assert response.request.headers["content-length"] == "lots"
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_live_server_answers_413_before_a_huge_declared_body(live_server: str) -> None:
    """Content-Length of 1 GB and no body sent: the server answers at once instead of waiting."""
    host, port = _address(live_server)
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            b"POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 1000000000\r\n\r\n"
        )
        reply = _read_reply(sock)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["code"] == "payload_too_large"


def test_live_server_answers_413_to_an_unfinished_chunked_body(live_server: str) -> None:
    """Chunks past the limit and no final chunk: the 413 comes while the body is unfinished."""
    host, port = _address(live_server)
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest("POST", "/predict/base64")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    chunk = b"A" * 8192
    for _ in range(LIVE_MAX_UPLOAD_BYTES // len(chunk) + 2):
        connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    response = connection.getresponse()  # no terminating 0-chunk was sent
    assert response.status == 413
    assert json.loads(response.read())["code"] == "payload_too_large"
    connection.close()


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def _read_reply(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data
