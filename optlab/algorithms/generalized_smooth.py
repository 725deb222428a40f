"""Methods for generalized-smooth losses (seed 002, Yang et al., ICCOPT 2025 slides) and their baselines.

* :class:`ANGD`: adaptively normalized gradient descent (eq. 8, L196-198),
  w_{t+1} = w_t - gamma grad f(w_t) / ||grad f(w_t)||^beta, beta in [0, 1] (beta = 0: GD; beta = 1:
  normalized GD). On a stochastic oracle it is AN-SGD (eq. 14, L292), which is *biased* (L300).
  A zero gradient gives no step.
* :class:`IANSGD`: independently-and-adaptively normalized SGD (eq. 17, L326-328):
  w_{t+1} = w_t - gamma grad f_xi(w_t) / h_t^beta, h_t = max{1, Gamma (A ||grad f_xi'(w_t)|| + delta)},
  with xi and xi' drawn independently (two calls of ``oracle.sample()``). The slides suggest
  A = 1/(1 - tau_1) and delta = tau_2/(1 - tau_1) for the noise bound
  ||grad f_xi - grad F|| <= tau_1 ||grad F|| + tau_2 (L339-346).
* Baselines the slides compare with: normalized SGD (``ANGD(beta=1)`` on a stochastic oracle, also
  ``NormalizedSGDMomentum``) and :class:`ClippedSGD`, w_{t+1} = w_t - gamma min(1, c/||g||) g (the
  clipping map g / max(1, ||g||/c) of seed 000 L194).

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=2, name="q", grad=lambda x: x)
    >>> o, m = Oracle(p), ANGD(lr=0.5, beta=1.0)
    >>> m.step(m.init(np.array([3.0, 4.0]), o), o).x
    array([2.7, 3.6])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .base import (
    check_beta, check_lr, check_nonnegative, check_positive, copy, div_or_zero, lr_at, maximum, norm,
    set_field, where,
)


class GSState(NamedTuple):
    x: Any
    t: int
    h: float      # the last normalizer (||g||^beta, h_t^beta or the clip factor), for inspection


@dataclass(frozen=True)
class ANGD:
    """AN-GD / AN-SGD, seed 002 eq. (8) L196 / eq. (14) L292. ``lr``: gamma; ``beta`` in [0, 1].

    Theorems: 002-AN-GD, 002-AN-GD-PL.
    """
    lr: Any
    beta: float = 1.0

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "beta", check_beta("beta", self.beta, closed=True))

    def init(self, x0, oracle) -> GSState:
        return GSState(x=copy(x0), t=0, h=1.0)

    def step(self, s: GSState, oracle) -> GSState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                # grad f(w_t) (or grad f_xi(w_t))
        n = norm(g)
        h = where(n > 0, n ** self.beta, 0.0)                      # ||grad f(w_t)||^beta (0: stationary)
        x = s.x - div_or_zero(lr_at(self.lr, t), h) * g            # w - gamma g / ||g||^beta (no step at 0)
        return GSState(x=x, t=t, h=h)


@dataclass(frozen=True)
class IANSGD:
    """IAN-SGD, seed 002 eq. (17) L326-328. ``lr``: gamma; ``beta``; ``A``, ``Gamma``, ``delta`` > 0.

    Theorems: 002-IAN-SGD.
    """
    lr: Any
    beta: float = 1.0
    A: float = 1.0
    Gamma: float = 1.0
    delta: float = 1.0

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "beta", check_beta("beta", self.beta, closed=True))
        set_field(self, "A", check_positive("A", self.A))
        set_field(self, "Gamma", check_positive("Gamma", self.Gamma))
        set_field(self, "delta", check_nonnegative("delta", self.delta))

    def init(self, x0, oracle) -> GSState:
        return GSState(x=copy(x0), t=0, h=1.0)

    def step(self, s: GSState, oracle) -> GSState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                # grad f_xi(w_t)
        g_ind = oracle.stoch_grad(s.x, oracle.sample())            # grad f_xi'(w_t), xi' independent
        h = maximum(1.0, self.Gamma * (self.A * norm(g_ind) + self.delta))   # h_t
        hb = h ** self.beta
        return GSState(x=s.x - (lr_at(self.lr, t) / hb) * g, t=t, h=hb)  # w - gamma g / h_t^beta


@dataclass(frozen=True)
class ClippedSGD:
    """Clipped SGD: w_{t+1} = w_t - gamma g / max(1, ||g||/c) (seed 000 L194; baseline of seed 002)."""
    lr: Any
    clip: float = 1.0

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "clip", check_positive("clip", self.clip))

    def init(self, x0, oracle) -> GSState:
        return GSState(x=copy(x0), t=0, h=1.0)

    def step(self, s: GSState, oracle) -> GSState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                # g_t
        h = maximum(1.0, norm(g) / self.clip)                      # max(1, ||g||/c)
        return GSState(x=s.x - (lr_at(self.lr, t) / h) * g, t=t, h=h)
