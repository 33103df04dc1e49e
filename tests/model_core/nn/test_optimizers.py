"""Optimizers against hand-written torch.optim update formulas."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from model_core.nn import optimizers
from model_core.nn.optimizers import OPTIMIZERS, SGD, Adam, AdamW, Optimizer, RMSProp

P0 = np.array([[0.5, -1.0, 2.0]])  # (1, 3): two-dimensional, so weight decay applies
G1 = np.array([[0.2, -0.4, 1.0]])  # (1, 3) gradient at step 1
G2 = np.array([[-0.1, 0.3, 0.5]])  # (1, 3) gradient at step 2
RTOL = 1e-12


def two_steps(opt_factory: Callable[[dict[str, np.ndarray]], Optimizer]) -> np.ndarray:
    """Run two steps from P0 with gradients G1 then G2; return the parameter after each."""
    p = P0.copy()  # (1, 3)
    opt = opt_factory({"w": p})
    opt.step({"w": G1.copy()})
    after1 = p.copy()  # (1, 3)
    opt.step({"w": G2.copy()})
    return np.stack([after1, p])  # (2, 1, 3)


def test_sgd_plain() -> None:
    lr = 0.1
    p1 = P0 - lr * G1
    p2 = p1 - lr * G2
    np.testing.assert_allclose(two_steps(lambda ps: SGD(ps, lr=lr)), [p1, p2], rtol=RTOL)
    # The numbers themselves, by hand: 0.5 - 0.1 * 0.2 - 0.1 * (-0.1) = 0.49.
    assert two_steps(lambda ps: SGD(ps, lr=lr))[1, 0, 0] == pytest.approx(0.49, rel=RTOL)


def test_sgd_momentum() -> None:
    lr, mu = 0.1, 0.9
    buf1 = G1  # first step: buf = g
    p1 = P0 - lr * buf1
    buf2 = mu * buf1 + G2
    p2 = p1 - lr * buf2
    got = two_steps(lambda ps: SGD(ps, lr=lr, momentum=mu))
    np.testing.assert_allclose(got, [p1, p2], rtol=RTOL)
    # By hand, first element: 0.5 - 0.02 - 0.1 * (0.18 - 0.1) = 0.472.
    assert got[1, 0, 0] == pytest.approx(0.472, rel=RTOL)


def test_sgd_nesterov() -> None:
    lr, mu = 0.1, 0.9
    buf1 = G1
    p1 = P0 - lr * (G1 + mu * buf1)
    buf2 = mu * buf1 + G2
    p2 = p1 - lr * (G2 + mu * buf2)
    got = two_steps(lambda ps: SGD(ps, lr=lr, momentum=mu, nesterov=True))
    np.testing.assert_allclose(got, [p1, p2], rtol=RTOL)


def test_sgd_weight_decay() -> None:
    lr, wd = 0.1, 0.01
    p1 = P0 - lr * (G1 + wd * P0)
    p2 = p1 - lr * (G2 + wd * p1)
    got = two_steps(lambda ps: SGD(ps, lr=lr, weight_decay=wd))
    np.testing.assert_allclose(got, [p1, p2], rtol=RTOL)


def test_sgd_momentum_with_weight_decay() -> None:
    lr, mu, wd = 0.1, 0.9, 0.01
    d1 = G1 + wd * P0
    buf1 = d1
    p1 = P0 - lr * buf1
    d2 = G2 + wd * p1
    buf2 = mu * buf1 + d2
    p2 = p1 - lr * buf2
    got = two_steps(lambda ps: SGD(ps, lr=lr, momentum=mu, weight_decay=wd))
    np.testing.assert_allclose(got, [p1, p2], rtol=RTOL)


def _adam_reference(
    lr: float, b1: float, b2: float, eps: float, wd: float, decoupled: bool
) -> list[np.ndarray]:
    """torch.optim.Adam / AdamW, written out for two steps."""
    m = np.zeros_like(P0)
    v = np.zeros_like(P0)
    p = P0.copy()
    out = []
    for t, g in ((1, G1), (2, G2)):
        if decoupled:
            p = p * (1.0 - lr * wd)
        else:
            g = g + wd * p
        m = b1 * m + (1.0 - b1) * g
        v = b2 * v + (1.0 - b2) * g * g
        m_hat = m / (1.0 - b1**t)
        v_hat = v / (1.0 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


@pytest.mark.parametrize("part", [None, 2], ids=["whole", "parts-of-2"])
def test_adam(part: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if part is not None:  # 3 elements updated as parts of 2 and 1
        monkeypatch.setattr(optimizers, "PART", part)
    got = two_steps(lambda ps: Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8))
    np.testing.assert_allclose(got, _adam_reference(0.01, 0.9, 0.999, 1e-8, 0.0, False), rtol=RTOL)
    # By hand: Adam's first step moves every coordinate by about lr against the gradient sign.
    np.testing.assert_allclose(got[0], P0 - 0.01 * np.sign(G1), rtol=1e-6)


def test_adam_updates_a_parameter_that_is_not_contiguous() -> None:
    """A transposed view is updated whole, in place, as its contiguous copy is in parts."""
    rng = np.random.default_rng(5)
    weight, grads = rng.standard_normal((4, 3)), [rng.standard_normal((3, 4)) for _ in range(2)]
    view, flat, before = weight.T, weight.T.copy(), weight.T.copy()  # (3, 4); a view, 2 copies
    for p in (view, flat):
        opt = Adam({"w": p}, lr=0.01)
        for g in grads:
            opt.step({"w": g})
    assert not view.flags.c_contiguous
    np.testing.assert_allclose(view, flat, rtol=1e-15)
    assert np.all(view != before)  # every coordinate moved


def test_adam_l2_weight_decay() -> None:
    got = two_steps(lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1))
    expected = _adam_reference(0.01, 0.8, 0.99, 1e-6, 0.1, False)
    np.testing.assert_allclose(got, expected, rtol=RTOL)


def test_adamw_decoupled_weight_decay() -> None:
    got = two_steps(lambda ps: AdamW(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1))
    expected = _adam_reference(0.01, 0.8, 0.99, 1e-6, 0.1, True)
    np.testing.assert_allclose(got, expected, rtol=RTOL)
    # Decoupled and L2 decay really differ (so the two tests above are not the same test).
    l2 = _adam_reference(0.01, 0.8, 0.99, 1e-6, 0.1, False)
    assert not np.allclose(expected[1], l2[1], rtol=1e-6, atol=0)


def test_adam_decoupled_flag_is_adamw() -> None:
    a = two_steps(lambda ps: Adam(ps, lr=0.01, weight_decay=0.1, decoupled=True))
    b = two_steps(lambda ps: AdamW(ps, lr=0.01, weight_decay=0.1))
    np.testing.assert_array_equal(a, b)


def _rmsprop_reference(lr: float, alpha: float, eps: float, mu: float) -> list[np.ndarray]:
    """torch.optim.RMSprop (centered=False), written out for two steps."""
    sq = np.zeros_like(P0)
    buf = np.zeros_like(P0)
    p = P0.copy()
    out = []
    for g in (G1, G2):
        sq = alpha * sq + (1.0 - alpha) * g * g
        step = g / (np.sqrt(sq) + eps)
        if mu:
            buf = mu * buf + step
            step = buf
        p = p - lr * step
        out.append(p)
    return out


@pytest.mark.parametrize("momentum", [0.0, 0.9], ids=["plain", "momentum"])
def test_rmsprop(momentum: float) -> None:
    got = two_steps(lambda ps: RMSProp(ps, lr=0.01, alpha=0.9, eps=1e-8, momentum=momentum))
    np.testing.assert_allclose(got, _rmsprop_reference(0.01, 0.9, 1e-8, momentum), rtol=RTOL)


def test_rmsprop_first_step_by_hand() -> None:
    # sq = 0.1 g^2, so the step is lr * g / (sqrt(0.1) |g|) = lr * sign(g) / sqrt(0.1).
    got = two_steps(lambda ps: RMSProp(ps, lr=0.01, alpha=0.9, eps=0.0))
    np.testing.assert_allclose(got[0], P0 - 0.01 * np.sign(G1) / math.sqrt(0.1), rtol=RTOL)


ALL_OPTIMIZERS: list[tuple[str, Callable[[dict[str, np.ndarray]], Optimizer]]] = [
    ("sgd", lambda ps: SGD(ps, lr=0.1)),
    ("sgd-momentum", lambda ps: SGD(ps, lr=0.1, momentum=0.9)),
    ("sgd-nesterov", lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True)),
    ("adam", lambda ps: Adam(ps, lr=0.1)),
    ("adamw", lambda ps: AdamW(ps, lr=0.1)),
    ("rmsprop", lambda ps: RMSProp(ps, lr=0.1)),
    ("rmsprop-momentum", lambda ps: RMSProp(ps, lr=0.1, momentum=0.9)),
]
DECAYING: list[tuple[str, Callable[[dict[str, np.ndarray]], Optimizer]]] = [
    ("sgd", lambda ps: SGD(ps, lr=0.1, weight_decay=0.5)),
    ("sgd-momentum", lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.5)),
    ("adam", lambda ps: Adam(ps, lr=0.1, weight_decay=0.5)),
    ("adamw", lambda ps: AdamW(ps, lr=0.1, weight_decay=0.5)),
    ("rmsprop", lambda ps: RMSProp(ps, lr=0.1, weight_decay=0.5)),
]


@pytest.mark.parametrize(("name", "factory"), DECAYING, ids=[n for n, _ in DECAYING])
def test_weight_decay_skips_one_dimensional_params(
    name: str, factory: Callable[[dict[str, np.ndarray]], Optimizer]
) -> None:
    weight = np.array([[1.0, -2.0], [3.0, 0.5]])  # (2, 2)
    bias = np.array([1.0, -2.0])  # (2,) bias / BatchNorm scale: never decayed
    opt = factory({"weight": weight, "bias": bias})

    for _ in range(2):  # zero gradients: only weight decay can move anything
        opt.step({"weight": np.zeros_like(weight), "bias": np.zeros_like(bias)})

    np.testing.assert_array_equal(bias, [1.0, -2.0])
    assert np.all(weight != [[1.0, -2.0], [3.0, 0.5]]), name  # the weight was decayed


@pytest.mark.parametrize(("name", "factory"), ALL_OPTIMIZERS, ids=[n for n, _ in ALL_OPTIMIZERS])
def test_updates_in_place(name: str, factory: Callable[[dict[str, np.ndarray]], Optimizer]) -> None:
    weight = P0.copy()  # (1, 3)
    bias = np.array([0.1, 0.2, 0.3])  # (3,)
    params = {"weight": weight, "bias": bias}
    opt = factory(params)

    opt.step({"weight": G1.copy(), "bias": np.ones(3)})
    opt.step({"weight": G2.copy(), "bias": np.ones(3)})

    assert params["weight"] is weight and params["bias"] is bias, name
    assert opt.params["weight"] is weight and opt.params["bias"] is bias, name
    assert not np.array_equal(weight, P0), name  # the caller's own arrays moved
    assert np.all(bias < [0.1, 0.2, 0.3]), name  # positive gradient: every bias went down
    assert opt.steps == 2


@pytest.mark.parametrize(("name", "factory"), ALL_OPTIMIZERS, ids=[n for n, _ in ALL_OPTIMIZERS])
def test_missing_gradient_raises_key_error(
    name: str, factory: Callable[[dict[str, np.ndarray]], Optimizer]
) -> None:
    weight = P0.copy()  # (1, 3)
    bias = np.zeros(3)  # (3,)
    opt = factory({"weight": weight, "bias": bias})

    with pytest.raises(KeyError, match="bias"):
        opt.step({"weight": G1.copy()})
    np.testing.assert_array_equal(weight, P0)  # nothing was half-updated


def test_registry_names() -> None:
    expected = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSProp}
    assert expected == OPTIMIZERS


def test_learning_rate_can_change_between_steps() -> None:
    p = P0.copy()  # (1, 3)
    opt = SGD({"w": p}, lr=0.1)
    opt.step({"w": G1.copy()})
    opt.lr = 0.01
    opt.step({"w": G2.copy()})
    np.testing.assert_allclose(p, P0 - 0.1 * G1 - 0.01 * G2, rtol=RTOL)
