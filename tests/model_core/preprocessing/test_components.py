"""Connected pieces: the run-based labelling against a plain flood fill."""

from __future__ import annotations

from collections import deque

import numpy as np

from model_core.preprocessing.box import Box
from model_core.preprocessing.components import (
    FEW_PIECES,
    in_pieces,
    label_pieces,
    near_pieces,
    reaches,
    row_runs,
)


def flood_fill_count(mask: np.ndarray) -> tuple[int, list[int]]:
    """Pieces (8-connected) of (H, W) bool by breadth-first search: count and sorted areas."""
    seen = np.zeros_like(mask)
    areas = []
    for start in zip(*np.nonzero(mask), strict=True):
        if seen[start]:
            continue
        seen[start] = True
        queue, area = deque([start]), 0
        while queue:
            row, column = queue.popleft()
            area += 1
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    r, c = row + dr, column + dc
                    inside = 0 <= r < mask.shape[0] and 0 <= c < mask.shape[1]
                    if inside and mask[r, c] and not seen[r, c]:
                        seen[r, c] = True
                        queue.append((r, c))
        areas.append(area)
    return len(areas), sorted(areas)


def test_pieces_match_a_flood_fill_on_random_masks() -> None:
    rng = np.random.default_rng(0)
    for density in (0.2, 0.4, 0.55):
        mask = rng.random((23, 31)) < density  # (H, W)
        labels, pieces = label_pieces(mask)
        count, areas = flood_fill_count(mask)
        assert len(pieces) == count
        assert sorted(p.area for p in pieces) == areas
        assert np.array_equal(labels > 0, mask)
        for piece in pieces:  # each piece's box and area agree with its labels
            rows, columns = np.nonzero(labels == piece.label)
            assert piece.area == rows.size
            assert piece.box == (columns.min(), rows.min(), columns.max() + 1, rows.max() + 1)


def test_row_runs_are_each_rows_stretches_of_ink_in_reading_order() -> None:
    rng = np.random.default_rng(1)
    masks = [rng.random((17, 29)) < density for density in (0.1, 0.5, 0.9)]
    masks += [np.ones((3, 4), bool), np.zeros((3, 4), bool), np.zeros((0, 5), bool)]
    for mask in masks:
        expected = []  # (row, first column, one past the last), by a plain scan
        for row, line in enumerate(mask):
            column = 0
            while column < len(line):
                if line[column]:
                    end = column
                    while end < len(line) and line[end]:
                        end += 1
                    expected.append((row, column, end))
                    column = end
                column += 1

        rows, starts, ends = row_runs(mask)

        assert list(zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True)) == expected


def test_diagonal_neighbours_join_and_pieces_come_left_to_right() -> None:
    mask = np.zeros((6, 12), dtype=bool)
    mask[0, 8], mask[1, 9], mask[2, 10] = True, True, True  # a diagonal: one piece
    mask[3:6, 1] = True  # a bar on the left
    labels, pieces = label_pieces(mask)
    assert [p.box.left for p in pieces] == [1, 8]
    assert [p.area for p in pieces] == [3, 3]
    assert labels[0, 8] == labels[2, 10] != labels[4, 1]


def test_an_empty_mask_has_no_pieces() -> None:
    labels, pieces = label_pieces(np.zeros((5, 5), dtype=bool))
    assert pieces == [] and not labels.any()


def test_in_pieces_is_isin_for_few_pieces_and_many() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 20, (30, 40)).astype(np.int32)  # (30, 40)
    for count in (0, 1, 3, FEW_PIECES, FEW_PIECES + 4):
        own = [int(v) for v in rng.choice(np.arange(1, 20), count, replace=False)]
        np.testing.assert_array_equal(in_pieces(labels, own), np.isin(labels, own))


def test_reaches_is_touching_any_edge_of_the_picture() -> None:
    picture = Box(-3, -2, 20, 10)  # a crop's coordinates: the picture starts before it
    assert not reaches(Box(0, 0, 19, 9), picture)
    assert reaches(Box(-3, 4, 5, 6), picture) and reaches(Box(2, -2, 5, 6), picture)
    assert reaches(Box(2, 4, 20, 6), picture) and reaches(Box(2, 4, 5, 10), picture)


def test_near_pieces_are_those_within_reach_of_the_mask_as_a_square() -> None:
    mask = np.zeros((20, 30), dtype=bool)
    mask[5:8, 5:8] = True  # the digit
    mask[5:8, 11:13] = True  # 4 columns over (3 of paper between)
    mask[12:14, 12:14] = True  # 5 rows down and 5 columns over: a square's corner
    mask[5:8, 20:25] = True  # far
    labels, pieces = label_pieces(mask)
    points = {"digit": (6, 6), "beside": (6, 11), "corner": (12, 12), "far": (6, 22)}
    label = {name: int(labels[point]) for name, point in points.items()}
    digit = labels == label["digit"]
    assert len(pieces) == 4
    assert near_pieces(labels, digit, 3) == {label["digit"]}
    assert near_pieces(labels, digit, 4) == {label["digit"], label["beside"]}
    assert near_pieces(labels, digit, 5) == {label["digit"], label["beside"], label["corner"]}
