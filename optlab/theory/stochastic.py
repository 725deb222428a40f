"""Helpers shared by the theorems about stochastic methods: noise settings, Delta, exact moments.

The oracle of these theorems adds noise of known size to the exact gradient (``'sphere'``: uniform on the
sphere of radius sigma, or ``'gaussian'``: N(0, sigma^2/d I)), so sigma^2 = E||g - grad L(w)||^2 exactly.
"""
from __future__ import annotations

import math

import numpy

from ..problems import QuadraticProblem
from .theorem import AssumptionError

MC_SEEDS = 12          # seeds per drawn instance in the property tests (Monte Carlo theorems)


def delta(inst):
    """Delta = L(w_1) - inf L."""
    return float(inst.problem.f(inst.x0)) - inst.problem.f_star


def sigma_of(inst):
    """sigma with sigma^2 >= E||g - grad L(w)||^2 at every w, for one oracle call of the instance.

    The one place the bounds read sigma. Which noise the run has decides where sigma comes from:

    * additive noise (``oracle={"noise": ..., "sigma": s}``): s / sqrt(batch_size) exactly (for
      ``'affine'`` noise, the additive part; its relative part tau1 is read by the theorem itself);
    * a finite sum sampled term by term (no ``noise``): the sampling noise, bounded by
      :func:`sampling_sigma` and scaled for the minibatch (with replacement variance / B, without
      replacement times (n - B)/(B (n - 1)));
    * exact gradients (no noise, not a finite sum): 0.

    A finite sum without a certified bound is refused (AssumptionError saying what to state): a
    variance computed at one point would not bound it at the other iterates.

    Example:
        >>> from optlab.problems import logistic_regression, cosine_sum
        >>> from optlab.theory import Instance
        >>> p = logistic_regression(n=50, d=3, seed=0)
        >>> sigma_of(Instance(p, p.x0(0), T=5)) == p.extra["G_max"]
        True
        >>> sigma_of(Instance(cosine_sum(d=2), [0.0, 0.0], T=5, oracle={"noise": "sphere", "sigma": 2.0,
        ...                                                       "batch_size": 4}))
        1.0
    """
    o, p = inst.oracle, inst.problem
    B = int(o.get("batch_size", 1))
    if o.get("noise") is not None:
        return float(o.get("sigma") or 0.0) / math.sqrt(B)
    if not getattr(p, "is_finite_sum", False):
        return 0.0
    s = sampling_sigma(p)
    if s is None:
        raise AssumptionError(
            f"this bound needs sigma, a bound on E||g - grad L(w)||^2 valid at every iterate; the oracle "
            f"samples the terms of the finite sum '{p.name}', which states no such bound. State it on the "
            f"problem (sigma=..., certified for every w, or extra={{'G_max': ...}} bounding every "
            f"||grad f_i(w)||), or replace the sampling by additive noise: "
            f"oracle={{'noise': 'sphere', 'sigma': ...}}")
    if o.get("replace", True):
        return s / math.sqrt(B)
    n = p.n
    return 0.0 if n == 1 else s * math.sqrt((n - B) / (B * (n - 1)))


def sampling_sigma(problem):
    """A certified sigma for sampling one term of a finite sum, valid at every w; None if none is known.

    The problem's own ``sigma`` when it states one; otherwise, if every term's gradient is bounded,
    ||grad f_i(w)|| <= G_max for all i and w (``extra["G_max"]``, e.g. logistic regression without
    ridge: ||grad f_i|| <= ||x_i||), then E||grad f_i - grad f||^2 = E||grad f_i||^2 - ||grad f||^2
    <= G_max^2, so sigma = G_max.
    """
    if getattr(problem, "sigma", None) is not None:
        return float(problem.sigma)
    G_max = getattr(problem, "extra", {}).get("G_max")
    return None if G_max is None else float(G_max)


def noisy(sigma, kind="sphere"):
    """Oracle keywords for additive noise (sigma = 0 still replaces finite-sum sampling by exact grads)."""
    return {"noise": kind, "sigma": float(sigma)}


def gnorm(runs, T):
    """||grad L(w_t)||, t = 1..T, one row per seed (the trace records it at every step)."""
    return numpy.array([numpy.asarray(r.grad_norm)[:T] for r in runs])


def start(problem, u):
    return numpy.asarray(problem.x0(seed=1 + int(u * 1000)))        # seed >= 1: a random start, never w_*


def horizon(inst):
    return numpy.arange(1, inst.T + 1)


def exact_grad_sq(inst, lrs, B=1):
    """E||grad L(w_t)||^2, t = 1..T, of SGD on a quadratic with additive isotropic noise (exact).

    In the eigenbasis of the Hessian A (eigenvalues lam), the error e_t = w_t - w_* has mean m_t and
    diagonal covariance p_t: m_{t+1} = (1 - eta_t lam) m_t, p_{t+1} = (1 - eta_t lam)^2 p_t +
    eta_t^2 sigma^2/(d B), with m_1 = Q^T (w_1 - w_*), p_1 = 0; E||grad L||^2 = sum lam^2 (m^2 + p)
    (seed-notes part 1 §7.3; the noise covariance is sigma^2/d I for Gaussian and sphere noise).
    """
    p = inst.problem
    A = p.A if isinstance(p, QuadraticProblem) else None      # a declared Hessian, not any field named A
    x0 = numpy.asarray(inst.x0, dtype=float)
    if A is None or p.rho != 0 or not numpy.allclose(p.grad(x0), A @ (x0 - p.x_star)):
        raise AssumptionError(f"the exact moments need a quadratic with Hessian A; {p.name} is not one")
    lam, Q = numpy.linalg.eigh(A)
    m, var, s2 = Q.T @ (x0 - p.x_star), numpy.zeros(p.d), sigma_of(inst) ** 2 / (p.d * B)
    out = []
    for eta in lrs:
        out.append(float(numpy.sum(lam ** 2 * (m ** 2 + var))))
        m, var = (1 - eta * lam) * m, (1 - eta * lam) ** 2 * var + eta ** 2 * s2
    return numpy.array(out)
