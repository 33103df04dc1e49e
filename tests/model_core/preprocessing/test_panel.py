"""A dark panel on light paper (preprocessing/panel.py): a plot of a digit is read inside it;
so is a light one inside its axes' frame (digit_box.py)."""

from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np
from PIL import Image, ImageDraw

from model_core.preprocessing import normalize_digit
from model_core.preprocessing.box import Box
from model_core.preprocessing.panel import dark_panels
from tests.model_core.preprocessing.helpers import correlation

mpl.use("Agg")
import matplotlib.pyplot as plt  # after the backend is chosen

SCALE, MARGIN = 12, 60  # a 28x28 digit drawn 336 px wide, the figure's white round it


def plot(image: np.ndarray) -> np.ndarray:
    """(h, w) uint8 white on black -> a stand-in for matplotlib's `imshow` with its axes:
    the image enlarged pixel for pixel on a white figure, ticks joined to it on the left and
    at the bottom, each with its label."""
    panel = np.kron(image, np.ones((SCALE, SCALE), dtype=np.uint8))  # (h', w')
    height, width = panel.shape
    figure = Image.new("L", (width + 2 * MARGIN, height + 2 * MARGIN), 255)
    figure.paste(Image.fromarray(panel), (MARGIN, MARGIN))
    draw = ImageDraw.Draw(figure)
    for pixel in range(0, image.shape[1], 5):
        x = MARGIN + pixel * SCALE + SCALE // 2
        draw.line((x, MARGIN + height, x, MARGIN + height + 6), fill=0, width=2)
        draw.text((x - 4, MARGIN + height + 10), str(pixel), fill=0)
    for pixel in range(0, image.shape[0], 5):
        y = MARGIN + pixel * SCALE + SCALE // 2
        draw.line((MARGIN - 6, y, MARGIN, y), fill=0, width=2)
        draw.text((MARGIN - 22, y - 5), str(pixel), fill=0)
    return np.asarray(figure)


def test_a_plot_of_a_digit_reads_like_its_image_alone(digits: np.ndarray) -> None:
    panel = Box(MARGIN, MARGIN, MARGIN + 28 * SCALE, MARGIN + 28 * SCALE)
    for digit in digits[:20]:
        image, info = normalize_digit(plot(digit) / 255.0)
        alone, _ = normalize_digit(panel.crop(plot(digit)) / 255.0)
        assert correlation(image, alone) > 0.99
        assert not info["inverted"]  # light strokes on the dark panel
        left, top, right, bottom = info["bbox"]
        assert panel.left < left < right < panel.right
        assert panel.top < top < bottom < panel.bottom


def test_a_gap_between_dark_bars_is_not_read_as_a_digit_in_a_panel() -> None:
    """Bars a few pixels apart merge into a dark piece with light slivers in it, from its top
    to its bottom: a digit in a panel lies within it, so the bars are read as dark ink."""
    bars = np.full((200, 340), 1.0, np.float32)  # white paper
    for left in range(30, 310, 13):
        bars[20:180, left : left + 9] = 0.0  # 9 px bars, 4 px gaps: 160 px tall
    _, info = normalize_digit(bars)
    assert info["inverted"]  # dark bars on the light page
    assert info["bbox"].width > 200  # all the bars, not one gap between two


def test_the_panel_is_found_between_its_sides_and_its_ticks_are_left_out() -> None:
    mask = np.zeros((60, 90), dtype=bool)
    mask[10:40, 20:80] = True  # the panel
    mask[40:44, 30:31] = mask[40:44, 60:61] = True  # ticks below it, joined ...
    mask[45:49, 28:33] = mask[45:49, 58:63] = True  # ... and their labels apart
    mask[18:32, 45:48] = False  # a light stroke inside
    ink = mask.astype(np.float32)
    assert dark_panels(ink, mask) == [Box(21, 11, 79, 39)]
    assert dark_panels(ink, mask, found=Box(20, 10, 80, 49)) == [Box(21, 11, 79, 39)]


def test_bars_outlines_and_small_panels_are_not_panels() -> None:
    bar = np.zeros((60, 60), dtype=bool)
    bar[5:55, 25:36] = True  # a 1 drawn with a marker: solid, nothing light inside
    square = np.zeros((60, 60), dtype=bool)
    square[10:50, 10:50] = True  # as solid, but square: still nothing light inside
    outline = square.copy()
    outline[14:46, 14:46] = False  # a box drawn round a digit: not filled
    small = np.zeros((100, 100), dtype=bool)
    small[10:18, 10:30] = True  # a dark button with a light mark, 1.6% of the picture
    small[13:15, 15:25] = False
    for mask in (bar, square, outline, small):
        assert dark_panels(mask.astype(np.float32), mask) == []
    assert dark_panels(bar.astype(np.float32), bar, found=Box(25, 5, 36, 55)) == []


def test_panels_alike_in_size_are_all_found_largest_first() -> None:
    mask = np.zeros((60, 120), dtype=bool)
    mask[10:50, 5:45] = True  # two subplots ...
    mask[12:48, 60:96] = True
    mask[20:30, 105:115] = True  # ... and a dark swatch too small to be one
    mask[20:40, 24:27] = mask[20:40, 77:80] = mask[23:27, 108:111] = False  # light strokes
    panels = dark_panels(mask.astype(np.float32), mask)
    assert panels == [Box(6, 11, 44, 49), Box(61, 13, 95, 47)]


def test_a_colour_bar_as_large_as_a_strip_of_digits_is_no_second_panel() -> None:
    mask = np.zeros((100, 120), dtype=bool)
    mask[40:52, 5:85] = True  # a strip of digits, 12 rows
    mask[43:49, 20:22] = mask[43:49, 50:52] = False  # its light strokes
    mask[5:95, 100:110] = True  # a colour bar's frame and dark half, as much ink
    mask[8:50, 102:108] = False  # its light half
    panels = dark_panels(mask.astype(np.float32), mask)
    assert panels == [Box(6, 41, 84, 51)]


def test_a_plot_drawn_dark_on_white_is_read_inside_its_axes(digits: np.ndarray) -> None:
    """`imshow` in gray_r with a title: the axes' frame is drawn round a light panel, the
    title above it and the tick labels outside (digit_box.frame_inside)."""
    for digit in digits[:6]:
        figure = plt.figure(figsize=(3.0, 3.0), dpi=100)
        try:
            axes = figure.add_subplot(111)
            axes.imshow(digit, cmap="gray_r")
            axes.set_title("label 7")
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
            left, bottom, right, top = axes.get_window_extent().extents  # y up, in pixels
        finally:
            plt.close(figure)
        page = np.asarray(Image.open(buffer).convert("L"), dtype=np.float32) / 255  # (H, W)
        _, info = normalize_digit(page)
        found = info["bbox"]
        height = page.shape[0]
        assert left <= found.left < found.right <= right + 1, found
        assert height - top <= found.top < found.bottom <= height - bottom + 1, found
