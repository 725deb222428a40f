"""Learning-rate schedules: callables ``t -> eta_t`` for the 1-based step t (pass one as ``lr=``).

Sources:

* EC500 notes (seed 003): Theorem 6.2's ``eta_t = c / sqrt(t)`` (L1080-1118); section 8.1
  (L1201-1231): step ("exponential") decay, cosine annealing [Loshchilov-Hutter] with restarts, the
  linear scaling rule for the batch size, linear warm-up [Goyal et al.]; projected SGD's
  ``eta_t = 1/(mu t)`` (Theorem 22.1, L3136-3138).
* SGD slides (seed 004, L776-789): ``gamma_0 / (1 + ceil(k/(K N)))`` and
  ``gamma_0 / (1 + sqrt(ceil(k/(N K))))`` (reduce every K epochs of N steps). Here k counts steps
  from 0, so we use ``k = t - 1``.

Example:
    >>> s = CosineAnnealing(lr_max=1.0, lr_min=0.0, period=10)
    >>> round(s(5), 12), s(10)
    (0.5, 0.0)
    >>> LinearWarmup(lr=1.0, warmup=4)(2)
    0.5
    >>> [EpochDiminishing(lr=1.0, n=2, K=1)(t) for t in (1, 2, 3, 4)]
    [1.0, 0.5, 0.5, 0.3333333333333333]
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .base import check_int, check_lr, check_positive, lr_at, set_field


@dataclass(frozen=True)
class Constant:
    """eta_t = lr."""
    lr: float

    def __post_init__(self):
        set_field(self, "lr", check_positive("lr", self.lr))

    def __call__(self, t):
        return self.lr


@dataclass(frozen=True)
class InverseSqrt:
    """eta_t = c / sqrt(t) (EC500 Theorem 6.2, seed 003 L1080-1118)."""
    c: float

    def __post_init__(self):
        set_field(self, "c", check_positive("c", self.c))

    def __call__(self, t):
        return self.c / math.sqrt(t)


@dataclass(frozen=True)
class PowerDecay:
    """eta_t = lr * t^(-power), e.g. seed 001 Theorem 4.2's eta_w (t+1)^(-alpha) (L238) with t from 1."""
    lr: float
    power: float

    def __post_init__(self):
        set_field(self, "lr", check_positive("lr", self.lr))
        p = float(self.power)
        if not 0 <= p:
            raise ValueError(f"power must be >= 0, got power={self.power!r}")
        set_field(self, "power", p)

    def __call__(self, t):
        return self.lr * t ** (-self.power)


@dataclass(frozen=True)
class InverseTime:
    """eta_t = 1 / (mu t) (EC500 Theorem 22.1, projected SGD for mu-strongly convex losses, L3136)."""
    mu: float

    def __post_init__(self):
        set_field(self, "mu", check_positive("mu", self.mu))

    def __call__(self, t):
        return 1.0 / (self.mu * t)


