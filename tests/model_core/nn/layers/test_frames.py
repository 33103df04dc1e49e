"""Tests for frames.py: columns become frames, and back."""

from __future__ import annotations

import numpy as np

from model_core.nn.layers import Dense, FrameConv, ToFrames
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


def test_frame_conv_of_width_one_is_to_frames_then_dense() -> None:
    rng = np.random.default_rng(82)
    conv = FrameConv(3 * 5, 6, 1, rng=rng)
    dense = Dense(3 * 5, 6, rng=rng)
    dense.params["weight"][...] = conv.params["weight"][0]
    dense.params["bias"][...] = rng.standard_normal(6)
    conv.params["bias"][...] = dense.params["bias"]
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)  # (N, H, W, C)

    np.testing.assert_allclose(conv.forward(x), dense.forward(ToFrames().forward(x)), rtol=1e-5)


def test_frame_conv_reads_the_neighbouring_columns_and_zeros_past_the_ends() -> None:
    rng = np.random.default_rng(83)
    conv = FrameConv(2, 1, 3, rng=rng)
    x = np.zeros((1, 1, 5, 2))  # (N, H, W, C)
    x[0, 0, 2] = [1.0, 2.0]  # one column lit

    out = frames_of(conv.forward(x), 1)[0, :, 0]  # (W,)

    left, centre, right = conv.params["weight"][:, :, 0] @ [1.0, 2.0]  # (3,) per neighbour
    np.testing.assert_allclose(out, [0, right, centre, left, 0])
    assert conv.output_shape((1, 5, 2)) == (1,)


def test_frame_conv_gradients() -> None:
    rng = np.random.default_rng(84)
    layer = FrameConv(3 * 2, 4, 5, rng=rng, dtype=np.float64)
    check_layer_grads(layer, rng.standard_normal((2, 3, 6, 2)), rng)
