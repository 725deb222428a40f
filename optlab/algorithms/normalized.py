"""Normalized SGD with momentum and its variance-reduced (STORM-like) form (EC500 section 24, seed 003).

* :class:`NormalizedSGDMomentum` (L3436-3438):

  .. code-block:: text

      m_1 = grad l(w_1, z_1);  m_t = (1 - alpha) m_{t-1} + alpha grad l(w_t, z_t)
      w_{t+1} = w_t - eta m_t / ||m_t||

* :class:`NormalizedSTORM` (section 24.1, L3600-3602), two gradients with the same sample z_t:

  .. code-block:: text

      m_1 = grad l(w_1, z_1)
      m_t = (1 - alpha)(m_{t-1} + grad l(w_t, z_t) - grad l(w_{t-1}, z_t)) + alpha grad l(w_t, z_t)
      w_{t+1} = w_t - eta m_t / ||m_t||

Every step has length exactly eta (the notes' "||w_{t+1} - w_1|| = eta", L3442, means w_t). A zero
direction m_t = 0 gives no step. alpha = 1 in either is normalized SGD.

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=2, name="q", grad=lambda x: x)
    >>> o, m = Oracle(p), NormalizedSGDMomentum(lr=0.5, alpha=0.1)
    >>> m.step(m.init(np.array([3.0, 4.0]), o), o).x
    array([2.7, 3.6])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .. import fused
from ..backend import is_cupy
from .base import check_lr, check_unit_interval, copy, div_or_zero, lr_at, norm, set_field


def normalized_step(x, m, eta):
    """x - eta m / ||m|| (x itself when m = 0), per seed for a batch."""
    return x - div_or_zero(eta, norm(m)) * m


class NormalizedState(NamedTuple):
    x: Any
    m: Any
    x_prev: Any   # w_{t-1} (STORM's second evaluation point)
    t: int


@dataclass(frozen=True)
class NormalizedSGDMomentum:
    """Normalized SGD with momentum, EC500 section 24 (seed 003 L3436-3438). ``alpha`` in (0, 1].

    Theorems: EC500-24.1, EC500-24.2, EC500-24.3.
    """
    lr: Any
    alpha: float = 0.1

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "alpha", check_unit_interval("alpha", self.alpha))

    def init(self, x0, oracle) -> NormalizedState:
        x = copy(x0)
        return NormalizedState(x=x, m=None, x_prev=None, t=0)

    def step(self, s: NormalizedState, oracle) -> NormalizedState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                    # grad l(w_t, z_t)
        m = g if t == 1 else (1 - self.alpha) * s.m + self.alpha * g    # m_t
        x = normalized_step(s.x, m, lr_at(self.lr, t))                 # w_{t+1} = w_t - eta m_t/||m_t||
        return NormalizedState(x=x, m=m, x_prev=None, t=t)             # (x_prev is STORM's only)

    def step_inplace(self, s: NormalizedState, oracle) -> NormalizedState:
        """The fast path: on a GPU, past step 1, two fused kernels update m and x in place (one
        iterate only: the kernels reduce one norm over the whole array)."""
        if s.t == 0 or not is_cupy(s.x) or s.x.ndim > 1:
            s = self.step(s, oracle)
            return s._replace(m=s.m.copy()) if s.t == 1 and is_cupy(s.x) else s   # own m_1
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())
        sq = fused.average_and_norm(s.m, g, alpha=self.alpha)          # m_t and ||m_t||^2, one pass
        fused.normalized_step(s.x, s.m, lr_at(self.lr, t), sq)         # w_{t+1} = w_t - eta m_t/||m_t||
        return NormalizedState(x=s.x, m=s.m, x_prev=None, t=t)


@dataclass(frozen=True)
class NormalizedSTORM:
    """Normalized SGD with variance-reduced momentum, EC500 section 24.1 (seed 003 L3600-3602).

    Theorems: EC500-24.4, EC500-24.5/printed, EC500-24.5, EC500-24.5-refined.
    """
    lr: Any
    alpha: float = 0.1

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "alpha", check_unit_interval("alpha", self.alpha))

    def init(self, x0, oracle) -> NormalizedState:
        return NormalizedState(x=copy(x0), m=None, x_prev=None, t=0)

    def step(self, s: NormalizedState, oracle) -> NormalizedState:
        t, a = s.t + 1, self.alpha
        xi = oracle.sample()                                           # z_t (used at two points)
        g = oracle.stoch_grad(s.x, xi)                                 # grad l(w_t, z_t)
        if t == 1:
            m = g                                                      # m_1 = grad l(w_1, z_1)
        else:
            g_prev = oracle.stoch_grad(s.x_prev, xi)                   # grad l(w_{t-1}, z_t)
            m = (1 - a) * (s.m + g - g_prev) + a * g                   # m_t (variance-reduced)
        x = normalized_step(s.x, m, lr_at(self.lr, t))                 # w_{t+1} = w_t - eta m_t/||m_t||
        return NormalizedState(x=x, m=m, x_prev=s.x, t=t)
