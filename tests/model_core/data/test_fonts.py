"""Fonts for synthetic pictures: always at least Pillow's own, text drawn centred."""

from __future__ import annotations

import numpy as np

from model_core.data.fonts import centred_text, font_files, random_font


def test_a_random_font_has_the_asked_size_and_draws_centred_ink() -> None:
    rng = np.random.default_rng(0)
    for _ in range(2 * (len(font_files()) + 1)):  # Pillow's own face comes up too, in time
        font = random_font(rng, (60, 61))
        assert font.size == 60  # type: ignore[union-attr]
        ink = np.asarray(centred_text("H", font, 160)) > 128  # (160, 160)
        rows, cols = np.nonzero(ink)
        assert rows.size > 100
        assert abs((rows.min() + rows.max()) / 2 - 79.5) <= 2
        assert abs((cols.min() + cols.max()) / 2 - 79.5) <= 2
