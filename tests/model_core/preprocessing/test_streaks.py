"""Tests for streaks.py: straight lines across the whole picture found and painted over."""

from __future__ import annotations

import numpy as np

from model_core.preprocessing.blocks import reduce_image
from model_core.preprocessing.streaks import Streak, find_streaks, paint_over

LOW = 0.2  # the ink cut-off of these pages, whose paper is 0 and strokes 1


def _page() -> np.ndarray:
    """(60, 80) ink: a ring (a 0) in the middle, clear of the edges, paper at 0."""
    rows, columns = np.mgrid[0:60, 0:80]
    radius = np.hypot((rows - 30) / 1.4, columns - 40)
    return ((radius > 9) & (radius < 13)).astype(np.float32)


def test_a_line_down_the_whole_page_is_found_and_painted_over() -> None:
    page = _page()
    streaked = page.copy()
    streaked[:, 45:47] = 1.0  # down the page, through the ring's right side
    assert find_streaks(streaked, LOW) == [Streak(across=False, start=45, stop=47)]
    painted = paint_over(streaked, find_streaks(streaked, LOW))
    assert painted[:10, 44:48].max() == 0  # above the ring: paper again
    assert np.array_equal(painted[:, :43], page[:, :43])  # the rest as it was
    # the ring's bottom crosses the line: interpolated across, so the stroke stays whole
    assert painted[30 + 11 : 30 + 18, 45:47].max() > 0.5
    assert streaked is not painted and streaked[:, 45:47].min() == 1.0  # a copy


def test_a_line_across_the_whole_page_is_found_too() -> None:
    streaked = _page()
    streaked[53, :] = 0.8  # across the page under the ring
    found = find_streaks(streaked, LOW)
    assert found == [Streak(across=True, start=53, stop=54)]
    assert paint_over(streaked, found)[49:].max() == 0


def test_what_is_no_streak_is_left() -> None:
    ruled = _page()
    ruled[:, [8, 24, 56, 72]] = 0.5  # four lines a way: a page's rules (rules.py)
    wide = _page()
    wide[:, 60:65] = 1.0  # five columns: a band, no line
    edge = _page()
    edge[:, 0:2] = 1.0  # at the picture's edge (edges.py)
    broken = _page()
    broken[:, 60:62] = 1.0
    broken[20, 60:62] = 0.0  # a gap: not ink from edge to edge
    faint = _page()
    faint[:, 60:62] = 0.15  # under the ink's cut-off
    for page in (ruled, wide, edge, broken, faint):
        assert find_streaks(page, LOW) == []


def test_a_stem_is_no_streak_where_the_rest_reaches_an_end() -> None:
    one = np.zeros((60, 20), dtype=np.float32)
    one[:, 9:11] = 1.0  # a 1 cropped tight: its stem runs the whole height, nothing else
    four = np.zeros((60, 40), dtype=np.float32)
    four[:, 28:30] = 1.0  # a 4 cropped tight: the stem the whole height ...
    four[0:35, 8:10] = 1.0  # ... and its arm from the top edge
    four[34:36, 8:28] = 1.0
    assert find_streaks(one, LOW) == [] and find_streaks(four, LOW) == []
    four[0:4, 8:10] = 0.0  # the arm clear of the top: the stem is a line through a digit
    assert find_streaks(four, LOW) == [Streak(across=False, start=28, stop=30)]


def test_a_streak_found_reduced_is_painted_at_full_scale() -> None:
    paper = np.full((240, 320), 0.9, dtype=np.float32)  # dark ink on light paper
    rows, columns = np.mgrid[0:240, 0:320]
    radius = np.hypot((rows - 120) / 1.4, columns - 160)
    paper[(radius > 36) & (radius < 50)] = 0.1  # a ring, 14 px strokes
    picture = paper.copy()
    picture[:, 181:183] = 0.2  # a 2 px streak through the ring's right side
    ink = 1 - reduce_image(picture, 4)  # (60, 80) the reduced copy, light on dark
    found = find_streaks(ink - ink.min(), 0.2)
    assert [(s.across, s.start, s.stop) for s in found] == [(False, 45, 46)]
    painted = paint_over(picture, found, factor=4)
    assert painted[:40, 181:183].min() > 0.85  # above the ring: paper
    assert np.array_equal(painted[:, :178], paper[:, :178])  # only a few columns painted
    assert np.array_equal(painted[:, 186:], paper[:, 186:])
    assert painted[165:180, 181:183].max() < 0.3  # the ring's stroke, crossing it, stays
