"""Tests for model_core.data.download against a local HTTP server (never the network)."""

from __future__ import annotations

import functools
import hashlib
import http.server
from collections.abc import Iterator
from pathlib import Path

import pytest

from model_core.data.download import OFFICIAL_CHECKSUMS, DownloadError, download_mnist
from tests import local_http
from tests.local_http import serving

FILES = {
    "train-images-idx3-ubyte.gz": b"fake train images",
    "train-labels-idx1-ubyte.gz": b"fake train labels",
}


def checksums_for(files: dict[str, bytes]) -> dict[str, dict[str, str]]:
    return {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "md5": hashlib.md5(data).hexdigest()}
        for name, data in files.items()
    }


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, folder it serves) of an HTTP server on 127.0.0.1, ephemeral port."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    with serving(handler) as url:
        yield url, root


@pytest.fixture
def dead_url() -> str:
    return local_http.dead_url()


def publish(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).write_bytes(data)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_official_table_has_the_four_files() -> None:
    assert sorted(OFFICIAL_CHECKSUMS) == sorted(
        f"{prefix}-{kind}-ubyte.gz"
        for prefix in ("train", "t10k")
        for kind in ("images-idx3", "labels-idx1")
    )
    for digests in OFFICIAL_CHECKSUMS.values():
        assert len(digests["sha256"]) == 64
        assert len(digests["md5"]) == 32
        int(digests["sha256"] + digests["md5"], 16)  # hexadecimal


def test_download_success(served: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = served
    publish(root, FILES)
    dest = tmp_path / "cache"
    folder = download_mnist(dest, base_urls=[base_url], checksums=checksums_for(FILES))
    assert folder == dest
    assert leftovers(dest) == sorted(FILES)  # no temporary files left
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data


def test_skips_files_already_present(dead_url: str, tmp_path: Path) -> None:
    publish(tmp_path, FILES)
    # The only mirror is unreachable, so success proves nothing was fetched.
    download_mnist(tmp_path, base_urls=[dead_url], checksums=checksums_for(FILES))
    for name, data in FILES.items():
        assert (tmp_path / name).read_bytes() == data


def test_redownloads_a_corrupt_local_file(served: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = served
    publish(root, FILES)
    dest = tmp_path / "cache"
    dest.mkdir()
    (dest / "train-images-idx3-ubyte.gz").write_bytes(b"half a file")
    download_mnist(dest, base_urls=[base_url], checksums=checksums_for(FILES))
    assert (dest / "train-images-idx3-ubyte.gz").read_bytes() == FILES["train-images-idx3-ubyte.gz"]


def test_checksum_mismatch_deletes_file(served: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = served
    publish(root, {"train-images-idx3-ubyte.gz": b"tampered"})
    dest = tmp_path / "cache"
    expected = checksums_for(FILES)
    with pytest.raises(DownloadError) as caught:
        download_mnist(dest, base_urls=[base_url], checksums=expected)
    message = str(caught.value)
    wanted = expected["train-images-idx3-ubyte.gz"]["sha256"]
    got = hashlib.sha256(b"tampered").hexdigest()
    assert f"expected {wanted}, got {got}" in message
    assert "deleted" in message
    assert "Try again" in message
    assert "--mirror" in message
    assert leftovers(dest) == []


def test_unreachable_server_says_what_to_do(dead_url: str, tmp_path: Path) -> None:
    dest = tmp_path / "cache"
    with pytest.raises(DownloadError) as caught:
        download_mnist(dest, base_urls=[dead_url], timeout=5, checksums=checksums_for(FILES))
    message = str(caught.value)
    assert f"{dead_url}train-images-idx3-ubyte.gz" in message
    assert "internet connection" in message
    assert f"mirrors above into {dest}" in message
    assert f"--data-dir {dest}" in message
    assert leftovers(dest) == []


def test_falls_back_to_second_mirror(served: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = served
    publish(root, FILES)
    dest = tmp_path / "cache"
    missing_mirror = base_url + "nothing-here/"  # answers 404
    download_mnist(dest, base_urls=[missing_mirror, base_url], checksums=checksums_for(FILES))
    assert leftovers(dest) == sorted(FILES)


def test_both_mirrors_failing_lists_both(
    served: tuple[str, Path], dead_url: str, tmp_path: Path
) -> None:
    base_url, _ = served
    with pytest.raises(DownloadError) as caught:
        download_mnist(
            tmp_path / "cache", base_urls=[dead_url, base_url], checksums=checksums_for(FILES)
        )
    message = str(caught.value)
    assert dead_url in message
    assert f"{base_url}train-images-idx3-ubyte.gz: HTTP 404" in message


def test_rejects_non_http_mirror(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        download_mnist(tmp_path, base_urls=["file:///etc/"], checksums=checksums_for(FILES))
