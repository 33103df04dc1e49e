"""Handwritten numbers laid out from MNIST digits, at MNIST scale: for training and tests.

layout() lays the digits side by side at MNIST scale (a base digit height h = 20 px). Each
digit is cropped to its ink (MNIST pixels >= 30, so faint specks do not widen its box), scaled
to h times its own factor in [0.85, 1.15], and sits on a gently wavy baseline (up to 0.1h up or
down: a slow random sine plus jitter); half the numbers are slanted (one shear in [-0.2, 0.2]
for all their digits). Gaps are measured between ink, row by row (each row's leftmost and
rightmost ink), so slant and shapes are respected. The kinds:

- "spaced": 0.3h to 0.7h of paper between the two digits' ink boxes;
- "tight": 1 to 3 px of paper where the two digits come closest (8-neighbours count as
  touching, so diagonal contact is excluded too); no digit touches any other;
- "touching": the strokes overlap by 1 to 3 px in the row where they come closest, and more
  (up to 5 px) until the pair binarised at 0.5 is one 8-connected blob;
- "mixed": each gap independently spaced, tight or touching.

Ink is combined with np.maximum. Rendering as uploads is the tests' business
(tests/numbers.py); the verifier's training draws its own (verifier_data.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

KINDS: tuple[str, ...] = ("spaced", "tight", "touching", "mixed")
GAP_KINDS: tuple[str, ...] = ("spaced", "tight", "touching")
Box = tuple[int, int, int, int]  # left, top, right, bottom (right and bottom exclusive)

DIGIT_HEIGHT = 20  # h: the base digit height at MNIST scale, px
INK_LEVEL = 30  # MNIST pixels below this are faint specks, not ink
SPACED_GAP = (0.3, 0.7)  # times h, between the ink boxes
TIGHT_GAP = (1, 3)  # px of paper between the closest ink
TOUCH_OVERLAP = (1, 3)  # px the strokes overlap in the row where they come closest
MAX_OVERLAP = 5  # px: how far a touching pair is pushed into each other before a redraw
ATTEMPTS = 50  # redraws of a number whose gaps cannot be met


@dataclass(frozen=True)
class Layout:
    coverage: np.ndarray  # (H, W) the number's ink in [0, 1]
    layers: np.ndarray  # (N, H, W) each digit's ink alone, in the number's place
    boxes: list[Box]  # each digit's ink box, left to right
    gaps: tuple[str, ...]  # (N - 1) the kind of each gap, left to right


def compose(
    digits: Sequence[np.ndarray], kind: str, rng: np.random.Generator
) -> tuple[np.ndarray, list[Box]]:
    """(28, 28) MNIST digits -> (H, W) float32 coverage of the number at MNIST scale, boxes."""
    drawn = layout(digits, kind, rng)
    return drawn.coverage, drawn.boxes


def layout(digits: Sequence[np.ndarray], kind: str, rng: np.random.Generator) -> Layout:
    """(28, 28) MNIST digits laid out as `kind`; RuntimeError if no draw of ATTEMPTS meets
    the gaps (a pair whose strokes never come within reach of each other)."""
    drawn = _layout(digits, kind, rng)
    if drawn is None:
        raise RuntimeError(f"no {kind} layout of these digits in {ATTEMPTS} attempts")
    return drawn


def random_layout(
    images: np.ndarray,
    count: int,
    kind: str,
    rng: np.random.Generator,
    draw: Callable[[np.random.Generator], np.ndarray] | None = None,
) -> tuple[Layout, np.ndarray]:
    """`count` digits drawn at random from (N, 28, 28) `images` and laid out as `kind` -> the
    layout and the (count,) indices of its digits. Digits that no draw lays out so are
    replaced by others drawn at random. `draw` draws the (count,) indices, if not uniformly."""
    for _ in range(ATTEMPTS):
        chosen = rng.integers(0, len(images), size=count) if draw is None else draw(rng)
        drawn = _layout([images[i] for i in chosen], kind, rng)
        if drawn is not None:
            return drawn, chosen
    raise RuntimeError(f"no {kind} layout of {count} of these digits in {ATTEMPTS} draws")


def _layout(digits: Sequence[np.ndarray], kind: str, rng: np.random.Generator) -> Layout | None:
    """layout(), or None where no draw of ATTEMPTS meets the gaps."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose from {KINDS}")
    if not digits:
        raise ValueError("a number needs at least one digit")
    for _ in range(ATTEMPTS):
        if kind == "mixed":
            gaps = tuple(str(gap) for gap in rng.choice(GAP_KINDS, len(digits) - 1))
        else:
            gaps = (kind,) * (len(digits) - 1)
        drawn = _attempt(digits, gaps, rng)
        if drawn is not None:
            return drawn
    return None


