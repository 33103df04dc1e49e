"""Tests for allocator.py: freed large arrays are reused without new page faults."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Allocate, touch and free a 64 MiB array, then count the page faults of doing it again.
REUSE = """
import resource, sys
import numpy as np
from model_core.allocator import keep_freed_memory
kept = keep_freed_memory() if sys.argv[1] == "keep" else None
np.ones(16 * 2**20, dtype=np.float32)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
np.ones(16 * 2**20, dtype=np.float32)
print(kept, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", REUSE, mode], capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], int(out[1])


def test_a_freed_large_array_is_reused_without_page_faults() -> None:
    kept, faults_kept = _faults("keep")
    if kept != "True":
        pytest.skip("this C library has no mallopt (not glibc): nothing to keep")
    _, faults_default = _faults("default")
    assert faults_kept < 100  # the same pages again: 64 MiB is 16,384 small pages
    assert faults_default > faults_kept  # by default the array comes from a fresh mapping
