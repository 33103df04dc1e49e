# Image of the digit-recognition service for Google Cloud Run (any OCI runtime works).
#
#   docker build -t cnn-digit-recognition .
#   docker run --rm -p 8080:8080 cnn-digit-recognition
#
# Two stages on the same Debian slim Python: the builder installs the package and its serving
# dependencies (no `train`/`dev` extras) into a virtualenv; the runtime stage copies only that
# virtualenv, the committed model and its number verifier, and runs as a non-root user. No
# compiler is needed: every dependency ships manylinux wheels. tests/test_container.py lints
# this file with hadolint and replays the builder stage and the CMD outside Docker.

FROM python:3.11-slim-bookworm AS builder

# The cache flag is an env var (hadolint DL3042 accepts it) so that a test replaying these steps
# outside Docker may switch the cache back on.
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    VIRTUAL_ENV=/opt/venv
# The virtualenv gets no pip nor setuptools of its own (21 MiB the service never uses): the
# base image's pip installs into it with --python.
RUN python -m venv --without-pip "$VIRTUAL_ENV"

WORKDIR /src

# Dependencies first, from pyproject.toml alone: this layer is rebuilt only when they change,
# not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
    && pip --python "$VIRTUAL_ENV/bin/python" install -r requirements.txt

# Then the package itself, non-editable (setuptools reads README.md as the long description).
COPY README.md ./
COPY model_core/ model_core/
COPY app/ app/
RUN pip --python "$VIRTUAL_ENV/bin/python" install --no-deps . \
    && pip --python "$VIRTUAL_ENV/bin/python" check


FROM python:3.11-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="cnn-digit-recognition" \
      org.opencontainers.image.description="Handwritten digit recognition: a CNN written from scratch in NumPy, served by FastAPI" \
      org.opencontainers.image.version="1.0.0" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim-bookworm"

# OPENBLAS_NUM_THREADS=1: requests run in a threadpool; letting every one of them start its own
# BLAS threads oversubscribes Cloud Run's 1-2 vCPUs. MALLOC_MMAP_THRESHOLD_: arrays over 1 MiB
# (decoding a large photo) go back to the system when freed; measured with 8 concurrent 16 MP
# photos: peak 289-335 MiB instead of 420, then 83-86 MiB instead of 338 (docs/deployment.md).
# Setting it also fixes glibc's trim threshold at 128 KiB, so the heap was handed back and
# faulted in again on every request (0.6 ms of CPU each); MALLOC_TRIM_THRESHOLD_ keeps up to
# 16 MiB of freed heap for the next request.
# MODEL_PATH, VERIFIER_PATH and SEQUENCE_READER_PATH are explicit: the package is installed in
# site-packages, so a path found relative to the code would not reach /app; and an explicit
# file that cannot be loaded stops the start, as a bad model does (VERIFIER_PATH= turns the
# verifier off: numbers are then read blob by blob, their digits must not touch). FORWARDED_ALLOW_IPS (read by uvicorn): Cloud Run's front
# end is the only way in, so trust its X-Forwarded-Proto/-For (https URLs, client address).
ENV VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    OPENBLAS_NUM_THREADS=1 \
    MALLOC_MMAP_THRESHOLD_=1048576 \
    MALLOC_TRIM_THRESHOLD_=16777216 \
    FORWARDED_ALLOW_IPS="*" \
    MODEL_PATH=/app/trained_cnn_model.npz \
    VERIFIER_PATH=/app/trained_verifier_model.npz \
    SEQUENCE_READER_PATH=/app/trained_sequence_model.npz \
    PORT=8080

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY trained_cnn_model.npz ./
COPY trained_verifier_model.npz ./
COPY trained_sequence_model.npz ./

USER 10001:10001
EXPOSE 8080

# Cloud Run ignores HEALTHCHECK (configure its startup/liveness probes instead); `docker run`
# uses it. Python, not curl: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8080\")}/health/ready', timeout=2)"]

# app/serve.py: uvicorn on 0.0.0.0:$PORT with one worker process per CPU the container may use
# (the cgroup quota that Cloud Run's --cpu sets; WEB_CONCURRENCY overrides), no uvicorn access
# log (the app writes its own JSON one). Exec form, no shell: Python is PID 1 and gets Cloud
# Run's SIGTERM (SIGKILL follows 10 s later), passes it to the workers, and in-flight requests
# get 8 s to finish.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "app.serve"]
