"""Tests for sheet_shape.py: the tightest rectangle, quadrilaterals, rectangles the frame cuts."""

from __future__ import annotations

import numpy as np

from model_core.preprocessing.sheet_shape import (
    cut_by_the_frame,
    enclosed,
    outline,
    quadrilateral,
    tightest,
)

SIZE = 160


def grid() -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:SIZE, 0:SIZE] - (SIZE - 1) / 2  # (2, 160, 160) from the centre
    return ys, xs


def turned_rectangle(degrees: float, shift: float = 0.0) -> np.ndarray:
    """(160, 160) bool: a 100x70 rectangle turned by `degrees`, moved `shift` px up."""
    ys, xs = grid()
    turn = np.deg2rad(degrees)
    along = np.cos(turn) * xs + np.sin(turn) * (ys + shift)
    across = np.cos(turn) * (ys + shift) - np.sin(turn) * xs
    return (np.abs(along) < 50) & (np.abs(across) < 35)


def test_the_tightest_rectangle_is_found_at_its_turn() -> None:
    short, long = tightest(*outline(turned_rectangle(12.0)))
    assert abs(short - 70) <= 3 and abs(long - 100) <= 3


def test_a_trapezoid_is_a_quadrilateral_and_a_triangle_or_a_disc_is_not() -> None:
    ys, xs = grid()
    trapezoid = (np.abs(ys) < 50) & (np.abs(xs) < 56 * (1 - 0.4 * (50 - ys) / 100))
    triangle = (ys > -60) & (np.abs(xs) < (ys + 60) * 0.5)
    disc = np.hypot(xs, ys) < 60
    for shape, expected in ((trapezoid, True), (triangle, False), (disc, False)):
        assert quadrilateral(*outline(shape), int(shape.sum())) is expected


def test_a_rectangle_the_frame_cuts_fills_what_shows_of_it_and_a_disc_does_not() -> None:
    cut = turned_rectangle(12.0, shift=55.0)  # runs off the top of the picture
    assert cut[0].any() and not cut[-1].any()
    assert cut_by_the_frame(*outline(cut), int(cut.sum()), cut.shape, 0.4)
    ys, xs = grid()
    disc = np.hypot(xs, ys + 60) < 70  # a disc the top of the frame cuts
    assert not cut_by_the_frame(*outline(disc), int(disc.sum()), disc.shape, 0.4)


def test_enclosed_counts_holes_but_not_notches() -> None:
    ring = np.zeros((SIZE, SIZE), dtype=bool)
    ring[40:120, 40:120] = True
    ring[60:100, 60:100] = False  # a hole
    notched = ring.copy()
    notched[60:100, 40:60] = False  # the hole opened to the outside
    assert enclosed(ring) == 80 * 80
    assert enclosed(notched) == int(notched.sum())
