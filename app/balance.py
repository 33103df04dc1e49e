"""Each new connection goes to the worker holding the fewest (`python -m app.serve`'s workers).

The workers share one listening socket. Left to race for it, the worker the kernel wakes last
takes most of a burst: 64 connections opened at once split 20/44 on two workers, and at times
1/63. Keep-alive connections stay where they land, so one core queues requests while the other
idles; at 64 clients that split alone raised p99 from about 95 to 125 ms.

So each worker writes the number of connections it holds into its own slot of a small file that
all the workers map (`Ledger`), and its `Acceptor` takes a waiting connection at once only if no
other worker holds fewer. Otherwise it stops watching the socket for `DEFER_SECONDS`, so that a
worker holding fewer takes the connection first, and then takes it if it is still waiting. No
worker ever refuses a connection: a count read wrong (a worker that died holding few) costs a
new connection `DEFER_SECONDS`, nothing more.

uvicorn's supervisor (`uvicorn.supervisors.Multiprocess`) starts the workers as usual; each runs
a `BalancedServer`, which loads the app as uvicorn's `Server` does and then accepts through an
`Acceptor` instead of uvicorn's own listener.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import mmap
import os
import socket
from array import array
from collections.abc import Callable
from pathlib import Path

import uvicorn
from uvicorn.supervisors.multiprocess import Process

FREE = -1  # a slot no running worker holds
DEFER_SECONDS = 0.002  # a worker holding more connections leaves a new one this long
REFRESH_SECONDS = 0.1  # a worker's count is rewritten this often (closed connections)
PAUSE_SECONDS = 1.0  # accepting stops this long after an error such as EMFILE
LEDGER_VARIABLE = "CONNECTION_LEDGER"  # the ledger's path, for the workers

logger = logging.getLogger("uvicorn.error")


def create_ledger(path: Path, workers: int) -> None:
    """A ledger file with every slot free: two for each worker, as a worker being replaced
    holds its slot until its replacement holds another."""
    path.write_bytes(array("q", [FREE] * (2 * workers)).tobytes())


class Ledger:
    """This process's slot in the file of connection counts: the first slot no other running
    process holds, locked (`lockf`) while the process lives, so that a worker's replacement
    takes a dead worker's slot."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("r+b")
        self._map = mmap.mmap(self._file.fileno(), 0)  # the whole file
        self._counts = memoryview(self._map).cast("q")  # (slots,) int64
        self.slot = self._claim(path)

    def _claim(self, path: Path) -> int:
        for slot in range(len(self._counts)):
            try:
                fcntl.lockf(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB, 8, slot * 8)
            except OSError:  # another process holds it
                continue
            self._counts[slot] = 0
            return slot
        self.close()
        raise RuntimeError(f"every one of the {len(self._counts)} slots of {path} is held")

    def publish(self, count: int) -> None:
        self._counts[self.slot] = count

    def fewest(self) -> bool:
        """Whether no other worker holds fewer connections than this one."""
        counts = self._counts.tolist()
        return min(count for count in counts if count != FREE) >= counts[self.slot]

    def close(self) -> None:
        """Free the slot (closing the file also drops the lock)."""
        if hasattr(self, "slot"):
            self._counts[self.slot] = FREE
        self._counts.release()
        self._map.close()
        self._file.close()


class Acceptor:
    """Accepts connections on a listening socket, as `Ledger.fewest` allows, and hands each to
    `protocol_factory`'s protocol. `held` is how many connections the worker holds."""

    def __init__(
        self,
        sock: socket.socket,
        protocol_factory: Callable[[], asyncio.Protocol],
        held: Callable[[], int],
        ledger: Ledger,
    ) -> None:
        self._sock, self._factory, self._held, self._ledger = sock, protocol_factory, held, ledger
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = None
        self._connecting: set[asyncio.Task[None]] = set()
        self._closed = False

    def start(self, backlog: int) -> None:
        self._sock.setblocking(False)
        self._sock.listen(backlog)
        self._loop.add_reader(self._sock.fileno(), self._ready)
        self._refresh()

    def close(self) -> None:
        """Stop accepting; the socket itself is the caller's."""
        if self._closed:
            return
        self._closed = True
        self._loop.remove_reader(self._sock.fileno())
        if self._timer is not None:
            self._timer.cancel()
        self._ledger.close()

    def _count(self) -> int:
        return self._held() + len(self._connecting)

    def _refresh(self) -> None:
        if not self._closed:
            self._ledger.publish(self._count())
            self._loop.call_later(REFRESH_SECONDS, self._refresh)

    def _ready(self) -> None:
        """The socket has a connection waiting (every worker is woken for it)."""
        self._ledger.publish(self._count())
        if self._ledger.fewest():
            self._accept()
        else:
            self._wait(DEFER_SECONDS)

    def _wait(self, seconds: float) -> None:
        self._loop.remove_reader(self._sock.fileno())
        self._timer = self._loop.call_later(seconds, self._resume)

    def _resume(self) -> None:
        self._timer = None
        if self._closed:
            return
        self._loop.add_reader(self._sock.fileno(), self._ready)
        self._accept()

    def _accept(self) -> None:
        try:
            conn, _ = self._sock.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another worker took it, or the client gave up
        except OSError as exc:  # out of file descriptors or buffers: as asyncio does, pause
            logger.error("accepting a connection failed: %s", exc)
            self._wait(PAUSE_SECONDS)
            return
        conn.setblocking(False)
        task = self._loop.create_task(self._connect(conn))
        self._connecting.add(task)
        task.add_done_callback(self._connecting.discard)
        self._ledger.publish(self._count())

    async def _connect(self, conn: socket.socket) -> None:
        try:
            await self._loop.connect_accepted_socket(self._factory, conn)
        except OSError:  # the client went away meanwhile
            conn.close()


class BalancedServer(uvicorn.Server):
    """uvicorn's worker server, its one socket served by an `Acceptor`."""

    def __init__(self, config: uvicorn.Config, ledger: Path) -> None:
        super().__init__(config)
        self._ledger = ledger
        self._acceptor: Acceptor | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if not sockets or len(sockets) != 1:
            raise ValueError("BalancedServer serves the one socket it is given")
        (sock,) = sockets
        await super().startup(sockets=[])  # the lifespan (the model loads); no listener
        config = self.config

        def protocol() -> asyncio.Protocol:  # as uvicorn's Server.startup makes them
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )

        held = self.server_state.connections
        self._acceptor = Acceptor(sock, protocol, lambda: len(held), Ledger(self._ledger))
        self._acceptor.start(config.backlog)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
        await super().shutdown(sockets)


class BalancedProcess(Process):
    """uvicorn's worker process, running a `BalancedServer` on the ledger $CONNECTION_LEDGER."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = BalancedServer(self.config, Path(os.environ[LEDGER_VARIABLE]))
        return self._server
