"""Optimizers: they live outside the layers and update parameters in place, keyed by name.

Weight decay applies to weights (arrays of two or more dimensions) and never to biases or
BatchNorm scales and shifts, the usual practice.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

Params = dict[str, np.ndarray]
PART = 2**16  # elements of a parameter updated at a time, 256 KB a float32 array


class Optimizer:
    """Holds references to the parameters it updates; `lr` may be changed between steps."""

    def __init__(self, params: Params, lr: float, weight_decay: float = 0.0) -> None:
        self.params = params
        self.lr = lr
        self.weight_decay = weight_decay
        self.steps = 0

    def step(self, grads: Params) -> None:
        missing = self.params.keys() - grads.keys()
        if missing:
            raise KeyError(f"no gradient for parameters: {sorted(missing)}")
        self.steps += 1
        for name, p in self.params.items():
            self._update(name, p, grads[name])

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def _decays(self, p: np.ndarray) -> bool:
        return self.weight_decay > 0.0 and p.ndim >= 2

    def _slot(self, slots: Params, name: str, p: np.ndarray) -> np.ndarray:
        if name not in slots:
            slots[name] = np.zeros_like(p)
        return slots[name]


class SGD(Optimizer):
    """SGD with optional (Nesterov) momentum and L2 weight decay, as torch.optim.SGD."""

    def __init__(
        self,
        params: Params,
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum, self.nesterov = momentum, nesterov
        self.velocity: Params = {}

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        if self._decays(p):
            g = g + self.weight_decay * p
        if self.momentum:
            if name not in self.velocity:
                self.velocity[name] = g.copy()
            else:
                buf = self.velocity[name]
                buf *= self.momentum
                buf += g
            buf = self.velocity[name]
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g


class Adam(Optimizer):
    """Adam with bias correction; `decoupled=True` is AdamW (decay applied to the weights)."""

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled: bool = False,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.beta1, self.beta2 = betas
        self.eps, self.decoupled = eps, decoupled
        self.m: Params = {}
        self.v: Params = {}

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        if self._decays(p):
            if self.decoupled:
                p *= 1.0 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * p
        m, v = self._slot(self.m, name, p), self._slot(self.v, name, p)
        t = self.steps
        step_size = self.lr / (1.0 - self.beta1**t)
        correction = 1.0 / np.sqrt(1.0 - self.beta2**t)
        scratch = np.empty(min(p.size, PART), dtype=p.dtype)
        for pp, gg, mm, vv in _parts(p, g, m, v):  # thirteen passes over a part in cache
            small = pp.size <= scratch.size  # not so only for a large array not contiguous
            tmp = scratch[: pp.size].reshape(pp.shape) if small else np.empty_like(pp)
            np.subtract(gg, mm, out=tmp)
            tmp *= 1.0 - self.beta1
            mm += tmp  # m += (1 - beta1) (g - m)
            np.multiply(gg, gg, out=tmp)
            tmp -= vv
            tmp *= 1.0 - self.beta2
            vv += tmp  # v += (1 - beta2) (g^2 - v)
            np.sqrt(vv, out=tmp)
            tmp *= correction
            tmp += self.eps  # sqrt(v / (1 - beta2^t)) + eps
            np.divide(mm, tmp, out=tmp)
            tmp *= step_size
            pp -= tmp


def _parts(*arrays: np.ndarray) -> Iterator[tuple[np.ndarray, ...]]:
    """Equal-shaped arrays as flat parts of PART elements, taken together: an update's passes
    then run over data in the core's cache, not over whole arrays in memory. Arrays that are
    not contiguous are given whole."""
    if not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]  # views
    for start in range(0, flat[0].size, PART):
        yield tuple(a[start : start + PART] for a in flat)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter)."""

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True)


class RMSProp(Optimizer):
    """RMSProp with optional momentum, as torch.optim.RMSprop."""

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, weight_decay)
        self.alpha, self.eps, self.momentum = alpha, eps, momentum
        self.square_avg: Params = {}
        self.velocity: Params = {}

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        if self._decays(p):
            g = g + self.weight_decay * p
        sq = self._slot(self.square_avg, name, p)
        sq += (1.0 - self.alpha) * (g * g - sq)
        update = g / (np.sqrt(sq) + self.eps)
        if self.momentum:
            buf = self._slot(self.velocity, name, p)
            buf *= self.momentum
            buf += update
            update = buf
        p -= self.lr * update


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSProp,
}
