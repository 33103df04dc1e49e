"""The ink of a line of digits found in a picture (model_core/number/page.py)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from model_core.number.candidates import line_blobs
from model_core.number.page import ink_page, level_page
from model_core.preprocessing.box import ink_box
from tests.dot_matrix import dot_coverage
from tests.model_core.number.test_segmentation import canvas, dot, one, seven, zero


def test_a_small_number_in_a_big_picture_keeps_a_thin_digit_at_its_end() -> None:
    image = Image.new("L", (1200, 900), 255)  # a number 16 px tall in a big picture
    pen = ImageDraw.Draw(image)
    pen.ellipse([600, 400, 611, 416], outline=0, width=2)  # a 0
    pen.line([(620, 400), (631, 400), (624, 416)], fill=0, width=2)  # a 7
    pen.line([(656, 400), (654, 416)], fill=0, width=1)  # a 1 in a thin pen, a gap before it
    page = ink_page(np.asarray(image, dtype=np.float32) / 255)
    found = page.to_input(ink_box(page.mask))
    assert page.factor == 1  # read again from a crop at full resolution
    assert (found.left, found.right) == (600, 657)  # the 1, which the reduced copy loses, too


def test_a_number_in_a_windows_screenshot_is_read_from_a_crop_round_it() -> None:
    image = Image.new("L", (1280, 800), 235)  # a drawing app's window, a light grey
    pen = ImageDraw.Draw(image)
    pen.rectangle([0, 0, 1280, 30], fill=60)  # the title bar
    pen.text((10, 8), "Paint - untitled.png", fill=255)
    for left in range(10, 330, 40):
        pen.rectangle([left, 40, left + 30, 70], fill=120)  # the toolbar's buttons
    pen.rectangle([480, 100, 800, 420], fill=255)  # the canvas
    pen.text((10, 780), "320 x 320px", fill=0)  # the status bar
    pen.ellipse([600, 250, 622, 282], outline=0, width=3)  # a 0
    pen.line([(640, 250), (662, 250), (648, 282)], fill=0, width=3)  # a 7
    page = ink_page(np.asarray(image, dtype=np.float32) / 255)
    found = page.to_input(ink_box(page.mask))
    assert page.factor == 1  # not the whole window's factor of 9
    number = (600, 250, 663, 283)  # the 0 and the 7, to a pixel of antialiasing
    assert all(abs(a - b) <= 2 for a, b in zip(found, number, strict=True))


def test_a_number_under_a_web_pages_tabs_address_and_heading_is_read_from_a_crop() -> None:
    image = Image.new("L", (1280, 800), 255)
    pen = ImageDraw.Draw(image)
    pen.rectangle([0, 0, 1280, 40], fill=225)  # the tab strip, a tab's title on it
    pen.text((20, 16), "Digit recognizer", fill=0)
    pen.text((110, 53), "localhost:8000/draw", fill=0)  # the address bar
    pen.text((100, 110), "Draw a number", fill=0, font_size=28)  # the page's heading
    pen.ellipse([600, 250, 650, 330], outline=0, width=5)  # a 0, 80 px tall
    pen.line([(670, 250), (720, 250), (690, 330)], fill=0, width=5)  # a 7
    page = ink_page(np.asarray(image, dtype=np.float32) / 255)
    found = page.to_input(ink_box(page.mask))
    number = (600, 248, 723, 332)  # the heading is far above it, but the tabs' band is taller
    assert all(abs(a - b) <= 2 for a, b in zip(found, number, strict=True))


def test_a_noisy_dark_photos_number_is_read_from_a_crop_coarse_enough() -> None:
    image = Image.new("L", (400, 400), 80)  # paper in dim light
    pen = ImageDraw.Draw(image)
    pen.ellipse([150, 180, 166, 210], outline=20, width=3)  # a 0, 30 px tall
    pen.line([(190, 180), (206, 180), (198, 210)], fill=20, width=3)  # a 7
    noise = np.random.default_rng(0).normal(0, 14, (400, 400))  # the sensor's, sigma 14 of 255
    gray = np.clip((np.asarray(image, dtype=np.float32) + noise) / 255, 0, 1).astype(np.float32)
    page = ink_page(gray)  # at full resolution the strokes do not stand out of the noise
    found = page.to_input(ink_box(page.mask))
    assert page.factor == 2  # the crop read twice as coarse, not the whole picture's copy (5)
    assert found.left <= 152 and found.right >= 204 and found.top <= 182 and found.bottom >= 208


def test_a_number_on_a_sheet_on_a_desk_is_read_without_the_sheets_edges() -> None:
    grain = np.random.default_rng(8).standard_normal((480, 60)).repeat(8, axis=1)  # wood's
    photo = 0.3 + 0.08 * grain  # (480, 480) the desk
    photo[120:360, 100:380] = 0.9  # the sheet
    image = Image.fromarray(np.uint8(np.clip(photo, 0, 1) * 255)).filter(
        ImageFilter.GaussianBlur(1)
    )
    pen = ImageDraw.Draw(image)
    pen.ellipse([170, 210, 200, 260], outline=20, width=4)  # a 0, 50 px tall ...
    pen.line([(230, 210), (262, 210), (244, 260)], fill=20, width=4)  # ... a 7
    pen.line([(300, 210), (297, 260)], fill=20, width=4)  # ... a 1; the sheet 70 and 80 px beyond
    page = ink_page(np.asarray(image, dtype=np.float32) / 255)
    found = page.to_input(ink_box(page.mask))
    # The crop read again reaches past the sheet's edges, where too little desk shows to find
    # the sheet: painted as the whole picture's page painted it, no edge joins the number.
    assert 165 <= found.left <= 172 and 300 <= found.right <= 306


def tilted_line(degrees: float) -> np.ndarray:
    """(H, W) grayscale in [0, 1]: 1 7 0 7, spaced, turned `degrees` anticlockwise."""
    gray = canvas(300, one(40), seven(70), zero(140), seven(210))  # (100, 300)
    image = Image.fromarray(np.round(gray * 255).astype(np.uint8))
    turned = image.rotate(degrees, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return np.asarray(turned, dtype=np.float32) / 255


@pytest.mark.parametrize("degrees", [12.0, -15.0])
def test_a_line_photographed_at_a_tilt_is_levelled(degrees: float) -> None:
    page = ink_page(tilted_line(degrees))

    levelled = level_page(page)

    assert levelled.slope * degrees < 0  # rising to the right: rows fall as columns grow
    assert levelled.mask.shape[1] == page.mask.shape[1]  # every column kept
    assert ink_box(levelled.mask).height < 0.85 * ink_box(page.mask).height
    mapped, found = levelled.to_input(ink_box(levelled.mask)), page.to_input(ink_box(page.mask))
    assert (mapped.left, mapped.right) == (found.left, found.right)
    assert mapped.top <= found.top and mapped.bottom >= found.bottom  # the columns' rows


def test_the_digits_of_a_levelled_line_are_boxed_where_they_are_in_the_upload() -> None:
    gray = tilted_line(12.0)
    blobs = line_blobs(gray, 20)
    assert blobs.page.slope != 0.0
    assert len(blobs.boxes) == 4
    for box in blobs.boxes:
        found = blobs.page.to_input(box)
        inked = gray[:, found.left : found.right] < 0.5  # (H, w) the upload's ink in its columns
        rows = np.flatnonzero(inked.any(axis=1))
        assert found.top <= rows[0] and rows[-1] < found.bottom  # the digit lies in its box
        assert found.height < 1.5 * 62  # and the box holds little else: digits are 62 px tall


def test_a_level_line_and_a_lone_digit_stand() -> None:
    page = ink_page(tilted_line(0.0))
    assert level_page(page) is page
    lone = ink_page(canvas(100, one(40)))
    assert level_page(lone) is lone


def test_a_number_plotted_light_on_a_dark_strip_is_read_inside_it() -> None:
    """matplotlib's `imshow` of a row of digits beside a colour bar as tall as the figure."""
    strip = 1 - canvas(300, one(40), seven(70), zero(140), seven(210))  # (100, 300)
    figure = np.ones((480, 420), dtype=np.float32)
    figure[190:290, 40:340] = strip  # the panel, 15% of the figure
    figure[290:296, 60:340:50] = 0.0  # ticks below it, joined
    figure[40:440, 370:390] = np.linspace(0.9, 0.1, 400)[:, None]  # the colour bar
    blobs = line_blobs(figure, 20)
    assert len(blobs.boxes) == 4
    for box in blobs.boxes:
        found = blobs.page.to_input(box)
        assert 40 < found.left < found.right < 340 and 190 < found.top < found.bottom < 290


