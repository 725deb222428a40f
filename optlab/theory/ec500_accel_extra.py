"""Accelerated GD for smooth strongly convex losses: the linear rate with sqrt(kappa).

EC500 (seed 003) uses Nesterov's constant-momentum method as the inner solver of section 22
(L3210-3214, "homework") without stating its rate; the statement is external (Bubeck, Convex
Optimization: Algorithms and Complexity, 2015, Thm 3.18; Nesterov 2004, Thm 2.2.3). The catalogue's
method is :class:`~optlab.algorithms.StronglyConvexAGD`.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import StronglyConvexAGD
from ..problems import logistic_regression, quadratic
from .block import theorem
from .ec500_convex import gaps, start
from .measures import dist, iterates, per_run
from .theorem import Instance


@theorem
class AGD_STRONGLY_CONVEX:
    """accelerated GD, mu-strongly convex H-smooth loss: gap <= (1 - sqrt(eta mu))^t (Delta + mu D^2 / 2)

    Bubeck (2015) Thm 3.18 (external), with H replaced by 1/eta >= H; EC500 sec 22 uses the method.
    L mu-strongly convex and H-smooth, 0 < eta <= 1/H, beta = (1 - sqrt(eta mu))/(1 + sqrt(eta mu)),
    x_t = w_t + beta (w_t - w_{t-1}), w_{t+1} = x_t - eta grad L(x_t), w_0 = w_1. For every t:

        L(w_{t+1}) - L_*  <=  (1 - sqrt(eta mu))^t (L(w_1) - L_* + (mu/2) ||w_1 - w_*||^2)

    Against GD's (1 - eta mu)^t: kappa = 1/(eta mu) becomes sqrt(kappa) in the rate.

    On (1/2) w^2 (mu = H = 1) from w_1 = 2 with eta = 1/4: (1 - 1/2)^t (2 + 2) = 2, 1, 0.5:

    >>> AGD_STRONGLY_CONVEX.theorem.bound(Instance(quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0]), [2.0], T=3,
    ...                                            hyper={"lr": 0.25}))
    array([2. , 1. , 0.5])
    """
    id = "Bubeck-3.18"
    source = "Bubeck (2015) Thm 3.18, Nesterov (2004) Thm 2.2.3 (external); EC500 sec 22, L3210-3214"
    algorithm, kind = StronglyConvexAGD, "every_step"
    requires, constants, data = {"convex", "strongly_convex", "smooth"}, ("H", "mu"), ("x_star", "f_star")
    rule, admissible = "0 < eta <= 1/H, mu the strong convexity", {"lr": (0.0, lambda p: 1 / p.H)}
    note = ("External: the notes use the method (section 22's inner solver) without its rate. The constant "
            "is not attained; on quadratics the measured/bound ratio stays below about 0.5.")

    def method(self, inst):
        return StronglyConvexAGD(lr=inst.hyper["lr"], mu=inst.problem.mu)

    def measure(self, runs, inst):
        return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[1:]))      # L(w_{t+1}) - L_*

    def bound(self, inst):
        p, eta = inst.problem, inst.hyper["lr"]
        start_gap = float(p.f(numpy.asarray(inst.x0, dtype=float))) - p.f_star
        rho = 1 - math.sqrt(eta * p.mu)
        return rho ** numpy.arange(1, inst.T + 1) * (start_gap + p.mu / 2 * dist(inst.x0, p.x_star) ** 2)

    def default(self, seed):
        p = logistic_regression(n=100, d=5, lam=0.01, seed=seed)
        return Instance(p, numpy.zeros(5), T=100, hyper={"lr": 1 / p.H}, label="l2-regularised logistic, eta = 1/H")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, hyper={"lr": (0.05 + 0.95 * u[1]) / problem.H})


THEOREMS = (AGD_STRONGLY_CONVEX.theorem,)
