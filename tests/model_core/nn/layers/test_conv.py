"""Tests for conv.py: Conv2D gradients by finite differences and against plain nested loops."""

from __future__ import annotations

import numpy as np
import pytest

from model_core.nn.layers import Conv2D, conv
from tests.model_core.nn.gradcheck import check_layer_grads
from tests.model_core.nn.layers.helpers import (
    F64,
    TOL,
    conv_backward_loops,
    conv_forward_loops,
    out_len,
)

CONV_CASES = [
    # kernel, stride, padding, c_in, c_out, H, W
    pytest.param(1, 1, 0, 2, 3, 5, 4, id="k1-s1-p0"),
    pytest.param(1, 2, 1, 3, 2, 5, 6, id="k1-s2-p1"),
    pytest.param(2, 2, 0, 3, 2, 6, 5, id="k2-s2-p0-uneven-W"),
    pytest.param(2, 1, 1, 2, 2, 4, 5, id="k2-s1-p1"),
    pytest.param(3, 1, 0, 2, 4, 6, 5, id="k3-s1-p0"),
    pytest.param(3, 1, 1, 2, 3, 5, 7, id="k3-s1-p1"),
    pytest.param(3, 2, 1, 3, 2, 7, 6, id="k3-s2-p1-uneven"),
    pytest.param(3, 3, 2, 2, 3, 8, 7, id="k3-s3-p2-uneven"),
    pytest.param(5, 1, 2, 2, 2, 6, 5, id="k5-s1-p2"),
    pytest.param(5, 3, 0, 1, 3, 9, 8, id="k5-s3-p0-uneven"),
    pytest.param(5, 2, 1, 2, 2, 7, 9, id="k5-s2-p1"),
]


@pytest.mark.parametrize(("k", "s", "p", "c_in", "c_out", "h", "w"), CONV_CASES)
def test_conv2d_gradients(k: int, s: int, p: int, c_in: int, c_out: int, h: int, w: int) -> None:
    rng = np.random.default_rng(10 + k * 7 + s * 3 + p)
    layer = Conv2D(c_in, c_out, k, stride=s, padding=p, rng=rng, dtype=F64)
    layer.params["bias"][:] = rng.standard_normal(c_out)  # (C_out,)
    x = rng.standard_normal((2, h, w, c_in))  # (N, H, W, C_in)

    errors = check_layer_grads(layer, x, rng)

    assert set(errors) == {"dx", "weight", "bias"}


LOOP_CASES = [
    # kernel, stride, padding, c_in, c_out, H, W
    pytest.param(1, 1, 0, 3, 2, 4, 5, id="k1"),
    pytest.param(3, 1, 0, 2, 3, 6, 5, id="k3-s1-p0"),
    pytest.param(3, 1, 1, 3, 4, 5, 6, id="k3-s1-p1-same"),
    pytest.param(3, 2, 1, 2, 3, 7, 6, id="k3-s2-p1-uneven"),
    pytest.param(2, 2, 0, 2, 2, 5, 8, id="k2-s2-uneven"),
    pytest.param(5, 3, 2, 2, 3, 9, 7, id="k5-s3-p2-uneven"),
    pytest.param(4, 1, 2, 1, 2, 5, 4, id="k4-s1-p2"),
]


@pytest.mark.parametrize("images_a_part", [None, 1, 2], ids=["whole", "parts-of-1", "parts-of-2"])
@pytest.mark.parametrize(("k", "s", "p", "c_in", "c_out", "h", "w"), LOOP_CASES)
def test_conv2d_matches_loops(
    k: int,
    s: int,
    p: int,
    c_in: int,
    c_out: int,
    h: int,
    w: int,
    images_a_part: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(200 + 11 * k + 5 * s + p)
    layer = Conv2D(c_in, c_out, k, stride=s, padding=p, rng=rng, dtype=np.float64)
    layer.params["bias"][:] = rng.standard_normal(c_out)  # (C_out,)
    weight, bias = layer.params["weight"], layer.params["bias"]
    x = rng.standard_normal((3, h, w, c_in))  # (N, H, W, C_in)
    ho, wo = out_len(h, k, s, p), out_len(w, k, s, p)
    if images_a_part is not None:  # the batch in parts, the last one shorter for 2
        image_bytes = ho * wo * k * k * max(c_in, c_out) * 8
        monkeypatch.setattr(conv, "CHUNK_BYTES", images_a_part * image_bytes)
        assert len(layer._chunks(3, ho * wo)) == -(-3 // images_a_part)

    out = layer.forward(x, training=True)  # (N, Ho, Wo, C_out)
    expected_out = conv_forward_loops(x, weight, bias, s, p)  # (N, Ho, Wo, C_out)
    assert out.shape == expected_out.shape == (3, ho, wo, c_out)
    np.testing.assert_allclose(out, expected_out, rtol=TOL, atol=TOL)

    dout = rng.standard_normal(out.shape)  # (N, Ho, Wo, C_out)
    dx = layer.backward(dout)  # (N, H, W, C_in)
    expected_dx, expected_dw, expected_db = conv_backward_loops(x, weight, dout, s, p)
    assert dx is not None
    np.testing.assert_allclose(dx, expected_dx, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(layer.grads["weight"], expected_dw, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(layer.grads["bias"], expected_db, rtol=TOL, atol=TOL)


def test_conv2d_identity_kernel_copies_the_input() -> None:
    """A hand-built case: a centred one-hot 3x3 kernel with padding 1 is the identity."""
    x = np.random.default_rng(500).standard_normal((1, 4, 5, 2))  # (N, H, W, C)
    layer = Conv2D(2, 2, 3, padding=1, dtype=np.float64)  # no rng: zero weights
    layer.params["weight"][1, 1] = np.eye(2)  # (C_in, C_out) at the kernel centre

    np.testing.assert_array_equal(layer.forward(x), x)


def test_conv2d_without_bias_has_no_bias_to_learn_and_rebuilds_so() -> None:
    rng = np.random.default_rng(510)
    layer = Conv2D(2, 3, 3, padding=1, rng=rng, dtype=F64, bias=False)
    with_bias = Conv2D(2, 3, 3, padding=1, dtype=F64)  # zero bias, same weight below
    with_bias.params["weight"][...] = layer.params["weight"]
    x = rng.standard_normal((2, 5, 4, 2))  # (N, H, W, C_in)

    assert set(layer.params) == set(layer.grads) == {"weight"}
    np.testing.assert_array_equal(layer.forward(x), with_bias.forward(x))
    assert set(check_layer_grads(layer, x, rng)) == {"dx", "weight"}
    assert layer.config()["bias"] is False
    assert "bias" not in with_bias.config()  # saved architectures keep their old form
    assert "bias" not in Conv2D(**layer.config(), dtype=F64).params
