"""Boxes of pixels, in one convention, and the one way to map them between image scales.

Every box in preprocessing is a `Box`: left, top, right, bottom, with right and bottom
exclusive, so that `box.crop(image)` is `image[top:bottom, left:right]`. It is Pillow's order
and the order of the `bbox` the service returns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np


class Box(NamedTuple):
    """Columns left .. right - 1 and rows top .. bottom - 1 of an image."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def area(self) -> int:
        return self.width * self.height

    def shared(self, other: Box) -> int:
        """The pixels inside both boxes."""
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return max(0, width) * max(0, height)

    def crop(self, image: np.ndarray) -> np.ndarray:
        """The (height, width) view of (H, W) `image` inside the box."""
        return image[self.top : self.bottom, self.left : self.right]

    def shifted(self, left: int, top: int) -> Box:
        """The box in an image where the one it was found in starts at column `left`, row `top`."""
        return Box(self.left + left, self.top + top, self.right + left, self.bottom + top)


def ink_box(mask: np.ndarray) -> Box:
    """The tightest box round the set pixels of (H, W) bool `mask`, which has some."""
    top, bottom = ends(np.asarray(mask.any(axis=1)))
    left, right = ends(np.asarray(mask[top:bottom].any(axis=0)))  # the rows with ink only
    return Box(left, top, right, bottom)


def ends(flags: np.ndarray) -> tuple[int, int]:
    """The first set index of 1-D bool `flags` (some set) and one past the last."""
    return int(flags.argmax()), len(flags) - int(flags[::-1].argmax())


def leading(flags: np.ndarray) -> int:
    """How many of the first entries of 1-D bool `flags` are set."""
    return len(flags) if flags.all() else int(np.argmin(flags))


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of every run of set entries of 1-D bool `flags`."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], flags, [False])).astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def enclosing(boxes: Iterable[Box]) -> Box:
    """The smallest box round all of `boxes` (at least one)."""
    left, top, right, bottom = zip(*boxes, strict=True)
    return Box(min(left), min(top), max(right), max(bottom))


def scale_box(
    box: Box, scale: float | tuple[float, float], shape: tuple[int, ...], margin: int = 0
) -> Box:
    """`box` of an image reduced by `scale` -> the box in the (H, W) `shape` image's pixels.

    `scale` is original pixels per reduced pixel, one for both axes or (rows, columns). The
    box grows by `margin` reduced pixels on each side, rounds outwards and stays in the image.
    """
    rows, columns = scale if isinstance(scale, tuple) else (scale, scale)
    height, width = shape[0], shape[1]
    return Box(
        max(math.floor((box.left - margin) * columns), 0),
        max(math.floor((box.top - margin) * rows), 0),
        min(math.ceil((box.right + margin) * columns), width),
        min(math.ceil((box.bottom + margin) * rows), height),
    )


def grid_box(box: Box, factor: int) -> Box:
    """The cells of `factor` x `factor` pixels that `box` touches: scale_box the other way."""
    return Box(
        box.left // factor,
        box.top // factor,
        math.ceil(box.right / factor),
        math.ceil(box.bottom / factor),
    )
