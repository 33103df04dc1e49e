"""Tests for frames.py: columns become frames, and back."""

from __future__ import annotations

import numpy as np

from model_core.nn.layers import ToFrames
from model_core.nn.layers.frames import frames_of
from tests.model_core.nn.gradcheck import check_layer_grads


def test_each_frame_is_one_column_rows_then_channels() -> None:
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)  # (N, H, W, C)

    out = ToFrames().forward(x)  # (N*W, H*C)

    assert out.shape == (8, 15)
    np.testing.assert_array_equal(out[1 * 4 + 2], x[1, :, 2, :].ravel())
    np.testing.assert_array_equal(frames_of(out, 2)[1, 2], out[6])
    assert ToFrames().output_shape((3, 4, 5)) == (15,)


def test_frames_gradients() -> None:
    rng = np.random.default_rng(81)
    check_layer_grads(ToFrames(), rng.standard_normal((2, 3, 4, 5)), rng)
