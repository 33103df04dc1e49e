"""The CPUs this process may use: the cgroup CPU quota (as Cloud Run's `--cpu` or a container
limit sets it; v2 `cpu.max`, v1 `cpu.cfs_quota_us`), rounded up and capped by the CPUs it may
run on, else those CPUs (its affinity, `os.sched_getaffinity`). For the service's worker count
(app/serve.py) and training's thread count. The standard library only: cheap to import.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
CGROUP_V1_CPU_DIRS = ("cpu", "cpu,cpuacct", "cpuacct,cpu")


def _cgroup_paths(proc_cgroup: Path) -> dict[str, str]:
    """This process's cgroup path per hierarchy: "" for v2, a controller list ("cpu,cpuacct")
    for v1, from /proc/self/cgroup lines "ID:CONTROLLERS:PATH"."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return {}
    found: dict[str, str] = {}
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3:
            found[parts[1]] = parts[2]
    return found


def _dirs_up(base: Path, path: str) -> list[Path]:
    """base/path and each parent up to base itself. A container's cgroup is mounted at base, and
    its /proc/self/cgroup may still name the path on the host: base is always looked at."""
    start = base / path.strip("/")
    return [start, *[parent for parent in start.parents if base in parent.parents], base]


def _quota_v2(folder: Path) -> float | None:
    """cpu.max: "max 100000" (no limit) or "200000 100000" (quota and period, microseconds)."""
    try:
        quota, period = (folder / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def _quota_v1(folder: Path) -> float | None:
    """cpu.cfs_quota_us (-1: no limit) over cpu.cfs_period_us."""
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


def cgroup_cpu_limit(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float | None:
    """The CPUs this process's cgroup quota allows (quota / period, the smallest along its cgroup
    and the cgroups above it), or None without a quota."""
    paths = _cgroup_paths(proc_cgroup)
    limits = [_quota_v2(folder) for folder in _dirs_up(root, paths.get("", "/"))]
    for controllers, path in paths.items():
        if "cpu" in controllers.split(","):
            for name in CGROUP_V1_CPU_DIRS:
                limits += [_quota_v1(folder) for folder in _dirs_up(root / name, path)]
    found = [limit for limit in limits if limit is not None]
    return min(found) if found else None


def available_cpus(
    root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP, affinity: int | None = None
) -> int:
    """CPUs this process may use: the CPUs it may run on, capped by the cgroup quota rounded up
    (Cloud Run's `--cpu 1` is a quota of one CPU on a larger machine); at least 1."""
    cpus = len(os.sched_getaffinity(0)) if affinity is None else affinity
    limit = cgroup_cpu_limit(root, proc_cgroup)
    if limit is not None:
        cpus = min(cpus, math.ceil(limit))
    return max(1, cpus)
