"""Tests for model_core.data.augment: random affine warps of digit batches."""

from __future__ import annotations

import inspect
import threading

import numpy as np
import pytest

from model_core.data.augment import random_affine, random_shift, warp_affine

NO_CHANGE = {"max_shift": 0.0, "max_rotation": 0.0, "scale_range": (1.0, 1.0), "max_shear": 0.0}


def blob_batch(n: int, seed: int = 0) -> np.ndarray:
    """(n, 28, 28) float32 in [0, 1]: random soft blobs well inside the frame, like digits."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:28, 0:28]
    centres = rng.uniform(11, 16, (n, 2))  # (n, 2) as (x, y)
    widths = rng.uniform(2.0, 3.5, (n, 1, 1))  # (n, 1, 1)
    dist2 = (x - centres[:, 0, None, None]) ** 2 + (y - centres[:, 1, None, None]) ** 2
    return np.exp(-dist2 / (2 * widths**2)).astype(np.float32)  # (n, 28, 28)


def letter_l() -> np.ndarray:
    """(28, 28) asymmetric image: an L made of two bars with a left-to-right gradient."""
    image = np.zeros((28, 28), dtype=np.float32)
    image[5:22, 8:12] = 1.0  # vertical bar
    image[18:22, 8:20] = 0.6  # foot to the right
    return image * np.linspace(0.5, 1.0, 28, dtype=np.float32)  # (28, 28)


def centre_of_mass(images: np.ndarray) -> np.ndarray:
    """(N, 2) intensity-weighted centre (x, y) of each image."""
    y, x = np.mgrid[0:28, 0:28]
    mass = images.sum(axis=(1, 2))  # (N,)
    x_centre = (images * x).sum(axis=(1, 2)) / mass  # (N,)
    y_centre = (images * y).sum(axis=(1, 2)) / mass  # (N,)
    return np.stack([x_centre, y_centre], axis=1)  # (N, 2)


def warp(
    images: np.ndarray,
    rotation: float = 0.0,
    scale: float = 1.0,
    shift: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """warp_affine with the same rotation, scale and shift for every image, no shear."""
    n = len(images)
    return warp_affine(
        images,
        rotation_deg=np.full(n, rotation),
        scale=np.full(n, scale),
        shift_xy=np.tile(shift, (n, 1)),
        shear_deg=np.zeros(n),
    )


def test_keeps_shape_dtype_and_range() -> None:
    images = blob_batch(64)
    out = random_affine(images, np.random.default_rng(0), max_shear=10.0)
    assert out.shape == (64, 28, 28)
    assert out.dtype == np.float32
    assert out.min() >= 0.0
    assert out.max() <= 1.0 + 1e-6
    assert not np.allclose(out, images, atol=1e-3)  # it did warp
    mass_ratio = out.sum(axis=(1, 2)) / images.sum(axis=(1, 2))  # (64,) scale^2 in 0.81..1.21
    assert np.all((mass_ratio > 0.75) & (mass_ratio < 1.3))


def test_identity_when_ranges_are_zero() -> None:
    images = np.random.default_rng(3).random((16, 28, 28), dtype=np.float32)
    out = random_affine(images, np.random.default_rng(1), **NO_CHANGE)
    assert np.array_equal(out, images)
    assert not np.shares_memory(out, images)


def test_does_not_modify_input() -> None:
    images = blob_batch(8)
    before = images.copy()
    random_affine(images, np.random.default_rng(0))
    assert np.array_equal(images, before)


def test_same_seed_same_output_different_seed_differs() -> None:
    images = blob_batch(32)
    first = random_affine(images, np.random.default_rng(7))
    again = random_affine(images, np.random.default_rng(7))
    other = random_affine(images, np.random.default_rng(8))
    assert np.array_equal(first, again)
    assert not np.allclose(first, other, atol=1e-3)


def test_each_image_gets_its_own_transform() -> None:
    images = np.repeat(blob_batch(1), 8, axis=0)  # (8, 28, 28) identical copies
    out = random_affine(images, np.random.default_rng(0))
    differences = np.abs(out[1:] - out[0]).max(axis=(1, 2))  # (7,)
    assert np.all(differences > 1e-3)


def test_never_touches_global_random_state() -> None:
    state = np.random.get_state()
    random_affine(blob_batch(4), np.random.default_rng(0))
    after = np.random.get_state()
    assert np.array_equal(state[1], after[1])
    assert state[2] == after[2]


@pytest.mark.parametrize("rng", [None, 42, np.random.RandomState(0)])
def test_requires_a_generator(rng: object) -> None:
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        random_affine(blob_batch(2), rng)  # type: ignore[arg-type]


@pytest.mark.parametrize("shift", [(2.0, 0.0), (0.0, 2.0), (-2.0, 2.0)])
def test_shift_moves_centre_of_mass(shift: tuple[float, float]) -> None:
    images = blob_batch(10)
    moved = centre_of_mass(warp(images, shift=shift)) - centre_of_mass(images)  # (10, 2)
    np.testing.assert_allclose(moved, np.tile(shift, (10, 1)), atol=0.3)


def test_random_shift_stays_within_max_shift() -> None:
    images = blob_batch(200)
    out = random_affine(images, np.random.default_rng(5), **{**NO_CHANGE, "max_shift": 2.0})
    moved = centre_of_mass(out) - centre_of_mass(images)  # (200, 2)
    assert np.abs(moved).max() <= 2.0 + 0.05
    assert np.abs(moved).max() >= 1.5  # the range is actually used
    assert abs(moved.mean()) < 0.3  # symmetric around zero


def test_rotation_by_90_degrees_matches_rot90() -> None:
    image = letter_l()
    rotated = warp(image[None], rotation=90.0)[0]  # (28, 28)
    interior = (slice(1, -1), slice(1, -1))
    np.testing.assert_allclose(rotated[interior], np.rot90(image)[interior], atol=1e-4)
    assert not np.allclose(rotated, np.rot90(image, k=-1), atol=0.1)  # direction matters
    clockwise = warp(image[None], rotation=-90.0)[0]
    np.testing.assert_allclose(clockwise[interior], np.rot90(image, k=-1)[interior], atol=1e-4)


def test_scale_about_the_centre() -> None:
    image = letter_l()
    doubled = warp(image[None], scale=2.0)[0]  # (28, 28)
    # Output pixel p samples the input at c + (p - c) / 2 with c = 13.5, so output
    # (x=3, y=9) reads source (8.25, 11.25): rows 11 and 12 are equal inside the bar.
    assert np.array_equal(image[11], image[12])
    expected = 0.75 * image[11, 8] + 0.25 * image[11, 9]
    assert doubled[9, 3] == pytest.approx(expected, abs=1e-5)

    blobs = blob_batch(10)
    grown = warp(blobs, scale=1.2)
    expected_centres = 13.5 + 1.2 * (centre_of_mass(blobs) - 13.5)  # (10, 2)
    np.testing.assert_allclose(centre_of_mass(grown), expected_centres, atol=0.3)


def test_zero_fill_outside() -> None:
    out = warp(blob_batch(3), shift=(40.0, 0.0))
    assert np.array_equal(out, np.zeros_like(out))


def test_batch_equals_one_by_one_and_threads_agree() -> None:
    images = blob_batch(6)
    params = np.random.default_rng(9).uniform(-10, 10, (6, 4))  # (6, 4)
    kwargs = {
        "rotation_deg": params[:, 0],
        "scale": 1 + params[:, 1] / 100,
        "shift_xy": params[:, 2:] / 5,
        "shear_deg": params[:, 1],
    }
    batch = warp_affine(images, **kwargs)
    for i in range(6):
        single = warp_affine(images[i : i + 1], **{k: v[i : i + 1] for k, v in kwargs.items()})
        np.testing.assert_allclose(single[0], batch[i], atol=1e-6)
    results: list[np.ndarray] = []
    threads = [
        threading.Thread(target=lambda: results.append(warp_affine(images, **kwargs)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    for result in results:
        np.testing.assert_array_equal(result, batch)


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        random_affine(np.zeros((28, 28), np.float32), np.random.default_rng(0))
    with pytest.raises(ValueError, match="scale must be > 0"):
        random_affine(blob_batch(2), np.random.default_rng(0), scale_range=(0.0, 0.0))


def test_takes_only_images_so_labels_are_untouched() -> None:
    parameters = inspect.signature(random_affine).parameters
    assert list(parameters)[:2] == ["images", "rng"]
    assert not any("label" in name for name in parameters)
    assert "Labels are untouched" in (random_affine.__doc__ or "")


def test_random_shift_moves_each_image_by_whole_pixels_only() -> None:

    rng = np.random.default_rng(5)
    images = rng.random((40, 28, 28)).astype(np.float32)  # (N, 28, 28)
    shifted = random_shift(images, np.random.default_rng(6), max_shift=2)
    offsets = set()
    for image, out in zip(images, shifted, strict=True):
        padded = np.pad(image, 2)  # (32, 32)
        matches = [
            (oy, ox)
            for oy in range(-2, 3)
            for ox in range(-2, 3)
            if np.array_equal(padded[2 - oy : 30 - oy, 2 - ox : 30 - ox], out)
        ]
        assert len(matches) == 1  # exactly one whole-pixel offset, no interpolation
        offsets.add(matches[0])
    assert len(offsets) > 10  # offsets are drawn per image
    assert shifted.dtype == images.dtype
