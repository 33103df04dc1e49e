"""The inference service: a FastAPI app serving the digit classifier (see app.main).

Requests run in parallel threads, so BLAS must not start threads of its own on top: on 2 cores
OpenBLAS's default (one thread per core, per call) cost 4-5x the CPU per request (8-10 ms
instead of 2 ms, bench/loadtest.py). The variables are read once, when NumPy is first
imported, which `uvicorn app.main:app` does after this runs; an explicit setting wins.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