def test_a_row_of_subplots_is_read_as_one_number() -> None:
    """`plt.subplots(1, 3)`: three dark panels, one digit each, on a white figure."""
    figure = np.ones((200, 480), dtype=np.float32)
    for k, digit in enumerate((one(40), seven(40), zero(40))):
        figure[50:150, 20 + 155 * k : 120 + 155 * k] = 1 - canvas(100, digit)  # (100, 100)
    blobs = line_blobs(figure, 20)
    assert len(blobs.boxes) == 3
    for k, box in enumerate(blobs.boxes):
        found = blobs.page.to_input(box)
        assert 20 + 155 * k < found.left < found.right < 120 + 155 * k


@pytest.mark.parametrize("pitch", [5, 9, 14])
def test_a_dot_matrix_numbers_dots_are_joined_a_blob_a_digit(pitch: int) -> None:
    dots = dot_coverage([4, 0, 7, 1, 8], pitch, 0.4 * pitch, margin=3 * pitch)  # (H, W)
    page = ink_page(1 - dots)  # black dots on white
    assert page.dotted
    assert len(line_blobs(1 - dots, 20).boxes) == 5  # about 60 pieces before the join


def test_handwritten_digits_and_a_dotted_decimal_point_are_no_dot_matrix() -> None:
    gray = canvas(300, zero(20), seven(80), one(150), dot(180), zero(200), one(260))
    page = ink_page(gray)
    assert not page.dotted
    assert len(line_blobs(gray, 20).boxes) == 5  # the point left out, as before
