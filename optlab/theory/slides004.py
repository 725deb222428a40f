"""Quantitative claims of the SGD lecture slides (seed 004) that bound what (S)GD does.

Error bound (EB, L1030-1032): delta (f(x) - f_*) <= ||grad f(x)||^2, i.e. PL with delta = 2 mu_PL.
The slides number nothing; the ids follow the seed notes' labels (seed-notes-short §4.3).

* **004-D2** (L1007-1027): sigma-strongly convex f satisfies the EB with delta = 2 sigma:
  2 sigma (f(x) - f_*) <= ||grad f(x)||^2, checked at the iterates of SGD runs. Equality on isotropic
  quadratics. (L1019 prints sigma ||x_*||^2 for sigma^2 ||x_*||^2; harmless.)
* **004-D4** (L1041-1070): beta-smooth f with the EB, gradient method with gamma_k in (0, 2/beta):
  f(x_{k+1}) - f_* <= (1 - gamma delta (1 - beta gamma/2)) (f(x_k) - f_*). Equality on isotropic
  quadratics.
* **004-D5** (L1094-1139): (c, beta)-semi-smooth f with the EB, c <= sqrt(delta) gamma beta / 2,
  gamma in (0, 1/beta). Printed f(x_{k+1}) <= (1 - c gamma (1 - beta gamma)) f(x_k) (f_* = 0); the chain
  (L1136) gives (1 - delta gamma (1 - beta gamma)) f(x_k): the printed 'c' is a misprint for 'delta', and a
  real run violates it.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import GD, SGD
from ..problems import quadratic
from .block import theorem
from .ec500_normalized import grad_norms, slack
from .measures import iterates, losses, per_run
from .theorem import Instance

SOURCE = "SGD lecture slides (seed 004)"


def _x0(problem, u):
    return numpy.asarray(problem.x0(seed=1 + int(u * 1000)))


def _delta(p):
    if p.pl_exponent != 2:
        raise ValueError(f"the error bound needs the PL exponent 2, got pl_exponent={p.pl_exponent}")
    return 2 * p.pl_mu


def _gd(inst):
    _delta(inst.problem)
    return GD(lr=inst.hyper["lr"])


def _isotropic(T, **hyper):
    p = quadratic(d=3, mu=2.0, H=2.0, seed=0)
    return Instance(p, numpy.asarray(p.x_star) + 1.0, T=T, hyper=hyper, label="tight")


@theorem
class Slides004_D2:
    """strongly convex functions satisfy the error bound with delta = 2 sigma

    Slides 004, L1007-1027: a sigma-strongly convex f satisfies 2 sigma (f(x) - f_*) <= ||grad f(x)||^2 at
    every point, checked here at the T + 1 iterates x_0 .. x_T of one SGD run (k = 0 .. T):

        2 sigma (f(x_k) - f_*)  <=  ||grad f(x_k)||^2 (k = 0 .. T)

    Equality on isotropic quadratics. On (1)||x - x_*||^2 in R^3 (sigma = 2) from x_* + (1, 1, 1), one
    noiseless step of size 0.1 scales x - x_* by 0.8, so the gradient norms squared are 12 and 3 (1.6)^2:

    >>> Slides004_D2.theorem.bound(_isotropic(1, lr=0.1)).round(12)
    array([12.  ,  7.68])
    """
    id, source = "004-D2", f"{SOURCE} L1007-1027"
    algorithm, kind = SGD, "every_step"
    requires, constants, data = {"strongly_convex"}, ("mu",), ("f_star",)
    rule, admissible = "any point (checked along SGD runs, one sample path)", {"lr": (0.0, None)}
    tight_factor = 0.999999
    note = ("Measured and bound are compared at the T + 1 iterates x_0 .. x_T of one run, so the bound has T + 1 "
            "points. The proof is for subgradients (f = g + sigma/2 ||.||^2, g convex); optlab's families are "
            "differentiable. The algorithm is only a way to visit points: the inequality holds everywhere.")

    def method(self, inst):
        return SGD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        p = inst.problem
        return per_run(runs, lambda r: 2 * p.mu * (losses(p, iterates(r)) - p.f_star))

    def bound(self, inst):
        from ..algorithms import run

        p = inst.problem
        W = iterates(run(SGD(lr=inst.hyper["lr"]), p, steps=inst.T, x0=inst.x0, progress=False,
                         **dict(inst.oracle)))
        f = losses(p, W)
        return grad_norms(p, W) ** 2 + slack(2 * p.mu * f, 2 * p.mu * p.f_star)

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=50,
                        hyper={"lr": 0.1}, oracle={"noise": "gaussian", "sigma": 0.5},
                        label="quadratic, SGD with Gaussian noise")

    def tight(self):
        return _isotropic(5, lr=0.1)

    def draw(self, problem, T, u):
        x0 = _x0(problem, u[0])
        scale = problem.H if problem.H else problem.L0 + problem.L1 * float(numpy.linalg.norm(problem.grad(x0)))
        return Instance(problem, x0, T=T, hyper={"lr": (0.05 + 0.9 * u[1]) / scale})


class _LinearRate:
    """The gradient method under the error bound, one step at a time (D4, D5): not a theorem."""
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"smooth", "generalized_pl"}, ("H", "pl_mu", "pl_exponent"), ("f_star",)

    def method(self, inst):
        return _gd(inst)

    def measure(self, runs, inst):
        p = inst.problem
        return per_run(runs, lambda r: losses(p, iterates(r))[1:] - p.f_star)

    def bound(self, inst):
        from ..algorithms import run

        p = inst.problem
        f = losses(p, iterates(run(_gd(inst), p, steps=inst.T, x0=inst.x0, progress=False, **dict(inst.oracle))))
        return self.factor(inst) * (f[:-1] - p.f_star) + slack(f[1:], p.f_star)


@theorem
class Slides004_D4(_LinearRate):
    """smooth + error bound: the gradient method converges linearly

    Slides 004, L1041-1070: beta-smooth f with the error bound (delta = 2 mu_PL), gamma in (0, 2/beta):

        f(x_{k+1}) - f_*  <=  (1 - gamma delta (1 - beta gamma / 2)) (f(x_k) - f_*)

    On (1)||x - x_*||^2 in R^3 (beta = mu = 2, delta = 4) from x_* + (1, 1, 1) (gap 3) with gamma = 0.3
    the factor is 1 - 1.2 * 0.7 = 0.16 = (1 - gamma beta)^2, so the first bound is 0.48 (attained):

    >>> Slides004_D4.theorem.bound(_isotropic(1, lr=0.3)).round(12)
    array([0.48])
    """
    id, source = "004-D4", f"{SOURCE} L1041-1070"
    rule, admissible = "gamma in (0, 2/beta), delta = 2 mu_PL", {"lr": (0.0, lambda p: 2 / p.H)}
    tight_factor = 0.999999
    note = ("On the isotropic quadratic (beta = mu) f(x_{k+1}) - f_* = (1 - gamma beta)^2 (f(x_k) - f_*) and "
            "1 - 2 gamma mu (1 - beta gamma/2) = (1 - gamma beta)^2: equality. delta = 2 mu_PL from the "
            "family's PL constant (D2 gives delta = 2 sigma for strongly convex f).")

    def factor(self, inst):
        p, g = inst.problem, inst.hyper["lr"]
        return 1 - g * _delta(p) * (1 - p.H * g / 2)

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=40,
                        hyper={"lr": 0.3}, label="quadratic, gamma = 1.2/beta")

    def tight(self):
        return _isotropic(10, lr=0.3)

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=T, hyper={"lr": (0.02 + 1.96 * u[1]) / problem.H})


def _d5_c(inst):
    """c: the hyperparameter, or the largest value the slides allow, sqrt(delta) gamma beta / 2."""
    p, g = inst.problem, inst.hyper["lr"]
    return inst.hyper.get("c", math.sqrt(_delta(p)) * g * p.H / 2)


@theorem
class Slides004_D5(_LinearRate):
    """semi-smooth + error bound: the gradient method converges linearly

    Slides 004, L1094-1139, corrected: (c, beta)-semi-smooth f with the error bound, gamma in (0, 1/beta),
    c <= sqrt(delta) gamma beta / 2; the chain's own last line (L1136) gives

        f(x_{k+1}) - f_*  <=  (1 - delta gamma (1 - beta gamma)) (f(x_k) - f_*)

    On (1)||x - x_*||^2 in R^3 (beta = 2, delta = 4, gap 3) with gamma = 1/4 the factor is 1/2:

    >>> Slides004_D5.theorem.bound(_isotropic(1, lr=0.25)).round(12)
    array([1.5])
    """
    id, source, statement = "004-D5", f"{SOURCE} L1094-1139", "corrected"
    rule = "gamma in (0, 1/beta), c <= sqrt(delta) gamma beta / 2 (default: equality)"
    admissible = {"lr": (0.0, lambda p: 1 / p.H), "c": (0.0, None)}
    note = ("Corrected factor (the chain's own last line): f(x_{k+1}) <= f(x_k) - gamma (1 - beta gamma) "
            "||grad f(x_k)||^2 <= (1 - delta gamma (1 - beta gamma)) f(x_k), valid for gamma in (0, 1/beta) and "
            "any c <= sqrt(delta) gamma beta / 2. Checked on beta-smooth families (c = 0 is smoothness; c > 0 on a "
            "non-smooth family is 004-D5/semismooth), with f - f_* for f.")

    def factor(self, inst):
        p, g = inst.problem, inst.hyper["lr"]
        return 1 - _delta(p) * g * (1 - p.H * g)

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=40,
                        hyper={"lr": 0.15}, label="quadratic, gamma = 0.6/beta")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=T, hyper={"lr": (0.02 + 0.97 * u[1]) / problem.H})


@theorem
class Slides004_D5_printed(Slides004_D5):
    """semi-smooth + error bound: the gradient method converges linearly

    Slides 004, L1094-1139, as printed (f_* = 0 there):

        f(x_{k+1}) - f_*  <=  (1 - c gamma (1 - beta gamma)) (f(x_k) - f_*)

    Same instance as the corrected block's example, with the largest admissible c = sqrt(4)(1/4)(2)/2 =
    1/2: the printed factor is 1 - 1/16 = 0.9375, so the bound is 3 * 0.9375:

    >>> Slides004_D5_printed.theorem.bound(_isotropic(1, lr=0.25)).round(12)
    array([2.8125])
    """
    id, statement = "004-D5/printed", "printed"
    draw = None
    note = ("The chain's last step (L1136-1137) uses the error bound ||grad f||^2 >= delta f, so the factor is "
            "1 - delta gamma (1 - beta gamma); the printed c cannot come from it. A beta-smooth f >= 0 is "
            "(c, beta)-semi-smooth for every c >= 0, so c = sqrt(delta) gamma beta / 2 is admissible, and then the "
            "printed factor 1 - c gamma (1 - beta gamma) is below the contraction (1 - gamma mu)^2 of GD along the "
            "bottom eigenvector of a quadratic (delta = 2 mu) as soon as sqrt(delta) < gamma beta (1 - beta "
            "gamma)/2 (a sufficient condition; only c > delta makes it beat the proved factor): on a "
            "quadratic with mu = 1e-3, beta = 1, gamma = 1/2 the run contracts by (1 - gamma mu)^2 = 0.9990 "
            "per step along the bottom eigenvector, while the printed factor is 0.9972.")

    def factor(self, inst):
        p, g = inst.problem, inst.hyper["lr"]
        return 1 - _d5_c(inst) * g * (1 - p.H * g)

    def counterexample(self):
        p = quadratic(d=2, mu=1e-3, H=1.0, seed=0)
        return Instance(p, numpy.asarray(p.x_star) + 1.0, T=30, hyper={"lr": 0.5},
                        label="quadratic with mu = 1e-3, beta = 1, gamma = 1/2, c = sqrt(delta) gamma beta/2")


THEOREMS = (Slides004_D2.theorem, Slides004_D4.theorem, Slides004_D5_printed.theorem, Slides004_D5.theorem)
