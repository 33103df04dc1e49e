from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from tests.local_http import dead_url


def test_a_failed_download_says_so_and_exits_with_status_1(
    script: Callable[[str], ModuleType], tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    url = dead_url()
    status = script("download_mnist").main(
        ["--dest", str(tmp_path), "--mirror", url, "--timeout", "5"]
    )
    assert status == 1
    assert "Could not download train-images-idx3-ubyte.gz" in capsys.readouterr().err
