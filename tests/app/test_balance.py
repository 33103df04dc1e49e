"""app/balance.py: the ledger's slots (claimed per process, freed by death), its rule, and an
acceptor that leaves a connection to a worker holding fewer, then takes it. The start command's
balance over two real workers is in test_serve.py."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from array import array
from pathlib import Path

import pytest

from app import balance
from app.balance import FREE, Acceptor, Ledger, create_ledger

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the service runs on Linux")


def _hold_slot(path: Path) -> subprocess.Popen[str]:
    """Another process holding a slot, as a worker does, until it is killed."""
    code = (
        "import sys, time; from pathlib import Path; from app.balance import Ledger; "
        "ledger = Ledger(Path(sys.argv[1])); print(ledger.slot, flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "0"
    return holder


def _counts(path: Path) -> list[int]:
    return list(array("q", path.read_bytes()))


def test_each_process_claims_its_own_slot_and_a_dead_ones_is_taken_again(tmp_path: Path) -> None:
    path = tmp_path / "ledger"
    create_ledger(path, workers=2)
    assert _counts(path) == [FREE] * 4
    holder = _hold_slot(path)
    try:
        ledger = Ledger(path)
        assert ledger.slot == 1
        assert _counts(path) == [0, 0, FREE, FREE]
    finally:
        holder.kill()
        holder.wait()
    ledger.publish(7)
    replacement = _hold_slot(path)  # the dead worker's slot, its count reset
    replacement.kill()
    replacement.wait()
    ledger.close()
    assert _counts(path) == [0, FREE, FREE, FREE]


def test_fewest_compares_with_the_slots_held(tmp_path: Path) -> None:
    path = tmp_path / "ledger"
    create_ledger(path, workers=5)
    ledger = Ledger(path)
    counts = ledger._counts
    try:
        ledger.publish(3)
        assert ledger.fewest()  # alone
        counts[5] = 3
        assert ledger.fewest()  # a tie: both may take it
        counts[9] = 2
        assert not ledger.fewest()
        counts[9] = FREE  # a worker gone
        assert ledger.fewest()
    finally:
        ledger.close()


MADE: list[float] = []  # when each connection reached its protocol


class _Recorder(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        MADE.append(time.monotonic())
        transport.close()


def _accept_one(path: Path, held: int, others: int) -> float:
    """Seconds from a client's connect to its connection being made, for a worker holding
    `held` connections while another holds `others`."""

    async def run() -> float:
        ledger = Ledger(path)
        ledger._counts[ledger.slot + 1] = others  # another worker's slot
        listener = socket.create_server(("127.0.0.1", 0))
        acceptor = Acceptor(listener, _Recorder, lambda: held, ledger)
        acceptor.start(backlog=8)
        MADE.clear()
        try:
            started = time.monotonic()
            client = socket.create_connection(listener.getsockname())
            while not MADE and time.monotonic() - started < 5:
                await asyncio.sleep(0.001)
            client.close()
            assert MADE, "never accepted"
            return MADE[0] - started
        finally:
            acceptor.close()
            listener.close()

    return asyncio.run(run())


def test_a_worker_holding_more_leaves_a_connection_then_takes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(balance, "DEFER_SECONDS", 0.3)
    path = tmp_path / "ledger"
    create_ledger(path, workers=1)
    assert _accept_one(path, held=1, others=4) < 0.2  # holds fewest: at once
    assert _accept_one(path, held=4, others=4) < 0.2
    assert 0.3 <= _accept_one(path, held=5, others=4) < 2  # no one else took it
    assert _counts(path) == [FREE, 4]  # closed: the slot freed
