"""Tests for pipeline.py: preprocess_bytes and preprocess_array end to end, upload styles."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from functools import cache

import numpy as np
import pytest
from PIL import Image

from model_core.preprocessing import (
    EmptyImageError,
    InvalidImageError,
    preprocess_array,
    preprocess_bytes,
)
from model_core.preprocessing.frame import MNIST_BOX, centre_of_mass
from tests.model_core.preprocessing.helpers import (
    QUALITY_SAMPLES,
    SEED,
    correlation,
    ink_page,
    png,
    t10k_images,
)
from tests.upload_styles import STYLES, encode, place, render, strokes


@cache
def _style_outcome(style: str) -> tuple[np.ndarray, np.ndarray, list[tuple[int, ...]]]:
    """(originals, outputs) for QUALITY_SAMPLES digits rendered in `style`, and the bboxes."""
    rng = np.random.default_rng([SEED, STYLES.index(style)])
    originals = t10k_images()[:QUALITY_SAMPLES]
    results = [preprocess_bytes(render(style, digit, rng)) for digit in originals]
    outputs = np.stack([result.image for result in results])
    return originals, outputs, [result.bbox for result in results]


def _row_correlations(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    a = first.reshape(len(first), -1).astype(np.float64)
    b = second.reshape(len(second), -1).astype(np.float64)
    a -= a.mean(axis=1, keepdims=True)
    b -= b.mean(axis=1, keepdims=True)
    return (a * b).sum(axis=1) / np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))


@pytest.mark.usefixtures("digits")  # skips without the data
@pytest.mark.parametrize("style", STYLES[1:])  # all but raw, tested below
def test_upload_styles_come_out_like_the_mnist_original(style: str) -> None:
    originals, outputs, _ = _style_outcome(style)
    correlations = _row_correlations(outputs, originals / 255)  # (N,)
    p10 = float(np.quantile(correlations, 0.1))
    print(f"{style}: mean correlation {correlations.mean():.3f}, 10th percentile {p10:.3f}")
    assert correlations.mean() > 0.8
    assert p10 > 0.6  # no silent collapse of a whole tail


@pytest.mark.parametrize("style", STYLES[1:])  # all but raw, tested below
def test_upload_styles_are_centred_and_fit_the_mnist_box(digits: np.ndarray, style: str) -> None:
    _, outputs, _ = _style_outcome(style)
    mnist_centre = np.mean([centre_of_mass(image / 255) for image in digits], axis=0)  # (2,)
    for image in outputs:
        assert np.abs(np.subtract(centre_of_mass(image), mnist_centre)).max() <= 1.0
        rows, columns = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        # A digit with hard edges is softened a pixel beyond the box each side (soften.py).
        assert max(rows[-1] - rows[0], columns[-1] - columns[0]) + 1 <= MNIST_BOX + 2
        assert image.max() == pytest.approx(1.0)


def test_raw_mnist_comes_through_unchanged(digits: np.ndarray) -> None:
    _, outputs, bboxes = _style_outcome("raw")
    differences = np.abs(outputs - digits / 255).mean(axis=(1, 2))  # (N,)
    print(f"raw: mean abs difference {differences.mean():.4f}, max {differences.max():.4f}")
    assert differences.max() < 0.03
    for digit, bbox in zip(digits, bboxes, strict=True):
        rows, columns = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
        assert bbox == (columns[0], rows[0], columns[-1] + 1, rows[-1] + 1)


def test_a_digit_cropped_to_its_strokes_is_found(digits: np.ndarray) -> None:
    """Clean crops (white paper, black ink, no margin): the strokes cover much of the edge,
    which must not be taken for the paper."""
    outputs = []
    for digit in digits:
        crop = np.round(255 * (1 - strokes(digit, 200))).astype(np.uint8)  # (h, w) ink to edge
        outputs.append(preprocess_bytes(png(crop)).image)
    correlations = _row_correlations(np.stack(outputs), digits / 255)  # (N,)
    print(f"tight crops: mean correlation {correlations.mean():.3f}, min {correlations.min():.3f}")
    assert correlations.min() > 0.6


@pytest.mark.usefixtures("digits")  # skips without the data
def test_a_digit_filling_a_square_canvas_is_found() -> None:
    """The digit spans the canvas edge to edge: the paper surface must not be fitted to it."""
    rng = np.random.default_rng(SEED)
    refused = 0
    for digit in t10k_images()[:1500]:  # enough to meet the rare digit that fills it this way
        page = place((200, 200), strokes(digit, 200), rng, margin=0)  # (200, 200) coverage
        try:
            preprocess_bytes(png(np.round(255 * (1 - page)).astype(np.uint8)))
        except EmptyImageError:
            refused += 1
    assert refused == 0


def test_large_photo_is_reduced_and_its_box_maps_back(digit: np.ndarray) -> None:
    page = np.full((3000, 4000), 200, dtype=np.uint8)
    ink = ink_page(digit, scale=30)  # (840, 840)
    page[1500:2340, 2800:3640] = np.minimum(page[1500:2340, 2800:3640], ink)
    started = time.perf_counter()
    result = preprocess_bytes(encode(Image.fromarray(page), "JPEG", quality=85))
    assert time.perf_counter() - started < 5.0
    rows, columns = np.flatnonzero((ink < 100).any(axis=1)), np.flatnonzero((ink < 100).any(axis=0))
    expected = (2800 + columns[0], 1500 + rows[0], 2800 + columns[-1] + 1, 1500 + rows[-1] + 1)
    assert np.abs(np.subtract(result.bbox, expected)).max() <= 40  # ~1 % of the page
    assert (result.width, result.height) == (4000, 3000)
    assert correlation(result.image, digit) > 0.85


def test_result_is_frozen_read_only_and_describable(digit: np.ndarray) -> None:
    result = preprocess_bytes(png(ink_page(digit)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.inverted = False  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        result.image[0, 0] = 1.0
    described = json.loads(json.dumps(result.describe()))
    assert described == {
        "format": "PNG",
        "width": 280,
        "height": 280,
        "mode": "L",
        "inverted": True,
        "had_alpha": False,
        "bbox": list(result.bbox),
        "animated": False,
    }


@pytest.mark.parametrize("channels", [None, 1, 2, 3, 4])
def test_preprocess_array_accepts_common_layouts(digit: np.ndarray, channels: int | None) -> None:
    page = ink_page(digit)  # (280, 280) uint8
    if channels is not None:
        page = np.repeat(page[:, :, None], channels, axis=2)
        if channels in (2, 4):
            page[:, :, -1] = 255  # opaque
    result = preprocess_array(page)
    assert result.format == "array" and (result.width, result.height) == (280, 280)
    assert correlation(result.image, digit) > 0.85
    np.testing.assert_allclose(preprocess_array(page / 255.0).image, result.image, atol=1e-5)


@pytest.mark.parametrize(
    "array",
    [np.zeros((0, 5)), np.zeros((5, 5, 5)), np.zeros((2, 3, 4, 5)), np.array(["a"])],
    ids=["empty", "five-channels", "4-d", "strings"],
)
def test_preprocess_array_rejects_bad_arrays(array: np.ndarray) -> None:
    with pytest.raises(InvalidImageError):
        preprocess_array(array)


def test_model_core_does_not_import_the_web_stack() -> None:
    code = (
        "import sys, model_core.preprocessing\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'app')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_canvas_upload_is_cheap(digit: np.ndarray) -> None:
    data = render("transparent", digit, np.random.default_rng(SEED))
    preprocess_bytes(data)
    timings = []
    for _ in range(15):
        started = time.process_time()
        preprocess_bytes(data)
        timings.append(time.process_time() - started)
    assert float(np.median(timings)) < 0.02  # generous: about 1-2 ms on an idle core
