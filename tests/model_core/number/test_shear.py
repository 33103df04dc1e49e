"""Tilted ink levelled by a vertical shear (model_core/number/shear.py)."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.number.shear import LEVEL_SLOPES, levelling_slope, lift, packing_slope, shear


def band(slope: float, width: int = 200, thick: int = 6) -> np.ndarray:
    """(h, w) a straight band `thick` rows thick whose rows fall `slope` a column."""
    rise = round(abs(slope) * width)
    ink = np.zeros((rise + thick + 2, width), np.float32)  # (h, w)
    for x in range(width):
        top = 1 + round(slope * x) if slope >= 0 else 1 + rise + round(slope * x)
        ink[top : top + thick, x] = 1.0
    return ink


@pytest.mark.parametrize("slope", [0.21, -0.09, 0.0])
def test_the_slope_found_is_the_bands_own(slope: float) -> None:
    found, rows = packing_slope(band(slope) > 0.5)
    assert found == pytest.approx(slope)
    assert rows <= 6 + 1  # packed back to the band's thickness


def test_sheared_ink_lies_level_in_the_same_columns() -> None:
    ink = band(0.15)
    slope, _ = packing_slope(ink > 0.5)

    levelled = shear(ink, slope)

    assert levelled.shape == (ink.shape[0] + 2 * lift(slope, ink.shape[1]), ink.shape[1])
    assert np.allclose(levelled.sum(axis=0), ink.sum(axis=0), atol=1e-3)  # no ink lost
    rows = np.flatnonzero(levelled.max(axis=1) > 0.5)
    assert rows[-1] - rows[0] + 1 <= 7  # level: the band's thickness


def test_no_ink_and_the_steepest_slope() -> None:
    assert packing_slope(np.zeros((10, 10), bool)) == (0.0, 0)
    assert max(abs(LEVEL_SLOPES)) == pytest.approx(0.36)  # about 20 degrees


def test_ink_is_levelled_only_where_the_shear_saves_enough_rows() -> None:
    inked = band(0.15) > 0.5  # 38 rows, packed into 7
    assert levelling_slope(inked, inked.shape[0]) == pytest.approx(0.15)
    assert levelling_slope(inked, 8) == 0.0  # 7 of 8 rows: not SHORTER of them
