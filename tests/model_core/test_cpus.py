"""model_core/cpus.py: the CPUs this process may use, from cgroup files (v2 and v1, faked in
tmp_path) and the CPU affinity."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from model_core.cpus import available_cpus, cgroup_cpu_limit


def _files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def fake_cgroup(tmp_path: Path, proc: str, files: dict[str, str]) -> dict[str, Path]:
    """Keyword arguments for the functions under test: a fake /sys/fs/cgroup and
    /proc/self/cgroup."""
    (tmp_path / "self-cgroup").write_text(proc)
    root = _files(tmp_path / "sys-fs-cgroup", files)
    return {"root": root, "proc_cgroup": tmp_path / "self-cgroup"}


@pytest.mark.parametrize(
    ("cpu_max", "limit", "cpus"),
    [
        ("max 100000\n", None, 8),  # no quota: the CPUs it may run on
        ("200000 100000\n", 2.0, 2),  # Cloud Run --cpu 2
        ("100000 100000\n", 1.0, 1),  # --cpu 1
        ("150000 100000\n", 1.5, 2),  # rounded up
        ("50000 100000\n", 0.5, 1),  # a fraction of a CPU is still one worker
        ("1600000 100000\n", 16.0, 8),  # a quota above the CPUs there are
    ],
)
def test_cgroup_v2_quota(tmp_path: Path, cpu_max: str, limit: float | None, cpus: int) -> None:
    where = fake_cgroup(tmp_path, "0::/\n", {"cpu.max": cpu_max})
    assert cgroup_cpu_limit(**where) == limit
    assert available_cpus(**where, affinity=8) == cpus


def test_cgroup_v2_nested_takes_the_smallest_quota_on_the_way_up(tmp_path: Path) -> None:
    where = fake_cgroup(
        tmp_path,
        "0::/system.slice/app.service\n",
        {
            "cpu.max": "max 100000",
            "system.slice/cpu.max": "300000 100000",
            "system.slice/app.service/cpu.max": "max 100000",
        },
    )
    assert cgroup_cpu_limit(**where) == 3.0
    assert available_cpus(**where, affinity=4) == 3


def test_cgroup_path_from_the_host_still_reads_the_mounted_root(tmp_path: Path) -> None:
    """A container without its own cgroup namespace: /proc/self/cgroup names the host's path,
    the container's cgroup is mounted at the root."""
    where = fake_cgroup(tmp_path, "0::/docker/0123abcd\n", {"cpu.max": "200000 100000"})
    assert cgroup_cpu_limit(**where) == 2.0


@pytest.mark.parametrize(("quota", "cpus"), [("-1", 4), ("200000", 2), ("250000", 3), ("20000", 1)])
def test_cgroup_v1_quota(tmp_path: Path, quota: str, cpus: int) -> None:
    where = fake_cgroup(
        tmp_path,
        "4:memory:/x\n2:cpu,cpuacct:/\n0::/\n",
        {"cpu,cpuacct/cpu.cfs_quota_us": quota, "cpu,cpuacct/cpu.cfs_period_us": "100000"},
    )
    assert available_cpus(**where, affinity=4) == cpus


def test_no_cgroup_files_uses_the_affinity(tmp_path: Path) -> None:
    where = {"root": tmp_path / "none", "proc_cgroup": tmp_path / "none-either"}
    assert cgroup_cpu_limit(**where) is None
    assert available_cpus(**where, affinity=3) == 3
    assert available_cpus(**where) == len(os.sched_getaffinity(0))
