"""Momentum and acceleration (EC500 sections 14-15 and 20, seed 003).

* :class:`Momentum`: gradient descent with momentum, EC500 Algorithm 10 (L2003-2019), **with the sign
  fixed**. As printed (v_t = beta_t v_{t-1} - eta_t g_t, then w_{t+1} = w_t - v_t, and the lookahead
  w_t - v_{t-1/2}) the first step is w_2 = w_1 + eta g_1, gradient *ascent*. We implement the form the
  notes derive at L2149-2151, which descends:

  .. code-block:: text

      v_0 = 0
      for t = 1..T:
          x_t = w_t + beta_t v_{t-1}   (two-step integrator)   |   x_t = w_t   (Euler)
          v_t = beta_t v_{t-1} - eta_t grad L(x_t)
          w_{t+1} = w_t + v_t

  ``momentum`` is beta (a number in [0, 1] or a schedule t -> beta_t); momentum = 0 is GD exactly.
* :class:`AcceleratedGD`: accelerated gradient descent by linear coupling, EC500 Algorithm 11
  (L2083-2107). Its momentum form is ``Momentum(lr, momentum=NesterovMomentum(), two_step=True)``
  with beta_1 = 0, beta_t = alpha_{t-2}^2 / (alpha_t alpha_{t-1}) (L2140-2153); the tests check the two
  agree to 1e-12.
* :class:`SGDMomentum`: SGD with momentum, EC500 Algorithm 16 (L2701-2713), with the printed
  w_2 = w_1 - m_1 read as w_1 - eta m_1 (the loop's own update; erratum E7 of the seed notes).

Example:
    >>> [round(NesterovMomentum()(t), 4) for t in (1, 2, 3, 4)]
    [0.0, 0.0, 0.2818, 0.434]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .. import fused
from ..backend import is_cupy
from .base import check_beta, check_lr, check_unit_interval, copy, lr_at, set_field


def agd_alphas(T):
    """alpha_0..alpha_T of Algorithm 11: alpha_0 = 0, alpha_1 = 1, alpha_{t+1}^2 - alpha_{t+1} = S_t."""
    alphas, S = [0.0, 1.0], 1.0
    while len(alphas) <= T:
        a = (1 + math.sqrt(1 + 4 * S)) / 2               # quadratic formula
        alphas.append(a)
        S += a
    return alphas[:T + 1]


@dataclass(frozen=True)
class NesterovMomentum:
    """The schedule beta_1 = 0, beta_t = alpha_{t-2}^2 / (alpha_t alpha_{t-1}) (EC500 L2149-2151)."""
    _cache: list = field(default_factory=lambda: [0.0, 1.0], repr=False, compare=False)

    def __call__(self, t):
        if t < 2:
            return 0.0
        if len(self._cache) <= t:
            self._cache[:] = agd_alphas(max(t, 2 * len(self._cache)))
        a = self._cache
        return a[t - 2] ** 2 / (a[t] * a[t - 1])


def _check_momentum(value):
    return value if callable(value) else check_beta("momentum", value, closed=True)


class MomentumState(NamedTuple):
    x: Any
    v: Any
    t: int


@dataclass(frozen=True)
class Momentum:
    """GD with momentum, EC500 Algorithm 10 (seed 003 L2003-2019), sign fixed as in L2149-2151.

    ``lr``: eta_t; ``momentum``: beta_t in [0, 1] (number or schedule); ``two_step``: evaluate the
    gradient at the lookahead x_t = w_t + beta_t v_{t-1} (Nesterov) instead of w_t (Euler / heavy ball);
    ``stochastic``: query sample()/stoch_grad instead of the full gradient.

    Theorems: EC500-Alg10.
    """
    lr: Any
    momentum: Any = 0.9
    two_step: bool = False
    stochastic: bool = False

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "momentum", _check_momentum(self.momentum))

    def init(self, x0, oracle) -> MomentumState:
        x = copy(x0)
        return MomentumState(x=x, v=x * 0, t=0)                   # v_0 = 0

    def step(self, s: MomentumState, oracle) -> MomentumState:
        t = s.t + 1
        beta = lr_at(self.momentum, t)
        bv = beta * s.v
        x_eval = s.x + bv if self.two_step else s.x               # x_t = w_t + beta_t v_{t-1} | w_t
        g = (oracle.stoch_grad(x_eval, oracle.sample()) if self.stochastic
             else oracle.full_grad(x_eval))                       # grad L(x_t)
        v = bv - lr_at(self.lr, t) * g                            # v_t = beta_t v_{t-1} - eta_t g_t
        return MomentumState(x=s.x + v, v=v, t=t)                 # w_{t+1} = w_t + v_t


class AGDState(NamedTuple):
    x: Any        # w_t
    y: Any        # y_t
    alpha: float  # alpha_t
    S: float      # sum_{i <= t-1} alpha_i
    t: int


@dataclass(frozen=True)
class AcceleratedGD:
    """Accelerated GD via linear coupling, EC500 Algorithm 11 (seed 003 L2083-2107). ``lr``: eta <= 1/H.

    Theorems: EC500-15.2, EC500-15.2-alpha, EC500-15.2-lower, EC500-15.3, EC500-15.3-identity,
        EC500-15.3-identity/printed.
    """
    lr: float

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))

    def init(self, x0, oracle) -> AGDState:
        x = copy(x0)
        return AGDState(x=x, y=x.copy(), alpha=1.0, S=0.0, t=0)  # y_1 = w_1; alpha_0 = 0, alpha_1 = 1

    def step(self, s: AGDState, oracle) -> AGDState:
        t, eta = s.t + 1, lr_at(self.lr, s.t + 1)
        S = s.S + s.alpha                                          # sum_{i <= t} alpha_i
        tau = s.alpha / S                                          # tau_t = alpha_t / sum alpha_i
        x = (1 - tau) * s.x + tau * s.y                            # x_t = (1 - tau_t) w_t + tau_t y_t
        gx = oracle.full_grad(x)                                   # grad L(x_t); g_t = alpha_t grad L(x_t)
        y = s.y - (eta * s.alpha) * gx                             # y_{t+1} = y_t - eta g_t
        w = x - eta * gx                                           # w_{t+1} = x_t - eta grad L(x_t)
        alpha = (1 + math.sqrt(1 + 4 * S)) / 2                     # alpha_{t+1}^2 - alpha_{t+1} = S_t
        return AGDState(x=w, y=y, alpha=alpha, S=S, t=t)


class SGDMState(NamedTuple):
    x: Any
    m: Any
    t: int


@dataclass(frozen=True)
class SGDMomentum:
    """SGD with momentum, EC500 Algorithm 16 (seed 003 L2701-2713).

    ``alpha`` in (0, 1] is the notes' momentum parameter (an EMA weight, "one minus the usual beta");
    alpha = 1 is SGD. Step 1 is w_2 = w_1 - eta m_1 (printed without eta: erratum E7).

    Theorems: EC500-20.1, EC500-20.2, EC500-20.3, EC500-20.3/printed.
    """
    lr: Any
    alpha: float = 0.1

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "alpha", check_unit_interval("alpha", self.alpha))

    def init(self, x0, oracle) -> SGDMState:
        x = copy(x0)
        return SGDMState(x=x, m=x * 0, t=0)

    def step(self, s: SGDMState, oracle) -> SGDMState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())               # sample z_t; grad l(w_t, z_t)
        if t > 1 and is_cupy(s.x):                                # one fused GPU kernel, in place
            fused.sgd_momentum(s.x, g, s.m, alpha=self.alpha, lr=lr_at(self.lr, t))
            return SGDMState(x=s.x, m=s.m, t=t)
        if t == 1:
            m = g.copy() if is_cupy(g) else g                     # m_1 = grad l(w_1, z_1) (owned on GPU)
        else:
            m = (1 - self.alpha) * s.m + self.alpha * g           # m_t = (1-alpha) m_{t-1} + alpha grad
        return SGDMState(x=s.x - lr_at(self.lr, t) * m, m=m, t=t)  # w_{t+1} = w_t - eta m_t
