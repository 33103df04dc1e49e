"""Tests for frame.py: a digit is centred by mass in the 28x28 MNIST frame."""

from __future__ import annotations

import numpy as np

from model_core.preprocessing import preprocess_array
from model_core.preprocessing.frame import centre_of_mass
from tests.model_core.preprocessing.helpers import correlation


def test_off_centre_28x28_digit_is_recentred(digit: np.ndarray) -> None:
    shifted = np.zeros_like(digit)
    shifted[:, 3:] = digit[:, :-3]  # three pixels right, still inside the frame
    result = preprocess_array(shifted).image
    assert abs(centre_of_mass(result)[1] - centre_of_mass(digit / 255)[1]) <= 0.5
    assert correlation(result, digit) > 0.95
