import tomllib
from pathlib import Path

import model_core

ROOT = Path(__file__).resolve().parents[1]


def test_package_version_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert model_core.__version__ == project["version"]
