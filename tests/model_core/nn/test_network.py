"""Sequential: training end to end, prediction, parameter naming, shapes, summary, presets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model_core.nn import presets
from model_core.nn.layers import (
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
)
from model_core.nn.losses import softmax, softmax_cross_entropy
from model_core.nn.network import Sequential
from model_core.nn.optimizers import Adam


def tiny_net(rng: np.random.Generator, dtype: type = np.float64) -> Sequential:
    layers: list[Layer] = [
        Conv2D(1, 8, 3, rng=rng, dtype=dtype),  # (6, 6, 8)
        ReLU(),
        MaxPool2D(2),  # (3, 3, 8)
        Flatten(),  # (72,)
        Dense(72, 10, rng=rng, dtype=dtype),  # (10,)
    ]
    return Sequential(layers, (8, 8, 1))


def bn_net(rng: np.random.Generator) -> Sequential:
    layers: list[Layer] = [
        Conv2D(1, 4, 3, padding=1, rng=rng, dtype=np.float64),  # (8, 8, 4)
        BatchNorm(4, dtype=np.float64),
        ReLU(),
        MaxPool2D(2),  # (4, 4, 4)
        Flatten(),  # (64,)
        Dense(64, 16, rng=rng, dtype=np.float64),  # (16,)
        Dropout(0.5, rng=rng),
        Dense(16, 10, rng=rng, dtype=np.float64),  # (10,)
    ]
    return Sequential(layers, (8, 8, 1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiny_network_overfits_a_fixed_batch(dtype: type) -> None:
    rng = np.random.default_rng(700)
    x = rng.standard_normal((32, 8, 8, 1)).astype(dtype)  # (N, H, W, C)
    y = rng.integers(0, 10, size=32)  # (N,) random labels: only memorisation can fit them
    net = tiny_net(rng, dtype)
    opt = Adam(net.params, lr=0.01)
    first_loss = softmax_cross_entropy(net.forward(x), y)[0]

    for _ in range(200):
        loss, dlogits = softmax_cross_entropy(net.forward(x, training=True), y)  # (N, 10)
        net.backward(dlogits)
        opt.step(net.grads)

    assert np.mean(net.predict(x) == y) == 1.0
    assert loss < 0.05 * first_loss
    assert net.forward(x).dtype == dtype


def test_predict_proba_is_softmax_of_forward_and_chunked() -> None:
    rng = np.random.default_rng(710)
    net = bn_net(rng)
    net.forward(rng.standard_normal((16, 8, 8, 1)), training=True)  # non-trivial running stats
    x = rng.standard_normal((10, 8, 8, 1))  # (N, H, W, C)

    probs = net.predict_proba(x)  # (N, 10)
    chunked = net.predict_proba(x, batch_size=3)  # chunks of 3, 3, 3, 1

    assert probs.shape == (10, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(probs, softmax(net.forward(x)), rtol=1e-12)
    np.testing.assert_allclose(chunked, probs, rtol=1e-12)
    np.testing.assert_array_equal(net.predict(x), probs.argmax(axis=1))
    # Inference is per-sample: one sample alone gives the same row (up to BLAS rounding).
    np.testing.assert_allclose(net.predict_proba(x[:1]), probs[:1], rtol=1e-12)


def test_predict_proba_rejects_a_wrong_input_shape() -> None:
    net = tiny_net(np.random.default_rng(715))
    with pytest.raises(ValueError, match="expected input"):
        net.predict_proba(np.zeros((2, 8, 8)))  # missing channel axis
    with pytest.raises(ValueError, match="expected input"):
        net.predict_proba(np.zeros((2, 9, 8, 1)))


def test_params_and_grads_share_names() -> None:
    net = bn_net(np.random.default_rng(720))

    expected = {
        "0.weight",
        "0.bias",
        "1.gamma",
        "1.beta",
        "5.weight",
        "5.bias",
        "7.weight",
        "7.bias",
    }
    assert set(net.params) == expected
    assert set(net.grads) == expected
    assert set(net.state) == {"1.running_mean", "1.running_var"}
    for name, p in net.params.items():
        assert net.grads[name].shape == p.shape, name
    assert net.params["0.weight"] is net.layers[0].params["weight"]  # references, not copies
    assert net.params["0.weight"].shape == (3, 3, 1, 4)


def test_backward_fills_grads_and_skips_the_first_input_gradient() -> None:
    rng = np.random.default_rng(725)
    net = bn_net(rng)
    x = rng.standard_normal((4, 8, 8, 1))  # (N, H, W, C)
    logits = net.forward(x, training=True)  # (N, 10)
    _, dlogits = softmax_cross_entropy(logits, np.array([1, 2, 3, 4]))

    assert net.layers[0].input_grad is False
    assert net.backward(dlogits) is None
    assert all(np.any(g != 0) for name, g in net.grads.items() if name != "0.bias")


def test_num_params_seed_by_hand() -> None:
    net = presets.build("seed", np.random.default_rng(730))
    assert net.num_params() == (8 * 9 + 8) + (1352 * 10 + 10) == 13610


def test_num_params_lenet_by_hand() -> None:
    net = presets.build("lenet", np.random.default_rng(731))
    conv1 = 3 * 3 * 1 * 32 + 32  # 320
    conv2 = 3 * 3 * 32 * 64 + 64  # 18496
    dense1 = 7 * 7 * 64 * 128 + 128  # 401536
    dense2 = 128 * 10 + 10  # 1290
    assert net.num_params() == conv1 + conv2 + dense1 + dense2 == 421642


def test_summary_lists_every_layer_and_the_total() -> None:
    net = presets.build("seed", np.random.default_rng(740))

    text = net.summary()

    for i, name in enumerate(["Conv2D", "MaxPool2D", "Flatten", "Dense"]):
        assert f"{i} {name}" in text
    assert "(None, 26, 26, 8)" in text
    assert "(None, 13, 13, 8)" in text
    assert "(None, 1352)" in text
    assert "(None, 10)" in text
    assert "13,530" in text  # the dense layer's own count
    assert "Total params: 13,610" in text
    assert len(text.splitlines()) == 2 + len(net.layers) + 3


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_architecture_round_trip(name: str) -> None:
    net = presets.build(name, np.random.default_rng(750))

    arch = net.architecture()
    rebuilt = Sequential.from_architecture(arch, rng=np.random.default_rng(751))

    assert rebuilt.architecture() == arch
    assert rebuilt.shapes == net.shapes
    assert [type(a) for a in rebuilt.layers] == [type(b) for b in net.layers]
    assert {k: v.shape for k, v in rebuilt.params.items()} == {
        k: v.shape for k, v in net.params.items()
    }


def test_architecture_is_plain_json() -> None:
    net = bn_net(np.random.default_rng(752))
    arch = net.architecture()

    assert arch["input_shape"] == [8, 8, 1]
    assert arch["layers"][0] == {
        "type": "Conv2D",
        "in_channels": 1,
        "out_channels": 4,
        "kernel_size": 3,
        "stride": 1,
        "padding": 1,
    }
    assert arch["layers"][6] == {"type": "Dropout", "rate": 0.5}


def test_from_architecture_without_rng_gives_zero_weights() -> None:
    net = presets.build("seed", np.random.default_rng(753))
    rebuilt = Sequential.from_architecture(net.architecture())
    assert all(not np.any(p) for p in rebuilt.params.values())


def test_from_architecture_unknown_layer_type() -> None:
    arch = {"input_shape": [8, 8, 1], "layers": [{"type": "Flatten"}, {"type": "Softmax"}]}
    with pytest.raises(ValueError, match=r"layer 1: unknown layer type 'Softmax'"):
        Sequential.from_architecture(arch)


def test_from_architecture_bad_config() -> None:
    arch = {"input_shape": [8, 8, 1], "layers": [{"type": "Dense", "in_features": 64}]}
    with pytest.raises(ValueError, match=r"layer 0 \(Dense\)"):
        Sequential.from_architecture(arch)


def test_mismatched_shapes_name_the_layer() -> None:
    rng = np.random.default_rng(760)
    layers: list[Layer] = [
        Conv2D(1, 8, 3, rng=rng),  # (6, 6, 8)
        MaxPool2D(2),  # (3, 3, 8)
        Flatten(),  # (72,)
        Dense(100, 10, rng=rng),  # expects 100 features: wrong
    ]
    with pytest.raises(ValueError, match=r"layer 3 \(Dense\(in_features=100") as info:
        Sequential(layers, (8, 8, 1))
    assert "(72,)" in str(info.value)


def test_channel_mismatch_names_the_layer() -> None:
    rng = np.random.default_rng(761)
    layers: list[Layer] = [Conv2D(1, 8, 3, rng=rng), Conv2D(4, 8, 3, rng=rng)]
    with pytest.raises(ValueError, match=r"layer 1 \(Conv2D"):
        Sequential(layers, (8, 8, 1))


def test_empty_network_raises() -> None:
    with pytest.raises(ValueError):
        Sequential([], (8, 8, 1))


# --- presets ------------------------------------------------------------------------------------


def test_seed_preset_shapes() -> None:
    net = presets.build("seed", np.random.default_rng(770))
    x = np.random.default_rng(771).random((2, 28, 28, 1)).astype(np.float32)  # (N, 28, 28, 1)

    shapes = []
    out = x
    for layer in net.layers:
        out = layer.forward(out)
        shapes.append(out.shape)

    assert net.input_shape == (28, 28, 1)
    assert net.shapes == [(26, 26, 8), (13, 13, 8), (1352,), (10,)]
    assert shapes == [(2, 26, 26, 8), (2, 13, 13, 8), (2, 1352), (2, 10)]
    dense = net.layers[3]
    assert isinstance(dense, Dense)
    assert dense.params["weight"].shape == (1352, 10)
    assert net.layers[0].params["weight"].shape == (3, 3, 1, 8)


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_presets_build_and_predict(name: str, dtype: type) -> None:
    net = presets.build(name, np.random.default_rng(780), dtype)
    x = np.random.default_rng(781).random((3, 28, 28, 1)).astype(dtype)  # (N, 28, 28, 1)

    probs = net.predict_proba(x)  # (N, 10)

    assert net.shapes[-1] == (10,)
    assert probs.shape == (3, 10)
    assert all(p.dtype == dtype for p in net.params.values())
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_presets_are_seeded() -> None:
    a = presets.build("lenet", np.random.default_rng(790))
    b = presets.build("lenet", np.random.default_rng(790))
    c = presets.build("lenet", np.random.default_rng(791))
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["0.weight"], c.params["0.weight"])


def test_he_normal_scale() -> None:
    net = presets.build("lenet", np.random.default_rng(795), np.float64)
    w = net.params["7.weight"]  # (3136, 128): 401408 draws
    assert w.std() == pytest.approx(math.sqrt(2.0 / 3136), rel=0.01)
    assert not np.any(net.params["7.bias"])


def test_unknown_preset() -> None:
    with pytest.raises(ValueError, match="unknown preset 'resnet'"):
        presets.build("resnet", np.random.default_rng(0))
    assert presets.DEFAULT_PRESET in presets.PRESETS
