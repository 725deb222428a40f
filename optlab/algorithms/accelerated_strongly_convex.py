"""Accelerated GD for smooth strongly convex losses: Nesterov's constant-momentum scheme.

EC500 (seed 003) uses this method without stating it: section 22 runs it as the inner solver of the
almost-convex proximal loop (L3210-3214 promise it as homework). The box is external (Nesterov,
Introductory Lectures 2004, scheme 2.2.19; Bubeck, Convex Optimization 2015, section 3.7.1):

.. code-block:: text

    Input: w_1, eta <= 1/H, mu > 0 (strong convexity), eta mu <= 1
    beta = (1 - sqrt(eta mu)) / (1 + sqrt(eta mu))      (= (sqrt(kappa) - 1)/(sqrt(kappa) + 1), kappa = 1/(eta mu))
    w_0 = w_1
    for t = 1..T:
        x_t = w_t + beta (w_t - w_{t-1})                 (lookahead)
        w_{t+1} = x_t - eta grad L(x_t)

Guarantee (Bubeck 2015, Thm 3.18, with H replaced by 1/eta >= H): for t >= 1,
L(w_{t+1}) - L_* <= (1 - sqrt(eta mu))^t (L(w_1) - L_* + mu/2 ||w_1 - w_*||^2), the rate
exp(-t/sqrt(kappa)) against GD's exp(-t/kappa).

Example:
    >>> import numpy as np
    >>> from optlab.problems import quadratic
    >>> from optlab.algorithms import run
    >>> p = quadratic(d=10, mu=0.01, H=1.0, seed=0)
    >>> tr = run(StronglyConvexAGD(lr=1.0, mu=0.01), p, steps=300, progress=False)
    >>> bool(tr.gap[-1] < 1e-8 * tr.gap[0])
    True
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from .base import check_positive, copy, set_field


class SCAGDState(NamedTuple):
    x: Any        # w_t
    prev: Any     # w_{t-1}
    t: int


@dataclass(frozen=True)
class StronglyConvexAGD:
    """Nesterov's accelerated GD for mu-strongly convex, H-smooth losses (``lr`` = eta <= 1/H, ``mu``).

    Theorems: Bubeck-3.18.
    """
    lr: float
    mu: float

    def __post_init__(self):
        set_field(self, "lr", check_positive("lr", self.lr))
        set_field(self, "mu", check_positive("mu", self.mu))
        if self.lr * self.mu > 1:
            raise ValueError(f"lr * mu must be <= 1 (eta <= 1/H <= 1/mu), got lr={self.lr}, mu={self.mu}")

    @property
    def beta(self):
        """The constant momentum (1 - sqrt(eta mu)) / (1 + sqrt(eta mu))."""
        r = math.sqrt(self.lr * self.mu)
        return (1 - r) / (1 + r)

    def init(self, x0, oracle) -> SCAGDState:
        x = copy(x0)
        return SCAGDState(x=x, prev=x, t=0)                      # w_0 = w_1: no momentum at step 1

    def step(self, s: SCAGDState, oracle) -> SCAGDState:
        x = s.x + self.beta * (s.x - s.prev)                      # x_t = w_t + beta (w_t - w_{t-1})
        w = x - self.lr * oracle.full_grad(x)                     # w_{t+1} = x_t - eta grad L(x_t)
        return SCAGDState(x=w, prev=s.x, t=s.t + 1)
