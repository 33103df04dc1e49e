"""Learning-rate schedules: callables from the optimizer step (0-based) to a learning rate."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Constant:
    lr: float

    def __call__(self, step: int) -> float:
        return self.lr


@dataclass(frozen=True)
class StepDecay:
    """Multiply the rate by `gamma` every `step_size` steps."""

    lr: float
    step_size: int
    gamma: float = 0.1

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** (step // self.step_size)


@dataclass(frozen=True)
class Cosine:
    """Cosine annealing from `lr` to `min_lr` over `total_steps`, then held at `min_lr`."""

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __call__(self, step: int) -> float:
        t = min(step, self.total_steps) / max(self.total_steps, 1)
        return self.min_lr + 0.5 * (self.lr - self.min_lr) * (1.0 + math.cos(math.pi * t))


@dataclass(frozen=True)
class Warmup:
    """Linear warm-up from near zero over `warmup_steps`, then `after` (shifted to start at 0)."""

    after: Constant | StepDecay | Cosine
    warmup_steps: int

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.after(0) * (step + 1) / self.warmup_steps
        return self.after(step - self.warmup_steps)


Schedule = Constant | StepDecay | Cosine | Warmup


def make_schedule(
    name: str, lr: float, total_steps: int, warmup_steps: int = 0, step_size: int = 0
) -> Schedule:
    """Build a schedule by name: 'constant', 'step' (x0.1 every step_size), or 'cosine'."""
    main_steps = max(total_steps - warmup_steps, 1)
    base: Constant | StepDecay | Cosine
    if name == "constant":
        base = Constant(lr)
    elif name == "step":
        base = StepDecay(lr, step_size or max(main_steps // 3, 1))
    elif name == "cosine":
        base = Cosine(lr, main_steps)
    else:
        raise ValueError(f"unknown schedule {name!r}: use constant, step or cosine")
    return Warmup(base, warmup_steps) if warmup_steps > 0 else base
