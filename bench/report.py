"""The load test's report: its cells, the ratios to the floor, the targets and the table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Issue 26's: one process at 64 clients at least 0.25x the floor's rate; as shipped, p99 at 64
# clients under 100 ms; memory growth per worker under 20 MB; no errors.
TARGETS = {"p99_ms_at_64": 100.0, "ratio_at_64": 0.25, "rss_growth_mb": 20.0}


@dataclass
class Cell:
    endpoint: str
    concurrency: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    cpu_ms_per_request: float | None


def ratios(cells: list[Cell]) -> dict[str, float]:
    """predict and base64 requests/s over the floor's, per concurrency."""
    rps = {(cell.endpoint, cell.concurrency): cell.rps for cell in cells}
    out = {}
    for (name, concurrency), value in rps.items():
        floor = rps.get(("floor", concurrency))
        if name != "floor" and floor:
            out[f"{name}/floor@{concurrency}"] = round(value / floor, 3)
    return out


def verdict(result: dict[str, Any]) -> dict[str, bool | None]:
    """The one-process service's targets: its rate at 64 clients over the floor's, errors and
    memory growth (None where this run did not measure it)."""
    cells = result["cells"]
    ratio = result["ratios"].get("predict/floor@64")
    rss = result["rss_mb"]
    growth = rss["after"] - rss["before"] if rss["before"] is not None else None
    errors = sum(c["errors"] for c in cells) + (result["soak"] or {}).get("errors", 0)
    return {
        "predict/floor@64>=0.25": None if ratio is None else ratio >= TARGETS["ratio_at_64"],
        "zero errors": errors == 0,
        "rss growth<20MB": None if growth is None else growth < TARGETS["rss_growth_mb"],
    }


def print_table(result: dict[str, Any]) -> None:
    header = f"{'endpoint':<10}{'conc':>5}{'reqs':>7}{'req/s':>9}{'p50':>9}{'p90':>9}"
    header += f"{'p99':>9}{'max':>9}{'errors':>8}{'cpu ms/req':>12}"
    print(
        f"generator {result['generator']}, {result['cpus']} cpus, load average "
        f"{result['loadavg_before']} -> {result['loadavg_after']}; latencies in ms"
    )
    print(header)
    rows = result["cells"] + ([result["soak"] | {"endpoint": "soak"}] if result["soak"] else [])
    for cell in rows:
        cpu = cell["cpu_ms_per_request"]
        print(
            f"{cell['endpoint']:<10}{cell['concurrency']:>5}{cell['requests']:>7}"
            f"{cell['rps']:>9.1f}{cell['p50_ms']:>9.1f}{cell['p90_ms']:>9.1f}"
            f"{cell['p99_ms']:>9.1f}{cell['max_ms']:>9.1f}{cell['errors']:>8}"
            f"{'-' if cpu is None else f'{cpu:.3f}':>12}"
        )
    for name, ratio in result["ratios"].items():
        print(f"{name}: {ratio:.3f}")
    if result["generator"] == "httpx":
        print("note: the httpx client likely bounds the floor's rate: install wrk for the ratios")
    print("server RSS (MB):", result["rss_mb"])
    for name, met in result["verdict"].items():
        print(f"target {name}: {'n/a' if met is None else 'met' if met else 'NOT met'}")


def shipped_verdict(result: dict[str, Any]) -> dict[str, bool | None]:
    """The issue's targets for the service as shipped: p99 at 64 clients, memory per worker."""
    at_64 = [c for c in result["cells"] if c["endpoint"] == "shipped" and c["concurrency"] == 64]
    rss = result["shipped_rss_mb"]
    growth = None
    if len(rss["before"]["workers"]) == len(rss["after"]["workers"]) > 0:
        pairs = zip(rss["before"]["workers"], rss["after"]["workers"], strict=True)
        growth = max(after - before for before, after in pairs)
    elif not rss["before"]["workers"]:  # one worker: the command's process itself
        growth = rss["after"]["main"] - rss["before"]["main"]
    return {
        "shipped p99@64<100ms": at_64[0]["p99_ms"] < TARGETS["p99_ms_at_64"] if at_64 else None,
        "shipped rss growth<20MB per worker": (
            None if growth is None else growth < TARGETS["rss_growth_mb"]
        ),
    }
