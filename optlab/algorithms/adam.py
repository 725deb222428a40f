"""Adam, EC500 Algorithm 12 (seed 003 L2448-2472), as printed, with an option for the usual epsilon.

.. code-block:: text

    Input: w_1, learning rates eta_t, beta_1, beta_2 (typically 0.9 and 0.999)
    m_0 = 0;  v_0 = eps^2            ("A_0[i] = eps^2", used as v_0 by the expansion at L2484)
    for t = 1..T:
        g_t = grad l(w_t, z_t)
        m_t = beta_1 m_{t-1} + (1 - beta_1) g_t;          m_hat_t = m_t / (1 - beta_1^t)
        v_t[i] = beta_2 v_{t-1}[i] + (1 - beta_2) g_t[i]^2;  v_hat_t[i] = v_t[i] / (1 - beta_2^t)
        w_{t+1}[i] = w_t[i] - eta_t m_hat_t[i] / sqrt(v_hat_t[i])

The box prints v_{t-1} where v_{t-1}[i] is meant, never initialises m (we take m_0 = 0) and has no
eps in the update: ``eps_mode="notes"`` (default) puts eps into v_0 = eps^2 as the notes' own
expansion does; ``eps_mode="kingma"`` is the common convention v_0 = 0 and
w_{t+1} = w_t - eta_t m_hat_t / (sqrt(v_hat_t) + eps). With eps = 0 both are the textbook recursion
(and need nonzero gradient coordinates). beta_1 = beta_2 = 0, eps = 0 is sign descent (L2550).

The update runs in place on buffers the method owns (x, m, v and one scratch array), cache block by
cache block on the host, so its ~11 ufuncs make about one trip to memory instead of the ~14
temporaries of the naive expression (see bench/bench_optimizers.py).

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=2, name="q", grad=lambda x: x)
    >>> o, adam = Oracle(p), Adam(lr=0.1, eps=0.0)
    >>> adam.step(adam.init(np.array([1.0, -3.0]), o), o).x     # first step: eta * sign(g)
    array([ 0.9, -2.9])
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from .. import fused
from ..backend import get_xp, is_cupy
from .base import (
    cache_blocks, check_beta, check_choice, check_lr, check_nonnegative, copy, lr_at, set_field,
)


class AdamState(NamedTuple):
    x: Any
    m: Any
    v: Any
    buf: Any      # scratch (owned by the method)
    t: int


@dataclass(frozen=True)
class Adam:
    """Adam, EC500 Algorithm 12 (seed 003 L2448-2472). See the module docstring for ``eps_mode``.

    Theorems: EC500-17.1, EC500-17.1/printed, EC500-17.1-4alpha, EC500-17.2, EC500-17.0-debias, Reddi-2018-1.
    """
    lr: Any = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    eps_mode: str = "notes"

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "beta1", check_beta("beta1", self.beta1))
        set_field(self, "beta2", check_beta("beta2", self.beta2))
        set_field(self, "eps", check_nonnegative("eps", self.eps))
        check_choice("eps_mode", self.eps_mode, ("notes", "kingma"))

    def init(self, x0, oracle) -> AdamState:
        x = copy(x0)
        xp = get_xp(x)
        v0 = self.eps ** 2 if self.eps_mode == "notes" else 0.0
        return AdamState(x=x, m=xp.zeros_like(x), v=xp.full_like(x, v0),   # m_0 = 0, v_0 = eps^2 | 0
                         buf=xp.empty_like(x), t=0)

    def step(self, s: AdamState, oracle) -> AdamState:
        xp = get_xp(s.x)
        t, b1, b2 = s.t + 1, self.beta1, self.beta2
        g = oracle.stoch_grad(s.x, oracle.sample())               # g_t = grad l(w_t, z_t)
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t                       # m_hat = m/bc1, v_hat = v/bc2
        # eta m_hat / (sqrt(v_hat) + eps) = [eta sqrt(bc2)/bc1] m / (sqrt(v) + eps sqrt(bc2))
        scale = lr_at(self.lr, t) * math.sqrt(bc2) / bc1
        eps = self.eps * math.sqrt(bc2) if self.eps_mode == "kingma" else 0.0
        if is_cupy(s.x):                                          # one fused GPU kernel, same arithmetic
            fused.adam(s.x, g, s.m, s.v, b1=b1, b2=b2, scale=scale, eps=eps)
        else:
            for sl in cache_blocks(s.x):                          # in place, block by block
                _adam_update(xp, s.x[sl], s.m[sl], s.v[sl], s.buf[sl], g[sl], b1, b2, scale, eps)
        return AdamState(x=s.x, m=s.m, v=s.v, buf=s.buf, t=t)


def _adam_update(xp, x, m, v, buf, g, b1, b2, scale, eps):
    m -= g
    m *= b1
    m += g                                                        # m_t = b1 m_{t-1} + (1 - b1) g_t
    xp.multiply(g, g, out=buf)
    v -= buf
    v *= b2
    v += buf                                                      # v_t = b2 v_{t-1} + (1 - b2) g_t^2
    xp.sqrt(v, out=buf)                                           # sqrt(v_t) (= sqrt(bc2 v_hat_t))
    if eps:
        buf += eps                                                # + eps sqrt(bc2)  ("kingma")
    xp.divide(m, buf, out=buf)
    buf *= scale                                                  # eta_t m_hat_t / sqrt(v_hat_t)
    x -= buf                                                      # w_{t+1} = w_t - eta_t m_hat/sqrt(v_hat)
