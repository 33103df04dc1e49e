"""model_core.number.synth lays MNIST digits out as numbers: its promises, checked.

Gaps are checked at MNIST scale on the digits' own layers (layout(): what compose() returns
plus each digit's ink alone).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model_core.data.mnist import load_mnist
from model_core.number import synth
from model_core.number.synth import DIGIT_HEIGHT, GAP_KINDS, KINDS, Layout, compose

Mnist = tuple[np.ndarray, np.ndarray]  # images (N, 28, 28) uint8, labels (N,)
LAYOUTS = 40  # numbers per kind checked at MNIST scale


@pytest.fixture(scope="module")
def mnist(mnist_dir: Path) -> Mnist:
    return load_mnist(mnist_dir, "test")


def _layouts(mnist: Mnist, kind: str, seed: int = 0) -> list[Layout]:
    images = mnist[0]
    rng = np.random.default_rng(seed)
    layouts = []
    for _ in range(LAYOUTS):
        chosen = rng.integers(0, len(images), int(rng.integers(2, 7)))  # (n,)
        layouts.append(synth.layout(list(images[chosen]), kind, rng))
    return layouts


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """(H, W) mask grown by `radius` px in all 8 directions."""
    height, width = mask.shape
    padded = np.pad(mask, radius)  # (H + 2r, W + 2r)
    grown = np.zeros_like(mask)  # (H, W)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            grown |= padded[dy : dy + height, dx : dx + width]
    return grown


def _connected(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether one 8-connected blob of the pair binarised at 0.5 holds ink of both digits."""
    ink = np.maximum(first, second) >= 0.5  # (H, W)
    reached = first >= 0.5  # (H, W)
    while not (reached & (second >= 0.5)).any():
        grown = _dilate(reached, 1) & ink
        if (grown == reached).all():
            return False
        reached = grown
    return True


def _assert_gap(layout: Layout, index: int, gap: str) -> None:
    """The gap between digits index - 1 and index is what `gap` promises."""
    before, after = layout.layers[index - 1], layout.layers[index]  # (H, W) each
    if gap == "spaced":
        space = layout.boxes[index][0] - layout.boxes[index - 1][2]
        assert round(0.3 * DIGIT_HEIGHT) <= space <= round(0.7 * DIGIT_HEIGHT), space
    elif gap == "tight":
        # ink 2 to 4 px away in rows, columns or diagonals: 1 to 3 px of paper between
        assert not (_dilate(before > 0, 1) & (after > 0)).any(), "tight neighbours touch"
        assert (_dilate(before > 0, 4) & (after > 0)).any(), "tight neighbours > 3 px apart"
        placed = layout.layers[:index].max(axis=0) > 0  # (H, W) every digit before
        assert not (_dilate(placed, 1) & (after > 0)).any(), "a tight digit touches another"
    else:
        assert gap == "touching", gap
        assert _connected(before, after), "touching neighbours do not touch"


def _assert_gaps(layouts: list[Layout]) -> list[str]:
    checked = []
    for layout in layouts:
        assert len(layout.gaps) == len(layout.boxes) - 1 == len(layout.layers) - 1
        for index, gap in enumerate(layout.gaps, start=1):
            _assert_gap(layout, index, gap)
            checked.append(gap)
    assert checked, "no gap was checked"
    return checked


def test_compose_gives_the_layout_at_mnist_scale(mnist: Mnist) -> None:
    digits = list(mnist[0][:5])
    for kind in KINDS:
        coverage, boxes = compose(digits, kind, np.random.default_rng(4))
        layout = synth.layout(digits, kind, np.random.default_rng(4))
        assert np.array_equal(coverage, layout.coverage) and boxes == layout.boxes
        assert coverage.dtype == np.float32 and coverage.min() >= 0 and coverage.max() <= 1
        assert np.array_equal(coverage, layout.layers.max(axis=0))  # ink combined by maximum
        for layer, (left, top, right, bottom) in zip(layout.layers, boxes, strict=True):
            rows, columns = np.nonzero(layer)  # each box is exactly its digit's ink
            assert (left, top, right, bottom) == (
                columns.min(),
                rows.min(),
                columns.max() + 1,
                rows.max() + 1,
            )
            assert 0.85 * DIGIT_HEIGHT - 1 <= bottom - top <= 1.15 * DIGIT_HEIGHT + 1


def test_tight_numbers_never_touch_and_keep_within_3_px(mnist: Mnist) -> None:
    assert set(_assert_gaps(_layouts(mnist, "tight"))) == {"tight"}


def test_touching_numbers_neighbours_touch(mnist: Mnist) -> None:
    assert set(_assert_gaps(_layouts(mnist, "touching"))) == {"touching"}


def test_spaced_gaps_are_within_range(mnist: Mnist) -> None:
    assert set(_assert_gaps(_layouts(mnist, "spaced"))) == {"spaced"}


def test_mixed_numbers_gaps_each_keep_their_own_kind(mnist: Mnist) -> None:
    assert set(_assert_gaps(_layouts(mnist, "mixed"))) == set(GAP_KINDS)


def test_an_unknown_kind_is_refused(mnist: Mnist) -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        synth.layout(list(mnist[0][:2]), "crowded", np.random.default_rng(0))


def test_digits_that_cannot_touch_are_drawn_again(mnist: Mnist) -> None:
    faint = (mnist[0][1].astype(np.float32) * 100 / 255).astype(np.uint8)  # no stroke >= 0.5
    images = np.stack([faint, mnist[0][0]])  # (2, 28, 28)
    with pytest.raises(RuntimeError, match="no touching layout"):
        synth.layout([faint, mnist[0][0]], "touching", np.random.default_rng(0))

    drawn, chosen = synth.random_layout(images, 3, "touching", np.random.default_rng(0))

    assert chosen.tolist() == [1, 1, 1] and len(drawn.boxes) == 3
