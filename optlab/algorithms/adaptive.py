"""Adaptive learning rates: AdaGrad-norm (EC500 Algorithms 7-9) and per-coordinate AdaGrad (section 16).

* :class:`AdaGradNorm`: EC500 Algorithm 7 (seed 003 L1391-1407, re-printed as "Algorithm 10" at
  L1679): eta_t = c / sqrt(eps^2 + sum_{i<=t} ||g_i||^2); w_{t+1} = w_t - eta_t g_t. ``delayed=True``
  leaves g_t out of the sum (the causal rate of L1365). ``radius`` adds the ball projection of the
  "baseline" adaptive GD of Theorem 16.2 (L2339-2345, c = sqrt(2) D_2, eps = 0).
* :class:`AdaGradNormEMA`: EC500 Algorithm 8 (L1803-1817): A_t = beta A_{t-1} + ||g_t||^2,
  eta_t = c / sqrt(eps^2 + A_t). The notes warn it "does not actually converge" (eta_t can grow).
* :class:`AdaGradNormEMAMax`: EC500 Algorithm 9 (L1825-1841), the AMSGrad-style fix:
  B_0 = eps^2, B_t = max(B_{t-1}, t A_t), eta_t = c / sqrt(B_t).
* :class:`AdaGrad`: per-coordinate AdaGrad, EC500 section 16 (L2307-2311, Theorem 16.3 L2351-2357):
  eta_t[i] = c / sqrt(eps^2 + sum_{tau<=t} g_tau[i]^2), optionally projected on the box
  |w[i]| <= D_inf. Updated in place (the method owns x and its accumulator).

With eps = 0 a zero gradient (or coordinate) is skipped: its step is 0, never 0/0.

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=2, name="q", grad=lambda x: x)
    >>> o = Oracle(p)
    >>> m = AdaGradNorm(c=1.0, eps=0.0)
    >>> s = m.step(m.init(np.array([3.0, 4.0]), o), o)
    >>> s.x                       # eta_1 g_1 has length exactly c
    array([2.4, 3.2])
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from .. import fused
from ..backend import get_xp, is_cupy
from .base import (
    cache_blocks, check_beta, check_nonnegative, check_positive, copy, norm, project_ball, set_field,
)


class NormState(NamedTuple):
    x: Any
    S: float      # sum of ||g_i||^2 (Alg 7), or A_t (Alg 8/9)
    B: float      # B_t (Alg 9; unused otherwise)
    eta: float    # the last learning rate eta_t (for plots and invariant checks)
    t: int


@dataclass(frozen=True)
class AdaGradNorm:
    """Adaptive SGD, EC500 Algorithm 7 (seed 003 L1391-1407). ``c``: LR scale; ``eps`` (e.g. 1e-4).

    Theorems: EC500-10.1, EC500-10.2, EC500-10.2/printed, EC500-10.3, EC500-10.3/printed, EC500-11.1,
        EC500-11.1/printed, EC500-11.1/rel, EC500-11.1/rel/printed, EC500-16.2.
    """
    c: float
    eps: float = 1e-4
    delayed: bool = False
    radius: Any = None

    def __post_init__(self):
        set_field(self, "c", check_positive("c", self.c))
        set_field(self, "eps", check_nonnegative("eps", self.eps))
        if self.radius is not None:
            set_field(self, "radius", check_positive("radius", self.radius))

    def init(self, x0, oracle) -> NormState:
        return NormState(x=copy(x0), S=0.0, B=0.0, eta=self.c / self.eps if self.eps else math.inf, t=0)

    def step(self, s: NormState, oracle) -> NormState:
        g = oracle.stoch_grad(s.x, oracle.sample())                # sample z_t; g_t = grad l(w_t, z_t)
        S = s.S + norm(g) ** 2                                     # sum_{i<=t} ||g_i||^2
        denom = self.eps ** 2 + (s.S if self.delayed else S)
        eta = self.c / math.sqrt(denom) if denom > 0 else 0.0      # eta_t = c / sqrt(eps^2 + sum)
        x = s.x - eta * g                                          # w_{t+1} = w_t - eta_t g_t
        if self.radius is not None:
            x = project_ball(x, self.radius)                       # Pi_{||w|| <= D_2} (Thm 16.2)
        return NormState(x=x, S=S, B=0.0, eta=eta, t=s.t + 1)


@dataclass(frozen=True)
class AdaGradNormEMA:
    """Adaptive SGD with EMA, EC500 Algorithm 8 (seed 003 L1803-1817). ``beta``: averaging factor."""
    c: float
    beta: float
    eps: float = 1e-4

    def __post_init__(self):
        set_field(self, "c", check_positive("c", self.c))
        set_field(self, "beta", check_beta("beta", self.beta))
        set_field(self, "eps", check_nonnegative("eps", self.eps))

    def init(self, x0, oracle) -> NormState:
        return NormState(x=copy(x0), S=0.0, B=0.0, eta=0.0, t=0)  # A_0 = 0

    def step(self, s: NormState, oracle) -> NormState:
        g = oracle.stoch_grad(s.x, oracle.sample())                # g_t = grad l(w_t, z_t)
        A = self.beta * s.S + norm(g) ** 2                         # A_t = beta A_{t-1} + ||g_t||^2
        denom = self.eps ** 2 + A
        eta = self.c / math.sqrt(denom) if denom > 0 else 0.0      # eta_t = c / sqrt(eps^2 + A_t)
        return NormState(x=s.x - eta * g, S=A, B=0.0, eta=eta, t=s.t + 1)   # w_{t+1} = w_t - eta_t g_t


@dataclass(frozen=True)
class AdaGradNormEMAMax:
    """Corrected adaptive SGD with EMA, EC500 Algorithm 9 (seed 003 L1825-1841).

    Theorems: EC500-10.1/path, EC500-12.1, EC500-12.1/printed.
    """
    c: float
    beta: float
    eps: float = 1e-4

    def __post_init__(self):
        set_field(self, "c", check_positive("c", self.c))
        set_field(self, "beta", check_beta("beta", self.beta))
        set_field(self, "eps", check_nonnegative("eps", self.eps))

    def init(self, x0, oracle) -> NormState:
        return NormState(x=copy(x0), S=0.0, B=self.eps ** 2, eta=0.0, t=0)   # A_0 = 0, B_0 = eps^2

    def step(self, s: NormState, oracle) -> NormState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                # g_t = grad l(w_t, z_t)
        A = self.beta * s.S + norm(g) ** 2                         # A_t = beta A_{t-1} + ||g_t||^2
        B = max(s.B, t * A)                                        # B_t = max(B_{t-1}, t A_t)
        eta = self.c / math.sqrt(B) if B > 0 else 0.0              # eta_t = c / sqrt(B_t)
        return NormState(x=s.x - eta * g, S=A, B=B, eta=eta, t=t)  # w_{t+1} = w_t - eta_t g_t


class AdaGradState(NamedTuple):
    x: Any
    s: Any        # sum_{tau <= t} g_tau^2, per coordinate
    buf: Any      # scratch buffer (owned)
    t: int


@dataclass(frozen=True)
class AdaGrad:
    """Per-coordinate AdaGrad, EC500 section 16 (seed 003 L2307-2311; Theorem 16.3 L2351-2357).

    ``c``: LR scale (the theorem's c = sqrt(2) D_inf); ``eps``: epsilon (the theorem takes 0);
    ``D_inf``: optional box radius for the projection Pi_{|w[i]| <= D_inf}.

    Theorems: EC500-16.3, EC500-16.3-onehot.
    """
    c: float
    eps: float = 1e-8
    D_inf: Any = None

    def __post_init__(self):
        set_field(self, "c", check_positive("c", self.c))
        set_field(self, "eps", check_nonnegative("eps", self.eps))
        if self.D_inf is not None:
            set_field(self, "D_inf", check_positive("D_inf", self.D_inf))

    def init(self, x0, oracle) -> AdaGradState:
        x = copy(x0)
        xp = get_xp(x)
        return AdaGradState(x=x, s=xp.zeros_like(x), buf=xp.empty_like(x), t=0)

    def step(self, st: AdaGradState, oracle) -> AdaGradState:
        xp = get_xp(st.x)
        g = oracle.stoch_grad(st.x, oracle.sample())               # g_t = grad l(w_t, z_t)
        if is_cupy(st.x):                                          # one fused GPU kernel, same arithmetic
            fused.adagrad(st.x, g, st.s, c=self.c, eps=self.eps)
        else:
            for sl in cache_blocks(st.x):                          # in place, block by block
                _adagrad_update(xp, st.x[sl], st.s[sl], st.buf[sl], g[sl], self.c, self.eps)
        if self.D_inf is not None:
            xp.clip(st.x, -self.D_inf, self.D_inf, out=st.x)       # Pi_{|w[i]| <= D_inf}
        return AdaGradState(x=st.x, s=st.s, buf=st.buf, t=st.t + 1)


def _adagrad_update(xp, x, s, buf, g, c, eps):
    xp.multiply(g, g, out=buf)
    s += buf                                                       # g_{1:t}^2[i] = sum_tau g_tau[i]^2
    if eps:
        xp.add(s, eps ** 2, out=buf)
        xp.sqrt(buf, out=buf)                                      # sqrt(eps^2 + g_{1:t}^2[i])
        xp.divide(g, buf, out=buf)
    else:
        xp.sqrt(s, out=buf)
        with numpy.errstate(invalid="ignore", divide="ignore"):
            xp.divide(g, buf, out=buf)
        buf[s == 0] = 0                                            # g_{1:t}[i] = 0: skip coordinate
    buf *= c                                                       # eta_t[i] g_t[i]
    x -= buf                                                       # w_{t+1}[i] = w_t[i] - eta_t[i] g_t[i]
