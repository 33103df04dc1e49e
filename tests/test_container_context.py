"""What the image is built from, checked without a Docker engine: the build context
(.dockerignore, matched by docker-py) and the Cloud Build upload (.gcloudignore, gitignore
syntax matched by pathspec) hold what the image needs, nothing else. The image itself (the
Dockerfile, its replay and smoke test) is tests/test_container.py's.
"""

from __future__ import annotations

import shutil

import pytest

from bench.container import build
from bench.container.build import MODEL_FILE, REPO_ROOT, SEQUENCE_READER_FILE, VERIFIER_FILE

STAGES = build.stages(build.dockerfile())
SERVED = [MODEL_FILE, VERIFIER_FILE, SEQUENCE_READER_FILE]  # the image's only .npz files, last
# What the image needs, and paths that must never be sent (probes: a clean clone has no .venv).
NEEDED = [
    "pyproject.toml",
    "README.md",
    "app/main.py",
    "app/static/draw.html",
    "app/static/draw.js",
    "app/static/draw_number.js",
    "model_core/__init__.py",
    "model_core/nn/serialization.py",
    *SERVED,
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
    f"models/{VERIFIER_FILE}",
    f"models/{SEQUENCE_READER_FILE}",
    "notebooks/explore.ipynb",
    ".ci/run",
    "scripts/train.py",
    "build/lib/app/main.py",
    ".ruff_cache/CACHEDIR.TAG",
]


def skip_if_not_committed_yet(path: str, repo_files: set[str]) -> None:
    """The verifier is committed after the code that serves it: until then, say so."""
    if path == VERIFIER_FILE and path not in repo_files:
        pytest.skip(f"{VERIFIER_FILE} is not in the checkout yet (the image COPYs it)")


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
    skip_if_not_committed_yet(path, repo_files)
    assert path in repo_files, f"{path} is not in the repository (or git ignores it)"
    assert path in sent["docker"], f".dockerignore leaves out {path}"
    assert path in sent["gcloud"], f".gcloudignore leaves out {path}"


@pytest.mark.parametrize("path", NEEDED)
def test_a_checkout_with_every_needed_file_sends_it(
    probes_sent: dict[str, set[str]], path: str
) -> None:
    """The same, whether or not the file is committed yet (the verifier)."""
    assert path in probes_sent["docker"], f".dockerignore leaves out {path}"
    assert path in probes_sent["gcloud"], f".gcloudignore leaves out {path}"


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
            or (path.endswith(".npz") and path not in SERVED)
        ]
        assert stray == []


@pytest.mark.parametrize(("name", "prefix"), [(".dockerignore", "!"), (".gcloudignore", "!/")])
def test_the_served_files_are_let_in_last(name: str, prefix: str) -> None:
    """After every rule that leaves .npz files out, and nothing after them: the last matching
    line wins, so a rule added below could drop the model or the verifier again."""
    lines = [line.strip() for line in (REPO_ROOT / name).read_text().splitlines()]
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[-len(SERVED) :] == [prefix + path for path in SERVED], rules


COPY_SOURCES = [
    source
    for stage in STAGES
    for step in stage
    if step.instruction == "COPY" and not step.flags_and_args()[0]
    for source in step.flags_and_args()[1][:-1]
]


def test_the_image_copies_both_served_files() -> None:
    assert set(SERVED) <= set(COPY_SOURCES), COPY_SOURCES


@pytest.mark.parametrize("source", COPY_SOURCES)
def test_every_copy_source_is_in_the_context(
    repo_files: set[str], sent: dict[str, set[str]], source: str
) -> None:
    skip_if_not_committed_yet(source, repo_files)
    prefix = source.rstrip("/")
    assert any(path == prefix or path.startswith(prefix + "/") for path in sent["docker"]), (
        f"COPY {source}: nothing of it is in the Docker build context"
    )
