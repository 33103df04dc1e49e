"""Read and write MNIST data in the IDX file format (gzip-compressed or raw)."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path
from typing import Literal

import numpy as np

GZIP_MAGIC = b"\x1f\x8b"
IMAGE_SIZE = 28
NUM_CLASSES = 10

# IDX type code -> element dtype (IDX stores multi-byte values big-endian).
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
SPLIT_PREFIXES: dict[str, str] = {"train": "train", "test": "t10k"}


class MnistFormatError(ValueError):
    """An IDX/MNIST file is malformed or does not hold what MNIST needs."""


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file (gzip detected by its magic bytes, not its name).

    Dtype, number of dimensions and every dimension size come from the header.
    Returns a writable array in native byte order.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {path}")
    data = path.read_bytes()
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise MnistFormatError(f"{path}: corrupt or truncated gzip data ({error})") from error

    if len(data) < 4:
        raise MnistFormatError(f"{path}: truncated header: expected 4 bytes, got {len(data)}")
    if data[:2] != b"\x00\x00":
        raise MnistFormatError(
            f"{path}: wrong magic number 0x{data[:4].hex()}: an IDX file starts with two zero bytes"
        )
    type_code, ndim = data[2], data[3]
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_DTYPES)
        raise MnistFormatError(f"{path}: unknown IDX type code 0x{type_code:02X} (known: {known})")
    if ndim == 0:
        raise MnistFormatError(f"{path}: IDX header declares 0 dimensions")

    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise MnistFormatError(
            f"{path}: truncated header: expected {header_size} bytes, got {len(data)}"
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(data) - header_size
    if got < expected:
        raise MnistFormatError(
            f"{path}: truncated file: header promises shape {shape} of {dtype.name}, "
            f"i.e. {expected} data bytes, but got {got}"
        )
    if got > expected:
        raise MnistFormatError(
            f"{path}: {got - expected} trailing bytes after the data "
            f"(expected {expected} data bytes for shape {shape}, got {got})"
        )
    array = np.frombuffer(data, dtype=dtype, count=expected // dtype.itemsize, offset=header_size)
    return array.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def write_idx(path: str | Path, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file; gzip-compressed when the name ends in ``.gz``."""
    path = Path(path)
    array = np.asarray(array)
    native_to_code = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}
    code = native_to_code.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"dtype {array.dtype} has no IDX type code")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX needs 1 to 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    body = np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()
    payload = header + body
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    path.write_bytes(payload)


def file_sha256(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks (for data checksums in model metadata)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as file:
        while chunk := file.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def mnist_paths(data_dir: str | Path, split: Literal["train", "test"]) -> tuple[Path, Path]:
    """Paths of the (images, labels) files of a split, preferring ``.gz`` over raw names."""
    if split not in SPLIT_PREFIXES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    data_dir = Path(data_dir)
    prefix = SPLIT_PREFIXES[split]
    found: list[Path] = []
    for stem in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        candidates = [data_dir / f"{stem}.gz", data_dir / stem]
        existing = [candidate for candidate in candidates if candidate.is_file()]
        if not existing:
            raise FileNotFoundError(
                f"MNIST file not found: looked for {candidates[0].name} or {candidates[1].name} "
                f"in {data_dir}. Run `python scripts/download_mnist.py --dest {data_dir}` "
                "or point --data-dir at a folder holding the MNIST IDX files."
            )
        found.append(existing[0])
    return found[0], found[1]


def load_mnist(
    data_dir: str | Path, split: Literal["train", "test"]
) -> tuple[np.ndarray, np.ndarray]:
    """Load one MNIST split: images uint8 (N, 28, 28) and labels int64 (N,) in 0..9.

    N comes from the IDX headers (the files here are subsets of official MNIST).
    """
    images_path, labels_path = mnist_paths(data_dir, split)
    images = read_idx(images_path)  # (N, 28, 28)
    labels = read_idx(labels_path)  # (N,)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise MnistFormatError(
            f"{images_path}: image file must be 3-D (N, {IMAGE_SIZE}, {IMAGE_SIZE}), "
            f"got shape {images.shape}"
        )
    if images.dtype != np.uint8:
        raise MnistFormatError(f"{images_path}: images must be uint8, got {images.dtype}")
    if labels.ndim != 1:
        raise MnistFormatError(f"{labels_path}: label file must be 1-D, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise MnistFormatError(f"{labels_path}: labels must be integers, got {labels.dtype}")
    if len(images) != len(labels):
        raise MnistFormatError(
            f"count mismatch: {images_path.name} holds {len(images)} images "
            f"but {labels_path.name} holds {len(labels)} labels"
        )
    bad = (labels < 0) | (labels >= NUM_CLASSES)  # (N,)
    if bad.any():
        index = int(np.argmax(bad))
        raise MnistFormatError(
            f"{labels_path}: labels must be 0..{NUM_CLASSES - 1}; "
            f"{int(bad.sum())} out of range, first at index {index}: {labels[index]}"
        )
    return images, labels.astype(np.int64)
