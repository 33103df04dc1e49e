"""Tests for model_core.data.mnist: IDX reading/writing, MNIST loading and checksums."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from model_core.data.mnist import MnistFormatError, file_sha256, load_mnist, read_idx, write_idx

TRAIN_CLASS_COUNTS = [2406, 2770, 2381, 2524, 2386, 2181, 2401, 2524, 2328, 2444]


def idx_bytes(type_code: int, shape: tuple[int, ...], body: bytes) -> bytes:
    """A hand-built IDX file: magic, type code, ndim, big-endian dims, then ``body``."""
    dims = b"".join(size.to_bytes(4, "big") for size in shape)
    return bytes([0, 0, type_code, len(shape)]) + dims + body


def write_split(
    folder: Path, split: str, images: np.ndarray, labels: np.ndarray, suffix: str = ".gz"
) -> None:
    prefix = "train" if split == "train" else "t10k"
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)


@pytest.mark.parametrize("name", ["data.idx.gz", "data.idx"])
@pytest.mark.parametrize("dtype", ["u1", "i1", ">i2", "<i4", "f4", "f8"])
def test_round_trip_gzip_and_raw_all_types(tmp_path: Path, name: str, dtype: str) -> None:
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 5, 4)) * 100).astype(dtype)  # (3, 5, 4)
    path = tmp_path / name
    write_idx(path, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    loaded = read_idx(path)
    assert loaded.shape == (3, 5, 4)
    assert loaded.dtype == array.dtype.newbyteorder("=")
    np.testing.assert_array_equal(loaded, array)
    loaded[0, 0, 0] = 1  # a writable array


def test_gzip_is_detected_by_magic_bytes_not_name(tmp_path: Path) -> None:
    labels = np.arange(10, dtype=np.uint8)
    gz_named_raw = tmp_path / "raw-but-named.gz"
    gz_named_raw.write_bytes(idx_bytes(0x08, (10,), labels.tobytes()))
    raw_named_gz = tmp_path / "gzip-but-named.idx"
    raw_named_gz.write_bytes(gzip.compress(idx_bytes(0x08, (10,), labels.tobytes())))
    np.testing.assert_array_equal(read_idx(gz_named_raw), labels)
    np.testing.assert_array_equal(read_idx(raw_named_gz), labels)


def test_big_endian_values_decoded(tmp_path: Path) -> None:
    path = tmp_path / "ints.idx"
    path.write_bytes(idx_bytes(0x0C, (2,), b"\x00\x00\x01\x00\xff\xff\xff\xfe"))
    np.testing.assert_array_equal(read_idx(path), [256, -2])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="IDX file not found"):
        read_idx(tmp_path / "nope.idx")


def test_wrong_magic(tmp_path: Path) -> None:
    path = tmp_path / "bad.idx"
    path.write_bytes(b"\x01\x02\x08\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(MnistFormatError, match="wrong magic number 0x01020801"):
        read_idx(path)


def test_unknown_type_code(tmp_path: Path) -> None:
    path = tmp_path / "bad.idx"
    path.write_bytes(idx_bytes(0x0A, (3,), b"abc"))
    with pytest.raises(MnistFormatError, match="unknown IDX type code 0x0A"):
        read_idx(path)


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_data_says_expected_and_got(tmp_path: Path, compress: bool) -> None:
    content = idx_bytes(0x08, (4, 28, 28), bytes(4 * 784 - 10))
    path = tmp_path / "short.idx"
    path.write_bytes(gzip.compress(content) if compress else content)
    with pytest.raises(MnistFormatError, match=r"truncated file.*3136 data bytes, but got 3126"):
        read_idx(path)


def test_truncated_header(tmp_path: Path) -> None:
    path = tmp_path / "short.idx"
    path.write_bytes(bytes([0, 0, 0x08, 3]) + (4).to_bytes(4, "big"))
    with pytest.raises(MnistFormatError, match="truncated header: expected 16 bytes, got 8"):
        read_idx(path)


def test_truncated_gzip_stream(tmp_path: Path) -> None:
    path = tmp_path / "cut.idx.gz"
    path.write_bytes(gzip.compress(idx_bytes(0x08, (100,), bytes(100)))[:-12])
    with pytest.raises(MnistFormatError, match="corrupt or truncated gzip"):
        read_idx(path)


def test_trailing_bytes(tmp_path: Path) -> None:
    path = tmp_path / "long.idx"
    path.write_bytes(idx_bytes(0x08, (5,), bytes(5) + b"junk"))
    with pytest.raises(MnistFormatError, match="4 trailing bytes"):
        read_idx(path)


def test_counts_come_from_header(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (37, 28, 28), dtype=np.uint8)  # (37, 28, 28)
    labels = rng.integers(0, 10, 37, dtype=np.uint8)  # (37,)
    write_split(tmp_path, "train", images, labels)
    loaded_images, loaded_labels = load_mnist(tmp_path, "train")
    assert loaded_images.shape == (37, 28, 28)
    assert loaded_images.dtype == np.uint8
    assert loaded_labels.dtype == np.int64
    np.testing.assert_array_equal(loaded_images, images)
    np.testing.assert_array_equal(loaded_labels, labels)


def test_load_prefers_gz_and_accepts_raw(tmp_path: Path) -> None:
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    write_split(tmp_path, "test", images, np.array([1, 2], dtype=np.uint8), suffix="")
    assert load_mnist(tmp_path, "test")[1].tolist() == [1, 2]
    write_split(tmp_path, "test", images, np.array([3, 4], dtype=np.uint8), suffix=".gz")
    assert load_mnist(tmp_path, "test")[1].tolist() == [3, 4]


def test_load_missing_split_names_files(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"t10k-images-idx3-ubyte\.gz or t10k-images"):
        load_mnist(tmp_path, "test")


def test_load_rejects_unknown_split(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist(tmp_path, "validation")  # type: ignore[arg-type]


def test_count_mismatch(tmp_path: Path) -> None:
    images = np.zeros((5, 28, 28), dtype=np.uint8)
    write_split(tmp_path, "train", images, np.zeros(4, dtype=np.uint8))
    with pytest.raises(MnistFormatError, match=r"holds 5 images but \S+ holds 4 labels"):
        load_mnist(tmp_path, "train")


def test_labels_out_of_range(tmp_path: Path) -> None:
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    write_split(tmp_path, "train", images, np.array([0, 10, 9], dtype=np.uint8))
    message = r"labels must be 0\.\.9; 1 out of range, first at index 1: 10"
    with pytest.raises(MnistFormatError, match=message):
        load_mnist(tmp_path, "train")


def test_image_file_must_be_3d(tmp_path: Path) -> None:
    write_split(tmp_path, "train", np.zeros((3, 784), np.uint8), np.zeros(3, np.uint8))
    with pytest.raises(MnistFormatError, match=r"image file must be 3-D.*\(3, 784\)"):
        load_mnist(tmp_path, "train")


def test_label_file_must_be_1d(tmp_path: Path) -> None:
    write_split(tmp_path, "train", np.zeros((3, 28, 28), np.uint8), np.zeros((3, 1), np.uint8))
    with pytest.raises(MnistFormatError, match=r"label file must be 1-D.*\(3, 1\)"):
        load_mnist(tmp_path, "train")


def test_file_sha256_matches_hashlib(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    content = np.random.default_rng(2).bytes(300_000)
    path.write_bytes(content)
    assert file_sha256(path, chunk_size=4096) == hashlib.sha256(content).hexdigest()


def test_real_shared_mnist(mnist_dir: Path) -> None:
    train_images, train_labels = load_mnist(mnist_dir, "train")
    test_images, test_labels = load_mnist(mnist_dir, "test")
    assert train_images.shape == (24_345, 28, 28)
    assert test_images.shape == (5_000, 28, 28)
    assert train_labels.shape == (24_345,)
    assert test_labels.shape == (5_000,)
    assert np.bincount(train_labels, minlength=10).tolist() == TRAIN_CLASS_COUNTS
    assert 0 < train_images.mean() < 255  # real pixels, not an empty buffer
