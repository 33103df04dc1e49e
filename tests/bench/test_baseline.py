"""bench/baseline.py: an earlier commit's tree, started from its own Dockerfile beside this one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from bench import baseline
from bench.container.build import MODEL_FILE, REPO_ROOT, shipped_command


def _head() -> str:
    try:
        found = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: bench.baseline exports commits with git archive")
    return found.stdout.strip()


def test_a_commit_is_exported_whole(tmp_path: Path) -> None:
    head = _head()
    assert baseline.export_commit("HEAD", tmp_path) == head
    listed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "ls-tree", "-r", "--name-only", head],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    exported = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert exported == set(listed)
    committed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "show", f"{head}:{MODEL_FILE}"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    assert (tmp_path / MODEL_FILE).read_bytes() == committed


def test_an_unknown_commit_is_refused(tmp_path: Path) -> None:
    _head()
    with pytest.raises(subprocess.CalledProcessError):
        baseline.export_commit("no-such-commit-anywhere", tmp_path)
    with pytest.raises(SystemExit, match="no commit 'no-such-commit-anywhere'"):
        baseline.main(["no-such-commit-anywhere", "--generator", "httpx"])


def test_the_command_is_read_from_the_checkout_given(tmp_path: Path) -> None:
    """An earlier tree is started from its own Dockerfile, with none of this one's files."""
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\n"
        "ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:/usr/bin OLD_ONLY=1\n"
        'CMD ["uvicorn", "app.main:app", "--port", "8080"]\n'
    )
    argv, env = shipped_command(tmp_path / MODEL_FILE, 9999, root=tmp_path)
    assert argv == ["uvicorn", "app.main:app", "--port", "8080"]
    assert env["OLD_ONLY"] == "1" and "/opt/venv" not in env["PATH"]
    assert env["MODEL_PATH"] == str(tmp_path / MODEL_FILE) and env["PORT"] == "9999"
    assert env["VERIFIER_PATH"] == env["SEQUENCE_READER_PATH"] == ""  # the tree has none
    here_argv, _ = shipped_command(REPO_ROOT / MODEL_FILE, 9999)
    assert here_argv != argv


def test_this_checkout_against_its_own_head(capsys: pytest.CaptureFixture[str]) -> None:
    """Both services start and answer; each round has both rows and a ratio of their p50s."""
    _head()
    args = ["HEAD", "--rounds", "1", "--requests", "12", "--warmup", "2",
            "--generator", "httpx", "--json"]  # fmt: skip
    assert baseline.main(args) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    [cells] = result["rounds"]
    assert [cell["endpoint"] for cell in cells] == ["commit", "shipped"]
    assert all(cell["requests"] == 12 and cell["errors"] == 0 for cell in cells)
    commit, shipped = (cell["p50_ms"] for cell in cells)
    [ratio] = result["p50_ratio"]["1"]["rounds"]
    assert ratio == pytest.approx(shipped / commit, abs=6e-4)  # rounded to 3 decimals
    assert result["verdict"]["one client p50 <= 0.4x"] is (ratio <= baseline.TARGET)


def test_an_exported_tree_serves_its_own_code(tmp_path: Path) -> None:
    """The tree's app runs, not the checkout installed in this environment."""
    _head()
    tree = tmp_path / "tree"
    baseline.export_commit("HEAD", tree)
    service = tree / "app" / "routes" / "service.py"
    named = 'SERVICE_NAME = "cnn-digit-recognition"'
    assert named in service.read_text()
    service.write_text(service.read_text().replace(named, 'SERVICE_NAME = "an-earlier-tree"'))
    with baseline.tree_server(tree) as (base, _):
        assert httpx.get(base + "/", trust_env=False).json()["service"] == "an-earlier-tree"
    with baseline.tree_server(REPO_ROOT) as (base, _):
        assert httpx.get(base + "/", trust_env=False).json()["service"] == "cnn-digit-recognition"