@dataclass(frozen=True)
class StepDecay:
    """eta_t = lr * factor ** floor((t-1) / every): "decrease by a constant factor after a fixed
    number of epochs" (EC500 section 8.1, L1207; ImageNet: factor 0.1 every 30 epochs).
    ``every`` is in steps (an epoch of N steps with every = 30 N gives the ImageNet rule)."""
    lr: float
    every: int
    factor: float = 0.1

    def __post_init__(self):
        set_field(self, "lr", check_positive("lr", self.lr))
        set_field(self, "every", check_int("every", self.every))
        f = check_positive("factor", self.factor)
        if f > 1:
            raise ValueError(f"factor must lie in (0, 1] (a decay), got factor={self.factor!r}")
        set_field(self, "factor", f)

    def __call__(self, t):
        return self.lr * self.factor ** ((t - 1) // self.every)


@dataclass(frozen=True)
class CosineAnnealing:
    """eta_t = lr_min + (lr_max - lr_min)(1 + cos(pi t / T_i)) / 2 with restarts (EC500 L1211-1219).

    ``period`` is T (one phase), or a tuple (T_1, ..., T_N) of phase lengths: in phase i the counter
    restarts at t = 1. ``decay`` multiplies lr_max and lr_min after each phase ("potentially decaying
    ranges"); after the last phase the last phase's end value lr_min,N is kept.
    """
    lr_max: float
    period: object
    lr_min: float = 0.0
    decay: float = 1.0

    def __post_init__(self):
        set_field(self, "lr_max", check_positive("lr_max", self.lr_max))
        lo = float(self.lr_min)
        if not 0 <= lo <= self.lr_max:
            raise ValueError(f"lr_min must satisfy 0 <= lr_min <= lr_max, got lr_min={self.lr_min!r}")
        set_field(self, "lr_min", lo)
        periods = self.period if isinstance(self.period, tuple) else (self.period,)
        set_field(self, "period", tuple(check_int("period", p) for p in periods))
        set_field(self, "decay", check_positive("decay", self.decay))

    def __call__(self, t):
        scale = 1.0
        for T in self.period:
            if t <= T:
                lo, hi = self.lr_min * scale, self.lr_max * scale
                return lo + 0.5 * (hi - lo) * (1 + math.cos(math.pi * t / T))
            t -= T
            scale *= self.decay
        return self.lr_min * scale / self.decay


@dataclass(frozen=True)
class LinearWarmup:
    """eta_t = t lr / T_warm-up for t <= T_warm-up, then ``after`` (EC500 L1227-1231).

    ``after`` is a schedule evaluated at the global t (default: eta_0 sqrt(T_w / t), the 1/sqrt(t)
    continuation whose first value is eta_0, as the notes suggest), or a number.
    """
    lr: float
    warmup: int
    after: object = None

    def __post_init__(self):
        set_field(self, "lr", check_positive("lr", self.lr))
        set_field(self, "warmup", check_int("warmup", self.warmup))
        if self.after is not None:
            set_field(self, "after", check_lr(self.after, "after"))

    def __call__(self, t):
        if t <= self.warmup:
            return t * self.lr / self.warmup
        if self.after is None:
            return self.lr * math.sqrt(self.warmup / t)
        return lr_at(self.after, t)


@dataclass(frozen=True)
class BatchScaled:
    """Linear scaling rule: batch size B instead of B0 => eta multiplied by B / B0 (EC500 L1223).

    Wraps a number or a schedule ``lr`` tuned for batch ``base_batch``.
    """
    lr: object
    batch_size: int
    base_batch: int = 1

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "batch_size", check_int("batch_size", self.batch_size))
        set_field(self, "base_batch", check_int("base_batch", self.base_batch))

    def __call__(self, t):
        return lr_at(self.lr, t) * self.batch_size / self.base_batch


@dataclass(frozen=True)
class EpochDiminishing:
    """gamma_k = gamma_0 / (1 + ceil(k / (K N))), or with ``sqrt=True`` gamma_0 / (1 + sqrt(ceil(k/(NK))))
    (SGD slides, seed 004 L776-789): reduce the step every K epochs of n steps; k = t - 1."""
    lr: float
    n: int
    K: int = 1
    sqrt: bool = False

    def __post_init__(self):
        set_field(self, "lr", check_positive("lr", self.lr))
        set_field(self, "n", check_int("n", self.n))
        set_field(self, "K", check_int("K", self.K))

    def __call__(self, t):
        j = -(-(t - 1) // (self.n * self.K))          # ceil(k / (N K)) with k = t - 1
        return self.lr / (1 + (math.sqrt(j) if self.sqrt else j))


SCHEDULES = (Constant, InverseSqrt, PowerDecay, InverseTime, StepDecay, CosineAnnealing, LinearWarmup, BatchScaled,
             EpochDiminishing)
