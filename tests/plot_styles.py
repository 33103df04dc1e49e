"""Digits and numbers as plots, as upload bytes: what `plt.imshow(image); plt.savefig(...)` makes.

"plot": the MNIST image (a digit, or several side by side) shown by matplotlib's `imshow` in a
colour map at random (gray, viridis, matplotlib's default, and magma draw it light on a dark
panel; gray_r and binary dark on white), with or without the axes, their ticks and labels, a
title, a colour bar (beside a light panel not yet: preprocessing.md's known limits), in a
figure of 2 to 6.4 inches at 100 dpi, saved whole or cropped tight, as a PNG. A number may
also be plotted a digit a subplot (`render_subplots`).
"""

from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np

mpl.use("Agg")
import matplotlib.pyplot as plt  # after the backend is chosen

PLOT_STYLES: tuple[str, ...] = ("plot",)
DARK_PANELS = ("gray", "viridis", "magma")  # colour maps that draw 0 dark
COLOUR_MAPS = (*DARK_PANELS, "gray_r", "binary")
FIGURE_INCHES = ((6.4, 4.8), (4.0, 4.0), (3.0, 3.0), (2.0, 2.0))


def render_plot(
    image: np.ndarray,
    rng: np.random.Generator,
    title: str = "",
    maps: tuple[str, ...] = COLOUR_MAPS,
) -> bytes:
    """(28, 28 k) uint8 MNIST image(s), white on black -> a PNG of its plot, drawn at random in
    one of the colour `maps`."""
    figure = plt.figure(figsize=FIGURE_INCHES[int(rng.integers(len(FIGURE_INCHES)))], dpi=100)
    try:
        axes = figure.add_subplot(111)
        colours = maps[int(rng.integers(len(maps)))]
        shown = axes.imshow(image, cmap=colours)
        if rng.random() < 0.3:
            axes.axis("off")
        if title and rng.random() < 0.5:
            axes.set_title(title)
        if rng.random() < 0.3 and colours in DARK_PANELS:
            figure.colorbar(shown)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight" if rng.random() < 0.3 else None)
        return buffer.getvalue()
    finally:
        plt.close(figure)


def render_subplots(
    images: np.ndarray, rng: np.random.Generator, maps: tuple[str, ...] = COLOUR_MAPS
) -> bytes:
    """(k, 28, 28) uint8 MNIST images -> a PNG of `plt.subplots(1, k)`, one image each, in one
    of the colour `maps`, with or without the axes."""
    count = len(images)
    figure, panes = plt.subplots(1, count, figsize=(2 * count, 2.4), dpi=100, squeeze=False)
    try:
        colours, bare = maps[int(rng.integers(len(maps)))], rng.random() < 0.5
        for axes, image in zip(panes[0], images, strict=True):
            axes.imshow(image, cmap=colours)
            if bare:
                axes.axis("off")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
