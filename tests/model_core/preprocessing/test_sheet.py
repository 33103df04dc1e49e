"""Tests for sheet.py: a sheet on a darker desk is found and the desk painted out; light
strokes on a dark canvas, however bold, are never taken for a sheet."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from model_core.preprocessing.errors import EmptyImageError
from model_core.preprocessing.normalize import normalize_digit
from model_core.preprocessing.polarity import is_dark_on_light
from model_core.preprocessing.sheet import uncover_sheet

SIZE = 160


def centred_grid() -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:SIZE, 0:SIZE] - (SIZE - 1) / 2  # (2, 160, 160) from the centre
    return ys, xs


def sheet_on_desk(turn_deg: float, desk: float = 0.3, paper: float = 0.9) -> np.ndarray:
    """(160, 160): a turned sheet over 70% of the picture, a dark "7" drawn in its middle."""
    ys, xs = centred_grid()
    turn = np.deg2rad(turn_deg)
    along, across = np.cos(turn) * xs + np.sin(turn) * ys, np.cos(turn) * ys - np.sin(turn) * xs
    image = np.where((np.abs(along) < 56) & (np.abs(across) < 50), paper, desk)  # (160, 160)
    image[60:66, 60:100] = 0.1  # the 7's bar
    image[66:105, 88:94] = 0.1  # its stem
    return image.astype(np.float32)


def test_the_desk_round_a_turned_sheet_is_painted_the_paper_level() -> None:
    photo = sheet_on_desk(12.0)
    assert not is_dark_on_light(photo)  # the dark desk alone would make the sheet the ink
    uncovered = uncover_sheet(photo)
    assert uncovered is not None
    np.testing.assert_allclose(uncovered[:10], 0.9)  # the desk is gone ...
    np.testing.assert_array_equal(uncovered[60:105, 60:100], photo[60:105, 60:100])  # the 7 stays
    assert is_dark_on_light(uncovered)


def test_a_photo_of_a_sheet_on_a_desk_is_read_as_dark_ink_on_the_sheet() -> None:
    digit, info = normalize_digit(sheet_on_desk(-8.0))
    assert info["inverted"]
    left, top, right, bottom = info["bbox"]
    assert left >= 58 and top >= 58 and right <= 102 and bottom <= 107  # the 7, not the sheet
    assert 0.1 < float(digit.mean()) < 0.3  # strokes, not a filled page


def lamp_to_one_side(image: np.ndarray, strength: float = 0.7) -> np.ndarray:
    """`image` lit from the left: the light falls from 1 to 1 - `strength` across it."""
    return (image * np.linspace(1.0, 1.0 - strength, SIZE)[None, :]).astype(np.float32)


def test_a_sheet_under_a_lamp_to_one_side_is_found_and_its_paper_painted_as_lit() -> None:
    photo = lamp_to_one_side(sheet_on_desk(8.0, desk=0.5, paper=0.9))
    assert photo[80, 150] < photo[5, 5]  # the sheet's dim end: darker than the desk's lit one
    uncovered = uncover_sheet(photo)
    assert uncovered is not None
    np.testing.assert_array_equal(uncovered[60:105, 60:100], photo[60:105, 60:100])  # the 7 stays
    painted = uncovered[5]  # (160,) a row of the desk, painted as the paper would look there
    np.testing.assert_allclose(painted, 0.9 * np.linspace(1.0, 0.3, SIZE), rtol=0.08)


def test_a_blank_sheet_under_a_lamp_is_no_digit() -> None:
    sheet = sheet_on_desk(8.0, desk=0.5, paper=0.9)
    sheet[60:105, 60:100] = 0.9  # no 7 on it
    blank = lamp_to_one_side(sheet, strength=0.5)
    with pytest.raises(EmptyImageError):
        normalize_digit(blank)


def test_a_digit_on_a_sticky_note_on_a_desk_is_read_as_dark_ink_on_the_note() -> None:
    photo = np.full((SIZE, SIZE), 0.3, np.float32)
    photo[50:98, 90:138] = 0.9  # a note covering 9% of the picture
    photo[60:63, 100:128] = 0.1  # a 7's bar
    photo[63:90, 118:121] = 0.1  # its stem
    digit, info = normalize_digit(photo)
    assert info["inverted"]
    left, top, right, bottom = info["bbox"]
    assert left >= 98 and top >= 58 and right <= 130 and bottom <= 92  # the 7, not the note
    assert 0.05 < float(digit.mean()) < 0.3  # strokes, not a filled square


def test_a_slip_with_writing_on_it_is_a_sheet_however_narrow() -> None:
    photo = np.full((SIZE, SIZE), 0.3, np.float32)
    photo[60:100, 20:140] = 0.9  # a slip a third as tall as it is wide
    for left in (40, 70, 100):  # three strokes written on it
        photo[68:92, left : left + 3] = 0.1
    uncovered = uncover_sheet(photo)
    assert uncovered is not None
    np.testing.assert_allclose(uncovered[:10], 0.9)  # the desk is painted as the slip's paper
    photo[68:92, 20:140] = 0.9  # the same slip blank: as narrow as a thick light bar, no sheet
    assert uncover_sheet(photo) is None


def trapezoid(narrow: float) -> np.ndarray:
    """(160, 160) bool: a sheet seen at an angle, its far (top) side `narrow` of its near one's
    width, on a quarter of the picture or more."""
    ys, xs = centred_grid()
    half_width = 56 * (1 - (1 - narrow) * (50 - ys) / 100)  # (160, 160) 56 px at the bottom
    return (np.abs(xs) < half_width) & (np.abs(ys) < 50)


def angled_photo(narrow: float, grain: float = 0.01) -> np.ndarray:
    """(160, 160): the trapezoid's sheet with a 7 on it, on a desk with a photo's grain."""
    desk = 0.3 + grain * np.random.default_rng(4).standard_normal((SIZE, SIZE))
    photo = np.where(trapezoid(narrow), 0.9, desk).astype(np.float32)  # (160, 160)
    photo[60:66, 60:100] = 0.1  # a 7's bar
    photo[66:105, 88:94] = 0.1  # its stem
    return photo


@pytest.mark.parametrize("narrow", [0.9, 0.75, 0.6])
def test_a_sheet_photographed_at_an_angle_is_found(narrow: float) -> None:
    photo = angled_photo(narrow)
    uncovered = uncover_sheet(photo)
    assert uncovered is not None
    assert np.abs(uncovered[:10] - 0.9).max() < 0.01  # the desk is painted as the sheet
    _, info = normalize_digit(photo)
    left, top, right, bottom = info["bbox"]
    assert left >= 58 and top >= 58 and right <= 102 and bottom <= 107  # the 7, not the sheet


def test_a_light_quadrilateral_on_a_flat_panel_or_fading_into_it_is_no_sheet() -> None:
    flat = angled_photo(0.6, grain=0.0)  # a plot's panel has no grain: a bold light digit
    assert uncover_sheet(flat) is None
    lit = Image.fromarray(trapezoid(0.6).astype(np.uint8) * 255).filter(ImageFilter.BoxBlur(3))
    grain = 0.01 * np.random.default_rng(5).standard_normal((SIZE, SIZE))
    fading = 0.3 + 0.6 * np.asarray(lit, np.float32) / 255 + grain  # a lit middle, 7 px of fade
    fading[60:66, 60:100] = 0.1  # a 7 on it
    fading[66:105, 88:94] = 0.1
    assert uncover_sheet(fading.astype(np.float32)) is None


def cut_sheet_photo(rows: slice, columns: slice, grain: float = 0.01) -> np.ndarray:
    """(160, 160): a turned sheet with a 7 on it on a grainy desk, cropped to `rows` and
    `columns` of a larger photo (so that the sheet may run off it), then scaled back."""
    ys, xs = np.mgrid[0:240, 0:240] - 119.5  # (2, 240, 240) the photo before the crop
    turn = np.deg2rad(10.0)
    along, across = np.cos(turn) * xs + np.sin(turn) * ys, np.cos(turn) * ys - np.sin(turn) * xs
    desk = 0.3 + grain * np.random.default_rng(6).standard_normal((240, 240))
    photo = np.where((np.abs(along) < 60) & (np.abs(across) < 50), 0.9, desk)  # (240, 240)
    photo[100:108, 95:145] = 0.1  # a 7's bar
    photo[108:150, 130:138] = 0.1  # its stem
    crop = photo[rows, columns]
    assert crop.shape == (SIZE, SIZE)
    return crop.astype(np.float32)


@pytest.mark.parametrize(
    ("rows", "columns", "desk"),
    [
        (slice(80, 240), slice(40, 200), (slice(-5, None), slice(None))),  # off the top
        (slice(80, 240), slice(70, 230), (slice(-5, None), slice(None, 100))),  # top and left
    ],
)
def test_a_sheet_running_off_the_photo_on_one_side_or_two_is_found(
    rows: slice, columns: slice, desk: tuple[slice, slice]
) -> None:
    cut = cut_sheet_photo(rows, columns)
    assert cut[0].mean() > 0.6  # the sheet reaches the top ...
    uncovered = uncover_sheet(cut)
    assert uncovered is not None
    assert np.abs(uncovered[desk] - 0.9).max() < 0.05  # ... and the desk below is painted out
    flat = cut_sheet_photo(rows, columns, grain=0.0)  # no desk's grain
    assert uncover_sheet(flat) is None


def test_a_sheet_off_one_side_with_a_margin_line_to_its_edge_is_found() -> None:
    photo = cut_sheet_photo(slice(80, 240), slice(40, 200))  # off the top
    on_sheet = np.flatnonzero(photo[:, 60] > 0.6)  # the sheet's rows in column 60
    photo[on_sheet, 60:62] = 0.2  # a margin line printed down to the sheet's edge
    assert uncover_sheet(photo) is not None  # only a sheet off two sides keeps writing clear


def lit_beside_a_shadow(lit: np.ndarray, ring: tuple[float, float]) -> np.ndarray:
    """(160, 160): grainy paper where (160, 160) bool `lit`, in a shadow as deep as a desk is
    dark elsewhere, and a "0" centred at (x, y) `ring` px from the centre."""
    ys, xs = centred_grid()
    grain = 0.01 * np.random.default_rng(7).standard_normal((SIZE, SIZE))
    photo = np.where(lit, 0.9, 0.45) + grain  # (160, 160)
    photo[np.abs(np.hypot(xs - ring[0], ys - ring[1]) - 18) < 3] -= 0.5
    return photo.astype(np.float32)


def test_paper_lit_beside_a_shadow_is_no_sheet() -> None:
    ys, xs = centred_grid()
    # Lit right of a slanting shadow's edge: off the top and the right side, as a sheet's
    # corner runs off, but the 0 runs on into the shadow, as writing never runs off a sheet.
    corner = xs > 19 + 0.64 * ys  # (160, 160)
    assert uncover_sheet(lit_beside_a_shadow(corner, (25, -30))) is None
    # Lit above a shadow's edge across the page: off three sides, a sheet's corner never.
    band = ys < -20 + 0.3 * xs  # (160, 160)
    assert uncover_sheet(lit_beside_a_shadow(band, (0, -55))) is None


def test_a_light_wedge_is_no_sheet() -> None:
    ys, xs = centred_grid()
    wedge = (ys > -60) & (np.abs(xs) < (ys + 60) * 0.5)  # (160, 160) a filled triangle
    assert uncover_sheet(np.where(wedge, 0.9, 0.1).astype(np.float32)) is None


def bold_ring(thickness: float) -> np.ndarray:
    """(160, 160): a light "0" as bold as asked, on a dark canvas (dark mode)."""
    ys, xs = centred_grid()
    radius = np.hypot(xs / 60, ys / 72)  # (160, 160) an upright ellipse
    return np.where((radius < 1) & (radius > 1 - thickness), 0.85, 0.1).astype(np.float32)


@pytest.mark.parametrize("thickness", [0.2, 0.5, 0.8, 1.0])
def test_a_light_zero_of_any_boldness_is_no_sheet(thickness: float) -> None:
    assert uncover_sheet(bold_ring(thickness)) is None  # even filled, an ellipse is no rectangle


def test_a_thick_light_bar_is_no_sheet() -> None:
    image = np.full((SIZE, SIZE), 0.1, np.float32)
    image[5:155, 50:105] = 0.9  # a "1" as wide as a third of the canvas, as tall as all of it
    assert uncover_sheet(image) is None


def test_thin_light_strokes_and_small_pictures_are_left_alone() -> None:
    canvas = np.full((SIZE, SIZE), 0.1, np.float32)
    canvas[40:120, 76:84] = 0.9  # a thin light "1"
    assert uncover_sheet(canvas) is None
    assert uncover_sheet(sheet_on_desk(0.0)[::6, ::6]) is None  # 27 px: a digit, not a photo
