"""A throwaway HTTP server on 127.0.0.1 for tests that need one (never the network)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.servers import free_port

Handler = Callable[..., http.server.BaseHTTPRequestHandler]


@contextmanager
def serving(handler: Handler) -> Iterator[str]:
    """The base URL ("http://127.0.0.1:PORT/") of `handler` served on an ephemeral port
    for the duration of the block; shut down and closed after it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def dead_url() -> str:
    """A 127.0.0.1 URL whose port nobody listens on (connection refused)."""
    return f"http://127.0.0.1:{free_port()}/"