def _attempt(
    digits: Sequence[np.ndarray], gaps: tuple[str, ...], rng: np.random.Generator
) -> Layout | None:
    """One draw of sizes, slant, baseline and gaps; None if a gap cannot be met."""
    slant = float(rng.uniform(-0.2, 0.2)) if rng.random() < 0.5 else 0.0
    factors = rng.uniform(0.85, 1.15, len(digits))  # (N,)
    inks = [
        _digit_ink(np.asarray(digit), DIGIT_HEIGHT * f, slant)
        for digit, f in zip(digits, factors, strict=True)
    ]
    steps = np.arange(len(inks))  # (N,)
    wave = 0.75 * np.sin(rng.uniform(0, 2 * np.pi) + 2 * np.pi * steps / rng.uniform(4, 10))
    wave += 0.25 * rng.uniform(-1, 1, len(inks))  # (N,) in [-1, 1]
    heights = np.array([ink.shape[0] for ink in inks])  # (N,)
    bottoms = np.round(0.1 * DIGIT_HEIGHT * wave).astype(int)  # (N,) on the wavy baseline
    tops = [int(top) for top in bottoms - heights - (bottoms - heights).min()]
    rows = max(top + ink.shape[0] for top, ink in zip(tops, inks, strict=True))
    lefts = [0]
    for index in range(1, len(inks)):
        left = _place(gaps[index - 1], inks, tops, lefts, rows, rng)
        if left is None:
            return None
        lefts.append(left)
    shape = (rows, max(left + ink.shape[1] for left, ink in zip(lefts, inks, strict=True)))
    places = list(zip(inks, tops, lefts, strict=True))
    layers = np.stack([_paste(ink, top, left, shape) for ink, top, left in places])  # (N, H, W)
    boxes = [(left, top, left + ink.shape[1], top + ink.shape[0]) for ink, top, left in places]
    return Layout(layers.max(axis=0), layers, boxes, gaps)


def _place(
    gap: str,
    inks: list[np.ndarray],
    tops: list[int],
    lefts: list[int],
    rows: int,
    rng: np.random.Generator,
) -> int | None:
    """The left column of digit len(lefts) after the placed ones, or None if `gap` fails."""
    index = len(lefts)
    ink, top, before = inks[index], tops[index], inks[index - 1]
    prev_left, prev_right = lefts[-1], lefts[-1] + before.shape[1]
    if gap == "spaced":
        return prev_right + round(rng.uniform(*SPACED_GAP) * DIGIT_HEIGHT)
    lowest = max(prev_left + 1, prev_right + 1 - ink.shape[1])  # boxes stay ordered
    solid = gap == "touching"  # touching strokes meet at 0.5; tight ones keep off faint ink
    masks = [layer >= 0.5 if solid else layer > 0 for layer in inks[: index + 1]]  # (h, w) each
    start = _edge(masks[index], top, 0, rows, right=False)  # (rows,) its leftmost ink at left 0
    near = _edge(masks[index - 1], tops[index - 1], prev_left, rows, right=True)  # (rows,)
    if gap == "tight":
        target = int(rng.integers(TIGHT_GAP[0], TIGHT_GAP[1] + 1))
        closest = float(np.min(start - _spread(near)))  # columns apart, 8-neighbours too
        placed = [_edge(masks[i], tops[i], lefts[i], rows, right=True) for i in range(index)]
        apart = float(np.min(start - _spread(np.max(placed, axis=0))))  # from every placed one
        if not np.isfinite(closest):
            return None
        left = max(int(target + 1 - closest), int(2 - apart), lowest)
        return left if left + closest - 1 <= TIGHT_GAP[1] else None
    deepest = float(np.max(near - start))  # the overlap at left 0 where they come closest
    if not np.isfinite(deepest):
        return None
    shape = (rows, max(prev_right, max(int(deepest), lowest) + ink.shape[1]))
    pair_before = _paste(before, tops[index - 1], prev_left, shape)  # (rows, W)
    for overlap in range(
        int(rng.integers(TOUCH_OVERLAP[0], TOUCH_OVERLAP[1] + 1)), MAX_OVERLAP + 1
    ):
        left = max(int(deepest) + 1 - overlap, lowest)
        if _joined(pair_before, _paste(ink, top, left, shape)):
            return left
    return None


