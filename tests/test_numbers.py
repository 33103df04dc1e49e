"""tests/numbers.py renders handwritten numbers as uploads: its promises, checked.

The layouts themselves are checked in tests/model_core/number/test_synth.py; here the samples
(labels, boxes, bytes) are, with the renderings decoded by Pillow.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from model_core.data.mnist import load_mnist
from model_core.number.synth import KINDS
from tests.numbers import RENDERINGS, NumberSample, make_number, make_numbers

Mnist = tuple[np.ndarray, np.ndarray]  # images (N, 28, 28) uint8, labels (N,)
LAYOUTS = 40  # numbers per kind checked at MNIST scale


@pytest.fixture(scope="module")
def mnist(mnist_dir: Path) -> Mnist:
    return load_mnist(mnist_dir, "test")


def test_the_same_seed_gives_byte_identical_samples(mnist: Mnist) -> None:
    for rendering in RENDERINGS:
        first = make_numbers(*mnist, "mixed", rendering, count=4, seed=11)
        again = make_numbers(*mnist, "mixed", rendering, count=4, seed=11)
        other = make_numbers(*mnist, "mixed", rendering, count=4, seed=12)
        assert first == again
        assert [sample.data for sample in first] != [sample.data for sample in other]


def test_lengths_are_2_to_6_and_labels_are_the_digits_used(mnist: Mnist) -> None:
    samples = make_numbers(*mnist, "spaced", "canvas", count=40, seed=3)
    assert {len(sample.label) for sample in samples} == {2, 3, 4, 5, 6}
    for sample in samples:
        assert sample.label.isdigit() and len(sample.boxes) == len(sample.label)
        assert (sample.kind, sample.rendering) == ("spaced", "canvas")
    images, labels = mnist
    rng = np.random.default_rng(5)
    for digit in (0, 4, 9):  # one class at a time: the label can only be that digit
        same = labels == digit  # (N,)
        sample = make_number(images[same], labels[same], "touching", "photo", rng, length=4)
        assert sample.label == str(digit) * 4  # "0000": leading zeros stay
        assert len(sample.boxes) == 4


def test_each_label_character_is_the_digit_in_its_box() -> None:
    bar = np.zeros((28, 28), dtype=np.uint8)  # (28, 28) a "1": narrow
    bar[4:24, 13:16] = 255
    block = np.zeros((28, 28), dtype=np.uint8)  # (28, 28) a "0": as wide as tall
    block[4:24, 4:24] = 255
    images, labels = np.stack([bar, block]), np.array([1, 0])  # (2, 28, 28), (2,)
    samples = make_numbers(images, labels, "spaced", "canvas", count=10, seed=2)
    for sample in samples:
        for character, (left, top, right, bottom) in zip(sample.label, sample.boxes, strict=True):
            narrow = (right - left) / (bottom - top) < 0.6
            assert narrow == (character == "1"), (sample.label, sample.boxes)
    assert {"0", "1"} <= set("".join(sample.label for sample in samples))


def _decode(sample: NumberSample) -> Image.Image:
    image = Image.open(io.BytesIO(sample.data))
    image.load()
    return image


def test_boxes_lie_inside_the_image_left_to_right(mnist: Mnist) -> None:
    checked = 0
    for kind in KINDS:
        for rendering in RENDERINGS:
            for sample in make_numbers(*mnist, kind, rendering, count=3, seed=21):
                width, height = _decode(sample).size
                for left, top, right, bottom in sample.boxes:
                    assert 0 <= left < right <= width and 0 <= top < bottom <= height
                    assert 0.85 * 50 - 2 <= bottom - top <= 1.15 * 120 + 2  # digits 50-120 px
                    checked += 1
                lefts = [box[0] for box in sample.boxes]
                rights = [box[2] for box in sample.boxes]
                assert lefts == sorted(set(lefts)) and rights == sorted(set(rights))
    assert checked >= 2 * 3 * len(KINDS) * len(RENDERINGS)


def test_each_rendering_decodes_to_its_mode(mnist: Mnist) -> None:
    expected = {"canvas": ("PNG", "RGB"), "transparent": ("PNG", "RGBA"), "photo": ("JPEG", "RGB")}
    for rendering in RENDERINGS:
        for sample in make_numbers(*mnist, "mixed", rendering, count=3, seed=8):
            image = _decode(sample)
            assert (image.format, image.mode) == expected[rendering]
            pixels = np.asarray(image).astype(np.int32)  # (H, W, 3) or (H, W, 4)
            border = np.ones(pixels.shape[:2], dtype=bool)  # (H, W) the margin's outer 10 px
            border[10:-10, 10:-10] = False
            if rendering == "transparent":
                ink = pixels[:, :, 3]  # (H, W)
            else:  # darker than the paper's lightest margin pixels
                gray = pixels[:, :, :3].mean(axis=2)  # (H, W)
                ink = np.percentile(gray[border], 99) - gray
            assert ink[border].max() < 60, "ink in the margin"
            for left, top, right, bottom in sample.boxes:
                assert ink[top:bottom, left:right].max() > 120, "a box without ink"
            if rendering == "transparent":
                assert (pixels[ink == 0] == 0).all()  # empty pixels are exactly 0, 0, 0, 0
                assert (ink == 0).mean() > 0.5
            elif rendering == "canvas":
                assert (pixels[:, :, 0] == pixels[:, :, 2]).all() and ink[border].max() == 0
            else:
                dark = ink > 150  # (H, W) the pen: blue-black
                assert pixels[dark][:, 2].mean() > pixels[dark][:, 0].mean()
                assert 0.6 * 255 < np.median(pixels[:, :, :3]) < 0.95 * 255  # grey paper


def test_unknown_kinds_and_renderings_are_refused(mnist: Mnist) -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown kind"):
        make_number(*mnist, "crowded", "canvas", rng)
    with pytest.raises(ValueError, match="unknown rendering"):
        make_number(*mnist, "tight", "fax", rng)
