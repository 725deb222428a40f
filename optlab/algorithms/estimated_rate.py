"""Adaptive SGD by estimating the noise: the step-size rules of EC500 section 9 (seed 003 L1321-1379).

The tuned SGD rate for large T is about c / (sigma sqrt(t)) (L1327-1331), the **idealised adaptive
rate** (:func:`ideal_rate`, for a known sigma). Section 9 replaces sigma^2 by an estimate from the
stochastic gradients g_1..g_t seen so far (L1333-1349); each estimator is a named rule here:

* ``plug_in``:    (1/t) sum ||g_i||^2 - ||g_bar||^2          (the variance of the empirical distribution)
* ``unbiased``:   1/(t-1) sum ||g_i - g_bar||^2               (t >= 2; = t/(t-1) x plug_in)
* ``optimistic``: (1/t) sum ||g_i||^2                         (ignores the mean: >= plug_in)

:class:`EstimatedRateSGD` runs SGD with eta_t = c / sqrt(eps^2 + t sigma_hat_t^2). With the optimistic
estimate t sigma_hat_t^2 = sum_{i<=t} ||g_i||^2, so it *is* Algorithm 7 (AdaGrad-norm); ``causal=True``
estimates from g_1..g_{t-1} only, the delayed rate of L1365 (eta_t independent of z_t).

Example:
    >>> import numpy as np
    >>> G = np.array([[1.0, 0.0], [3.0, 0.0]])
    >>> plug_in(G), unbiased(G), optimistic(G)
    (1.0, 2.0, 5.0)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from .base import check_nonnegative, check_positive, copy, set_field
from .schedules import InverseSqrt


def _rows(G):
    G = numpy.asarray(G, dtype=float)
    if G.ndim != 2 or len(G) == 0:
        raise ValueError(f"G must hold the gradients g_1..g_t as rows (shape (t, d), t >= 1), got shape {G.shape}")
    return G


def plug_in(G):
    """(1/t) sum_i ||g_i||^2 - ||(1/t) sum_i g_i||^2 for the rows g_1..g_t of G (EC500 L1335)."""
    G = _rows(G)
    return float(numpy.mean(numpy.sum(G * G, axis=1)) - numpy.sum(G.mean(axis=0) ** 2))


def unbiased(G):
    """1/(t-1) sum_i ||g_i - g_bar||^2 for the rows of G, t >= 2 (EC500 L1339)."""
    G = _rows(G)
    if len(G) < 2:
        raise ValueError("the unbiased estimate needs t >= 2 gradients (it divides by t - 1)")
    return float(numpy.sum((G - G.mean(axis=0)) ** 2) / (len(G) - 1))


def optimistic(G):
    """(1/t) sum_i ||g_i||^2 for the rows of G (EC500 L1345)."""
    G = _rows(G)
    return float(numpy.mean(numpy.sum(G * G, axis=1)))


ESTIMATORS = {"plug_in": plug_in, "unbiased": unbiased, "optimistic": optimistic}


def ideal_rate(c, sigma):
    """The idealised adaptive schedule eta_t = c / (sigma sqrt(t)) for a known noise level (EC500 L1327-1331)."""
    return InverseSqrt(check_positive("c", c) / check_positive("sigma", sigma))


class EstState(NamedTuple):
    x: Any
    G: list        # g_1..g_t seen so far (shared between states, for inspection)
    sum_g: Any     # sum of g_i over the gradients the estimate uses
    sum_g2: float  # sum of ||g_i||^2 over the same gradients
    eta: float     # the last eta_t
    t: int


def _t_sigma2(estimator, n, sum_g, sum_g2):
    """n sigma_hat^2 from running sums over n gradients (the same formulas as the functions above)."""
    if n == 0 or (estimator == "unbiased" and n < 2):
        return 0.0
    mean_sq = float(numpy.sum(sum_g * sum_g)) / n            # n ||g_bar||^2
    if estimator == "optimistic":
        return sum_g2
    spread = max(sum_g2 - mean_sq, 0.0)                      # n x plug_in (>= 0 up to rounding)
    return spread if estimator == "plug_in" else spread * n / (n - 1)


@dataclass(frozen=True)
class EstimatedRateSGD:
    """SGD with eta_t = c / sqrt(eps^2 + t sigma_hat_t^2), sigma_hat^2 a section-9 estimator (by name).

    ``causal``: estimate from g_1..g_{t-1} (and t - 1 in place of t), so eta_t does not depend on g_t.
    With too few gradients for the estimator (none, or one for ``unbiased``) t sigma_hat^2 counts as 0.
    The estimate is kept as running sums; ``state.G`` lists the gradients for inspection (O(t d) memory).
    """
    no_batch = "its running sums of g and ||g||^2 are kept for one seed (floats, not (S, 1) arrays)"

    c: float
    estimator: str = "optimistic"
    eps: float = 1e-4
    causal: bool = False

    def __post_init__(self):
        set_field(self, "c", check_positive("c", self.c))
        set_field(self, "eps", check_nonnegative("eps", self.eps))
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {tuple(ESTIMATORS)}, got estimator={self.estimator!r}")

    def init(self, x0, oracle) -> EstState:
        return EstState(x=copy(x0), G=[], sum_g=0.0, sum_g2=0.0, eta=0.0, t=0)

    def step(self, s: EstState, oracle) -> EstState:
        g = numpy.asarray(oracle.stoch_grad(s.x, oracle.sample()), dtype=float)   # g_t
        sum_g, sum_g2 = s.sum_g + g, s.sum_g2 + float(g @ g)
        if self.causal:                                                          # g_1..g_{t-1}
            t_sigma2 = _t_sigma2(self.estimator, s.t, s.sum_g, s.sum_g2)
        else:                                                                    # g_1..g_t
            t_sigma2 = _t_sigma2(self.estimator, s.t + 1, sum_g, sum_g2)
        denom = self.eps ** 2 + t_sigma2
        eta = self.c / math.sqrt(denom) if denom > 0 else 0.0
        s.G.append(g)
        return EstState(x=s.x - eta * g, G=s.G, sum_g=sum_g, sum_g2=sum_g2, eta=eta, t=s.t + 1)
