"""Keep freed memory in the process, so that a training step reuses the last step's pages.

A training step allocates and frees the same large arrays every time: activations, gradients
and im2col windows (58 MB for vgg_bn's second convolution at batch 64). glibc's malloc serves
blocks over its mmap threshold (at most 32 MiB) from fresh mappings and unmaps them on free, so
each step faults in and zeroes new pages: about 12% of a vgg_bn training run's CPU time went to
the kernel. Served from the heap, which is never trimmed, they cost nothing after the first step.
This is a process-wide choice, made by the training and benchmark scripts and by the worker
processes of a sharded step (model_core/nn/shards.py), never on import.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_MAX = -4
_NEVER_TRIM = 2**31 - 1  # the largest int mallopt takes


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to serve every block from its heap and never give freed memory back.

    Returns False, changing nothing, where the C library has no mallopt (macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        mallopt = None
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, _NEVER_TRIM))
