"""Helpers shared by the theorems about stochastic methods: noise settings, Delta, exact moments.

The oracle of these theorems adds noise of known size to the exact gradient (``'sphere'``: uniform on the
sphere of radius sigma, or ``'gaussian'``: N(0, sigma^2/d I)), so sigma^2 = E||g - grad L(w)||^2 exactly.
"""
from __future__ import annotations

import math

import numpy

from .theorem import AssumptionError

MC_SEEDS = 12          # seeds per drawn instance in the property tests (Monte Carlo theorems)


def delta(inst):
    """Delta = L(w_1) - inf L."""
    return float(inst.problem.f(inst.x0)) - inst.problem.f_star


def sigma_of(inst):
    """The noise level sigma of the instance's additive oracle, per oracle call."""
    o = inst.oracle
    return float(o.get("sigma") or 0.0) / math.sqrt(o.get("batch_size", 1))


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
    A = getattr(p, "A", None)
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
