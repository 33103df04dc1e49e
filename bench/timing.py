"""The one timing helper of the measurement tools: the median of repeated calls, best round."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(
    fn: Callable[[], object],
    repeats: int,
    warmup: int,
    *,
    rounds: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Seconds of one call of `fn`: the median of `repeats` calls, the lowest over `rounds`
    rounds (other load on the machine only ever adds time), after `warmup` untimed calls.

    `clock` is wall time by default; `time.thread_time` counts only this thread's CPU.
    """
    for _ in range(warmup):
        fn()
    medians = []
    for _ in range(rounds):
        times = []
        for _ in range(repeats):
            start = clock()
            fn()
            times.append(clock() - start)
        medians.append(statistics.median(times))
    return min(medians)
