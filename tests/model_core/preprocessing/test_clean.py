"""Tests for clean.py: clean drawings take the short way, with the stages' own result; photos,
sheets on a desk and ruled paper never do."""

from __future__ import annotations

import numpy as np
import pytest

from bench.generators import digit_png
from model_core.preprocessing import cut as cut_module
from model_core.preprocessing import decode_image, normalize_digit
from model_core.preprocessing import normalize as normalize_module
from model_core.preprocessing.clean import CLEAN_SIDE, clean_paper
from tests.upload_styles import render


def gray_of(data: bytes) -> np.ndarray:
    return decode_image(data).gray  # (H, W)


def test_a_canvas_drawing_and_a_raw_digit_take_the_short_way(digit: np.ndarray) -> None:
    canvas = clean_paper(gray_of(digit_png()))
    assert canvas is not None and canvas.inverted and canvas.level == 1.0
    raw = clean_paper(digit.astype(np.float32) / 255)
    assert raw is not None and not raw.inverted and raw.level == 0.0


@pytest.mark.parametrize("style", ["photo", "shadow", "desk", "lined", "graph", "scan"])
def test_photos_sheets_on_a_desk_and_ruled_paper_do_not(style: str, digits: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    for digit in digits[:5]:
        assert clean_paper(gray_of(render(style, digit, rng))) is None


def test_a_light_sheet_on_a_flat_dark_desk_is_left_to_the_stages() -> None:
    photo = np.zeros((160, 160), dtype=np.float32)
    photo[20:140, 30:130] = 0.9  # a sheet over half the picture, the desk exactly flat
    photo[60:100, 75:80] = 0.1  # a "1" on it
    assert clean_paper(photo) is None


@pytest.mark.parametrize("style", ["canvas", "transparent", "raw"])
def test_the_short_way_gives_what_the_stages_give(
    style: str, digits: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(11)
    grays = [gray_of(render(style, digit, rng)) for digit in digits[:20]]
    short = [normalize_digit(gray) for gray in grays]
    monkeypatch.setattr(normalize_module, "clean_paper", lambda gray, span: None)  # all stages ...
    monkeypatch.setattr(cut_module, "FINE_SIDE", CLEAN_SIDE)  # ... the cut at the short way's scale
    for gray, (image, info) in zip(grays, short, strict=True):
        staged, staged_info = normalize_digit(gray)
        assert np.array_equal(image, staged) and info == staged_info
