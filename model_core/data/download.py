"""Download the official MNIST files into a local cache, verified against published checksums.

Users run ``python scripts/download_mnist.py [--dest DIR]``. Standard library only (urllib).
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# Digests of the official gzip files (60,000 train / 10,000 test images).
# sha256: TensorFlow Datasets, tensorflow_datasets/url_checksums/mnist.txt.
# md5: torchvision, torchvision/datasets/mnist.py (MNIST.resources).
OFFICIAL_CHECKSUMS: dict[str, dict[str, str]] = {
    "train-images-idx3-ubyte.gz": {
        "sha256": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "md5": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    },
    "train-labels-idx1-ubyte.gz": {
        "sha256": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "md5": "d53e105ee54ea40749a09fcbcd1e9432",
    },
    "t10k-images-idx3-ubyte.gz": {
        "sha256": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "md5": "9fb629c4189551a2d022fa330f9573f3",
    },
    "t10k-labels-idx1-ubyte.gz": {
        "sha256": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "md5": "ec29112dd5afa0611ce80d1b7f02629c",
    },
}
MAX_FILE_BYTES = 64 * 1024 * 1024  # the largest official file is 9.9 MB
CHUNK_BYTES = 1 << 16


class DownloadError(RuntimeError):
    """A file could not be fetched or verified; the message says what to do."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cnn-digit-recognition/mnist``, or under ``~/.cache``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnn-digit-recognition" / "mnist"


def file_digests(path: Path, algorithms: Sequence[str]) -> dict[str, str]:
    """Hex digests of a file for each hashlib algorithm name, in one streamed pass."""
    hashers = {name: hashlib.new(name, usedforsecurity=False) for name in algorithms}
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            for hasher in hashers.values():
                hasher.update(chunk)
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


def _mismatches(path: Path, expected: Mapping[str, str]) -> list[str]:
    """``"sha256: expected X, got Y"`` for every digest of ``path`` that differs."""
    actual = file_digests(path, list(expected))
    return [
        f"{name}: expected {value.lower()}, got {actual[name]}"
        for name, value in expected.items()
        if actual[name] != value.lower()
    ]


def _fetch(url: str, target: Path, timeout: float) -> None:
    """Stream ``url`` into ``target`` (size-capped); raises OSError/URLError on failure."""
    request = urllib.request.Request(url, headers={"User-Agent": "cnn-digit-recognition"})
    with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:
        size = 0
        while chunk := response.read(CHUNK_BYTES):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise OSError(f"response larger than {MAX_FILE_BYTES} bytes")
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


def _download_one(
    name: str,
    checksums: Mapping[str, Mapping[str, str]],
    dest: Path,
    base_urls: Sequence[str],
    timeout: float,
) -> None:
    """Fetch one file from the first mirror that serves it with the right digests."""
    expected = checksums[name]
    failures: list[str] = []
    bad_checksum = False
    for base_url in base_urls:
        url = base_url.rstrip("/") + "/" + name
        handle, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest)
        os.close(handle)
        temp = Path(temp_name)
        try:
            logger.info("downloading %s", url)
            _fetch(url, temp, timeout)
            mismatches = _mismatches(temp, expected)
            if not mismatches:
                os.replace(temp, dest / name)  # atomic: never a half-written file under `name`
                return
            bad_checksum = True
            failures.append(f"{url}: checksum mismatch ({'; '.join(mismatches)})")
        except urllib.error.HTTPError as error:
            error.close()
            failures.append(f"{url}: HTTP {error.code} {error.reason}")
        except urllib.error.URLError as error:
            failures.append(f"{url}: {error.reason}")
        except (OSError, http.client.HTTPException) as error:
            failures.append(f"{url}: {type(error).__name__}: {error}")
        finally:
            temp.unlink(missing_ok=True)

    tried = "\n".join(f"  - {failure}" for failure in failures)
    advice = (
        "The downloaded file did not match the published checksum and was deleted. "
        "Try again (the transfer may have been corrupted), or another mirror with --mirror URL."
        if bad_checksum
        else "Check your internet connection or proxy settings."
    )
    manual = (
        f"Or download the MNIST files ({', '.join(checksums)}) by hand from one of the "
        f"mirrors above into {dest} and pass --data-dir {dest} to the training script."
    )
    raise DownloadError(f"Could not download {name}. Tried:\n{tried}\n{advice}\n{manual}")


def download_mnist(
    dest_dir: str | Path | None = None,
    *,
    base_urls: Sequence[str] = DEFAULT_MIRRORS,
    timeout: float = 30.0,
    checksums: Mapping[str, Mapping[str, str]] = OFFICIAL_CHECKSUMS,
) -> Path:
    """Fetch the MNIST files into ``dest_dir`` (default: :func:`default_cache_dir`).

    ``checksums`` maps each file name to fetch to its expected hex digests by hashlib
    algorithm name. Mirrors are tried in order; files already present with the right
    digests are skipped. Each file is written to a temporary file, verified, then renamed
    into place. Raises DownloadError with instructions when a file cannot be obtained.
    Returns the folder, ready for ``model_core.data.mnist.load_mnist``.
    """
    dest = Path(dest_dir) if dest_dir is not None else default_cache_dir()
    if isinstance(base_urls, str):
        base_urls = [base_urls]
    for base_url in base_urls:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"mirror URLs must be http:// or https://, got {base_url!r}")
    if not base_urls:
        raise ValueError("no mirror URLs given")
    for name, expected in checksums.items():
        if Path(name).name != name or name in ("", ".", ".."):
            raise ValueError(f"checksum keys must be plain file names, got {name!r}")
        unknown = set(expected) - hashlib.algorithms_available
        if not expected or unknown:
            raise ValueError(f"{name}: need digests of known hashlib algorithms, got {expected}")
    dest.mkdir(parents=True, exist_ok=True)
    for name, expected in checksums.items():
        target = dest / name
        if target.is_file():
            if not _mismatches(target, expected):
                logger.info("%s already present and verified, skipping", target)
                continue
            logger.warning("%s does not match its checksum, downloading it again", target)
        _download_one(name, checksums, dest, base_urls, timeout)
    return dest
