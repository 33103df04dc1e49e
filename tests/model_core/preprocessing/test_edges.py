"""Tests for edges.py: a frame, a scanner border or a table strip is cut off; digits never are."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from model_core.preprocessing import preprocess_bytes
from model_core.preprocessing.box import Box
from model_core.preprocessing.edges import MAX_DEPTH, content_box, picture_box
from tests.model_core.preprocessing.helpers import correlation, ink_page, png


def _page(rng: np.random.Generator, shape: tuple[int, int] = (140, 140)) -> np.ndarray:
    """(H, W) float32 white paper with a little noise and a dark block of 'ink' in the middle."""
    page = 0.93 + 0.01 * rng.standard_normal(shape, dtype=np.float32)
    page[40:100, 55:85] = 0.1
    return page


def test_a_frame_round_the_image_is_cut_off() -> None:
    page = _page(np.random.default_rng(0))
    page[:3], page[-3:], page[:, :3], page[:, -3:] = 0.05, 0.05, 0.05, 0.05
    assert content_box(page) == Box(left=3, top=3, right=137, bottom=137)


@pytest.mark.parametrize("side", ["top", "bottom", "left", "right"])
def test_a_table_strip_along_one_side_is_cut_off_with_its_blurred_edge(side: str) -> None:
    page = _page(np.random.default_rng(1))
    strip = {"top": page[:20], "bottom": page[-20:], "left": page[:, :20], "right": page[:, -20:]}
    strip[side][...] = 0.25
    blurred = np.asarray(Image.fromarray(np.uint8(page * 255)).filter(ImageFilter.BoxBlur(1)))
    box = content_box(blurred / np.float32(255))
    cut = {"top": box.top, "bottom": 140 - box.bottom, "left": box.left, "right": 140 - box.right}
    assert cut.pop(side) in (20, 21)  # the strip and at most its one blurred line
    assert set(cut.values()) == {0}


@pytest.mark.parametrize(
    "kind", ["plain", "light-on-dark", "lighter-band", "too-deep", "uneven-band", "no-paper-after"]
)
def test_what_is_not_a_dark_band_before_paper_is_kept(kind: str) -> None:
    page = _page(np.random.default_rng(2))
    if kind == "light-on-dark":  # a dark-mode canvas: the dark edge is the paper itself
        page = 1 - page
    elif kind == "lighter-band":  # a light margin round darker paper is paper, not a table
        page = page * 0.6
        page[:10] = 0.95
    elif kind == "too-deep":  # a 'band' over a quarter of the image is half the scene
        page[: int(MAX_DEPTH * 140) + 3] = 0.25
    elif kind == "uneven-band":  # wood grain, a textured desk: not an even band
        page[:15] = 0.25 + 0.3 * (np.arange(140) % 9 < 3)
    elif kind == "no-paper-after":  # the stroke of a tight crop reaching past the edge line
        page[:12] = 0.1
        page[12:40, :] = np.where(np.arange(140) % 20 < 10, 0.1, 0.93)
    assert content_box(page) == Box(left=0, top=0, right=140, bottom=140)


def test_tight_crops_of_real_digits_keep_every_line(digits: np.ndarray) -> None:
    for digit in digits[:100]:
        page = ink_page(digit, scale=6)  # (168, 168) black ink on white
        rows = np.flatnonzero((page < 200).any(axis=1))
        columns = np.flatnonzero((page < 200).any(axis=0))
        crop = page[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1] / np.float32(255)
        whole = Box(left=0, top=0, right=crop.shape[1], bottom=crop.shape[0])
        assert content_box(crop) == whole
        assert content_box(1 - crop) == whole


def test_a_framed_scan_reads_like_the_unframed_one_and_boxes_in_its_own_pixels(
    digit: np.ndarray,
) -> None:
    page = ink_page(digit)  # (280, 280) black on white
    framed = np.pad(page, 40, constant_values=255)  # (360, 360) more paper round the digit
    framed[:6], framed[-6:], framed[:, :6], framed[:, -6:] = 0, 0, 0, 0  # a scanner's border
    framed[:, :60] = np.minimum(framed[:, :60], 70)  # and the table along the left side
    plain = preprocess_bytes(png(np.pad(page, 40, constant_values=255)))
    result = preprocess_bytes(png(framed))
    assert result.inverted and correlation(result.image, plain.image) > 0.98
    assert np.abs(np.subtract(result.bbox, plain.bbox)).max() <= 2  # in the input's pixels


def test_the_box_is_never_empty_however_the_lines_alternate() -> None:
    rng = np.random.default_rng(5)
    for _ in range(2000):
        height, width = (int(side) for side in rng.integers(1, 13, 2))
        rows = np.where(rng.random((height, 1)) < 0.5, 0.0, 1.0)  # dark and light lines
        image = np.broadcast_to(rows, (height, width)).astype(np.float32)
        box = content_box(image if rng.random() < 0.5 else image.T.copy())
        assert box.top < box.bottom and box.left < box.right


def test_a_box_drawn_round_the_digit_is_left_out_like_a_frame(digit: np.ndarray) -> None:
    page = np.pad(ink_page(digit), 60, constant_values=255)  # (400, 400) a form's page
    field = page[30:370, 30:370]  # a view: the field's outline, drawn 3 px wide
    field[:3], field[-3:], field[:, :3], field[:, -3:] = 40, 40, 40, 40
    plain = preprocess_bytes(png(np.pad(ink_page(digit), 60, constant_values=255)))
    result = preprocess_bytes(png(page))
    assert correlation(result.image, plain.image) > 0.98
    assert np.abs(np.subtract(result.bbox, plain.bbox)).max() <= 2


def test_a_square_drawn_alone_is_the_digit_not_an_empty_field() -> None:
    page = np.full((200, 200), 250, dtype=np.uint8)
    page[40:160, 60:140] = 20
    page[48:152, 68:132] = 250  # a "0" drawn as a rectangle 8 px wide: nothing inside it
    result = preprocess_bytes(png(page))
    assert result.bbox == (60, 40, 140, 160)


def _trousers() -> np.ndarray:
    """(28, 28) light trousers on black as Fashion-MNIST frames them: top to bottom, dark
    sides 7 px deep, and the dark gap between the legs reaching the bottom."""
    image = np.zeros((28, 28), np.float32)
    image[:, 7:21] = 0.7 + 0.02 * np.random.default_rng(3).standard_normal((28, 14))
    image[10:, 13:15] = 0.0  # the gap between the legs
    return image


def test_a_picture_as_small_as_a_raw_digit_keeps_its_dark_ground() -> None:
    trousers = _trousers()
    assert content_box(trousers) == Box(left=7, top=0, right=21, bottom=28)  # a page's bands
    assert picture_box(trousers) == Box(left=0, top=0, right=28, bottom=28)  # ... are its ground
    result = preprocess_bytes(png(np.uint8(trousers * 255)))
    assert not result.inverted  # the gap between the legs is not read as a 1 on light paper


def test_a_small_picture_framed_by_a_thin_line_has_it_cut_off() -> None:
    page = np.full((40, 40), 0.93, np.float32)
    page[10:30, 18:22] = 0.1  # a stroke
    page[:2], page[-2:], page[:, :2], page[:, -2:] = 0.05, 0.05, 0.05, 0.05
    assert picture_box(page) == content_box(page) == Box(left=2, top=2, right=38, bottom=38)
