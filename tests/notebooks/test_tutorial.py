"""notebooks/tutorial.ipynb runs from top to bottom on real MNIST, and is committed clean.

The notebook runs in a fresh kernel of this interpreter (a kernelspec written for the test,
so a user-level "python3" kernel elsewhere cannot stand in), with the inline matplotlib
backend (non-interactive: figures become PNG outputs, no display needed) and the data folder
passed through MNIST_DIR. Any cell error fails the test with that cell's traceback.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat (a dev dependency)")
nbclient = pytest.importorskip("nbclient", reason="nbclient (a dev dependency)")
pytest.importorskip("ipykernel", reason="ipykernel (a dev dependency)")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "tutorial.ipynb"
KERNEL = "cnn-digit-recognition-test"
CELL_TIMEOUT = 60  # seconds per cell; the whole notebook takes about 10 s on 2 cores
BUDGET = 60  # seconds for the whole run, kernel start included


def _kernelspec(folder: Path) -> None:
    """A kernelspec that starts ipykernel in this very interpreter (the project's venv),
    with plain tracebacks (no ANSI colours in the failure message)."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    argv.append("--InteractiveShell.colors=nocolor")
    kernel = {"argv": argv, "display_name": "test", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))


@pytest.mark.slow
def test_the_tutorial_runs_end_to_end(
    mnist_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kernelspec(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        startup_timeout=CELL_TIMEOUT,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},  # run from notebooks/
    )
    start = time.perf_counter()
    failure = None
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:  # the cell, its output, traceback
        failure = str(error)
    if failure is not None:
        pytest.fail(f"{NOTEBOOK.name} failed:\n{failure}", pytrace=False)
    seconds = time.perf_counter() - start
    assert seconds < BUDGET, f"the tutorial took {seconds:.0f} s, over its {BUDGET} s budget"
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors


def test_the_tutorial_is_committed_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    dirty = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"cells {dirty} carry outputs: clear them before committing"
