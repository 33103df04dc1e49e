"""A hand-drawn 7 for the data tests."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw


@pytest.fixture
def digit_7() -> np.ndarray:
    """(28, 28) uint8 white-on-black 7 drawn with a 3 px pen."""
    image = Image.new("L", (28, 28), 0)
    ImageDraw.Draw(image).line([(6, 6), (21, 6), (11, 23)], fill=255, width=3)
    return np.asarray(image)