def _digit_ink(digit: np.ndarray, height: float, slant: float) -> np.ndarray:
    """(28, 28) MNIST digit -> (h, w) crisp coverage cropped to its ink, `height` px tall."""
    clean = np.where(digit >= INK_LEVEL, digit, 0).astype(np.uint8)  # (28, 28) no specks
    if not clean.any():
        raise ValueError("a digit without ink")
    image = Image.fromarray(_crop(clean))
    if slant:  # the top row moves slant * (h - 1) px to the right, the bottom row stays
        width, rows = image.size
        shift = slant * (rows - 1)
        data = (1.0, slant, min(0.0, shift) - shift, 0.0, 1.0, 0.0)
        size = (width + math.ceil(abs(shift)), rows)
        image = image.transform(size, Image.Transform.AFFINE, data, Image.Resampling.BILINEAR)
    crop = _crop(np.asarray(image))  # (h0, w0)
    return _crop(strokes(crop, max(1, round(height * max(crop.shape) / crop.shape[0]))))


def _crop(image: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(image.any(axis=1))
    columns = np.flatnonzero(image.any(axis=0))
    return image[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def _edge(mask: np.ndarray, top: int, left: int, rows: int, right: bool) -> np.ndarray:
    """(rows,) each row's rightmost (or leftmost) ink column of `mask` placed at top, left."""
    columns = np.arange(mask.shape[1], dtype=np.float64) + left  # (w,)
    empty = -np.inf if right else np.inf
    inked = np.where(mask, columns, empty)  # (h, w)
    profile = np.full(rows, empty)  # (rows,)
    profile[top : top + mask.shape[0]] = inked.max(axis=1) if right else inked.min(axis=1)
    return profile


def _spread(right: np.ndarray) -> np.ndarray:
    """(rows,) the rightmost ink of each row and its two neighbours: 8-neighbours count."""
    padded = np.pad(right, 1, constant_values=-np.inf)  # (rows + 2,)
    return np.maximum(np.maximum(padded[:-2], padded[1:-1]), padded[2:])


def _paste(ink: np.ndarray, top: int, left: int, shape: tuple[int, int]) -> np.ndarray:
    layer = np.zeros(shape, dtype=np.float32)  # (H, W)
    layer[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    return layer


def _joined(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether the pair binarised at 0.5 joins the two digits' masks 8-connectedly."""
    ink = np.maximum(first, second) >= 0.5  # (H, W)
    reached, target = first >= 0.5, second >= 0.5  # (H, W) each
    while True:
        padded = np.pad(reached, 1)  # (H + 2, W + 2)
        rows = padded[:-2] | padded[1:-1] | padded[2:]  # (H, W + 2)
        grown = (rows[:, :-2] | rows[:, 1:-1] | rows[:, 2:]) & ink  # (H, W)
        if (grown & target).any():
            return True
        if (grown == reached).all():
            return False
        reached = grown


def strokes(digit: np.ndarray, size: int, angle: float = 0.0) -> np.ndarray:
    """Ink coverage in [0, 1] of the digit drawn `size` px on its long side, crisp edges (h, w)."""
    rows = np.flatnonzero(digit.any(axis=1))
    columns = np.flatnonzero(digit.any(axis=0))
    crop = digit[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]  # (h0, w0)
    scale = size / max(crop.shape)
    shape = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    image = Image.fromarray(crop).resize(shape, Image.Resampling.BICUBIC)
    if angle:
        image = image.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=0)
    soft = np.asarray(image, dtype=np.float32) / 255  # (h, w)
    return np.clip((soft - 0.3) / 0.35, 0.0, 1.0)  # a pen's edge is sharper than MNIST's blur
