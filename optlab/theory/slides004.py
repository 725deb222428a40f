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
from .ec500_normalized import grad_norms, slack
from .measures import iterates, losses, per_run
from .theorem import Instance, Theorem

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


# ---- D2 -------------------------------------------------------------------------------------------------

def _d2_measure(runs, inst):
    p = inst.problem
    return per_run(runs, lambda r: 2 * p.mu * (losses(p, iterates(r)) - p.f_star))


def _d2_bound(inst):
    from ..algorithms import run

    p = inst.problem
    W = iterates(run(SGD(lr=inst.hyper["lr"]), p, steps=inst.T, x0=inst.x0, progress=False, **dict(inst.oracle)))
    f = losses(p, W)
    return grad_norms(p, W) ** 2 + slack(2 * p.mu * f, 2 * p.mu * p.f_star)


def _d2_draw(problem, T, u):
    x0 = _x0(problem, u[0])
    scale = problem.H if problem.H else problem.L0 + problem.L1 * float(numpy.linalg.norm(problem.grad(x0)))
    return Instance(problem, x0, T=T, hyper={"lr": (0.05 + 0.9 * u[1]) / scale})


def _isotropic(T, **hyper):
    p = quadratic(d=3, mu=2.0, H=2.0, seed=0)
    return Instance(p, numpy.asarray(p.x_star) + 1.0, T=T, hyper=hyper, label="tight")


D2 = Theorem(
    id="004-D2", title="strongly convex functions satisfy the error bound with delta = 2 sigma",
    source=f"{SOURCE} L1007-1027", algorithm="sgd", requires=frozenset({"strongly_convex"}),
    constants=("mu", "f_star"), rule="any point (checked along SGD runs, one sample path)", kind="every_step",
    measured_text="2 sigma (f(x_k) - f_*)", bound_text="||grad f(x_k)||^2 (k = 0 .. T)",
    method=lambda inst: SGD(lr=inst.hyper["lr"]), measure=_d2_measure,
    bound=_d2_bound,
    default=lambda seed: Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=50,
                                  hyper={"lr": 0.1}, oracle={"noise": "gaussian", "sigma": 0.5},
                                  label="quadratic, SGD with Gaussian noise"),
    admissible={"lr": (0.0, None)}, tight=True, tight_instance=lambda: _isotropic(5, lr=0.1),
    tight_factor=0.999999, draw=_d2_draw,
    note="Measured and bound are compared at the T + 1 iterates x_0 .. x_T of one run, so the bound has T + 1 "
         "points. The proof is for subgradients (f = g + sigma/2 ||.||^2, g convex); optlab's families are "
         "differentiable. The algorithm is only a way to visit points: the inequality holds everywhere.",
)


# ---- D4 -------------------------------------------------------------------------------------------------

def _rate_measure(runs, inst):
    p = inst.problem
    return per_run(runs, lambda r: losses(p, iterates(r))[1:] - p.f_star)


def _rate_bound(factor):
    def bound(inst):
        from ..algorithms import run

        p = inst.problem
        f = losses(p, iterates(run(_gd(inst), p, steps=inst.T, x0=inst.x0, progress=False, **dict(inst.oracle))))
        return factor(inst) * (f[:-1] - p.f_star) + slack(f[1:], p.f_star)
    return bound


def _d4_factor(inst):
    p, g = inst.problem, inst.hyper["lr"]
    return 1 - g * _delta(p) * (1 - p.H * g / 2)


D4 = Theorem(
    id="004-D4", title="smooth + error bound: the gradient method converges linearly",
    source=f"{SOURCE} L1041-1070", algorithm="gd", requires=frozenset({"smooth", "generalized_pl"}),
    constants=("H", "pl_mu", "pl_exponent", "f_star"), rule="gamma in (0, 2/beta), delta = 2 mu_PL",
    kind="every_step", measured_text="f(x_{k+1}) - f_*",
    bound_text="(1 - gamma delta (1 - beta gamma / 2)) (f(x_k) - f_*)",
    method=_gd, measure=_rate_measure, bound=_rate_bound(_d4_factor),
    default=lambda seed: Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=40,
                                  hyper={"lr": 0.3}, label="quadratic, gamma = 1.2/beta"),
    admissible={"lr": (0.0, lambda p: 2 / p.H)}, tight=True, tight_instance=lambda: _isotropic(10, lr=0.3),
    tight_factor=0.999999,
    draw=lambda problem, T, u: Instance(problem, _x0(problem, u[0]), T=T,
                                        hyper={"lr": (0.02 + 1.96 * u[1]) / problem.H}),
    note="On the isotropic quadratic (beta = mu) f(x_{k+1}) - f_* = (1 - gamma beta)^2 (f(x_k) - f_*) and "
         "1 - 2 gamma mu (1 - beta gamma/2) = (1 - gamma beta)^2: equality. delta = 2 mu_PL from the "
         "family's PL constant (D2 gives delta = 2 sigma for strongly convex f).",
)


# ---- D5 -------------------------------------------------------------------------------------------------

def _d5_c(inst):
    """c: the hyperparameter, or the largest value the slides allow, sqrt(delta) gamma beta / 2."""
    p, g = inst.problem, inst.hyper["lr"]
    return inst.hyper.get("c", math.sqrt(_delta(p)) * g * p.H / 2)


def _d5(printed, **kw):
    def factor(inst):
        p, g = inst.problem, inst.hyper["lr"]
        return 1 - (_d5_c(inst) if printed else _delta(p)) * g * (1 - p.H * g)

    return Theorem(
        id="004-D5" + ("/printed" if printed else ""),
        title="semi-smooth + error bound: the gradient method converges linearly",
        source=f"{SOURCE} L1094-1139", algorithm="gd", requires=frozenset({"smooth", "generalized_pl"}),
        constants=("H", "pl_mu", "pl_exponent", "f_star"),
        rule="gamma in (0, 1/beta), c <= sqrt(delta) gamma beta / 2 (default: equality)", kind="every_step",
        measured_text="f(x_{k+1}) - f_*",
        bound_text=("(1 - c gamma (1 - beta gamma)) (f(x_k) - f_*)" if printed
                    else "(1 - delta gamma (1 - beta gamma)) (f(x_k) - f_*)"),
        method=_gd, measure=_rate_measure, bound=_rate_bound(factor),
        default=lambda seed: Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=40,
                                      hyper={"lr": 0.15}, label="quadratic, gamma = 0.6/beta"),
        admissible={"lr": (0.0, lambda p: 1 / p.H), "c": (0.0, None)}, **kw)


def _d5_counterexample():
    p = quadratic(d=2, mu=1e-3, H=1.0, seed=0)
    return Instance(p, numpy.asarray(p.x_star) + 1.0, T=30, hyper={"lr": 0.5},
                    label="quadratic with mu = 1e-3, beta = 1, gamma = 1/2, c = sqrt(delta) gamma beta/2")


D5_PRINTED = _d5(
    True, statement="printed", expect=False, counterexample=_d5_counterexample,
    note="The chain's last step (L1136-1137) uses the error bound ||grad f||^2 >= delta f, so the factor is "
         "1 - delta gamma (1 - beta gamma); the printed c cannot come from it. A beta-smooth f >= 0 is "
         "(c, beta)-semi-smooth for every c >= 0, so c = sqrt(delta) gamma beta / 2 is admissible, and then the "
         "printed factor 1 - c gamma (1 - beta gamma) is below the contraction (1 - gamma mu)^2 of GD along the "
         "bottom eigenvector of a quadratic (delta = 2 mu) as soon as sqrt(delta) < gamma beta (1 - beta "
         "gamma)/2 (a sufficient condition; only c > delta makes it beat the proved factor): on a "
         "quadratic with mu = 1e-3, beta = 1, gamma = 1/2 the run contracts by (1 - gamma mu)^2 = 0.9990 "
         "per step along the bottom eigenvector, while the printed factor is 0.9972.")

D5 = _d5(
    False, statement="corrected",
    draw=lambda problem, T, u: Instance(problem, _x0(problem, u[0]), T=T,
                                        hyper={"lr": (0.02 + 0.97 * u[1]) / problem.H}),
    note="Corrected factor (the chain's own last line): f(x_{k+1}) <= f(x_k) - gamma (1 - beta gamma) "
         "||grad f(x_k)||^2 <= (1 - delta gamma (1 - beta gamma)) f(x_k), valid for gamma in (0, 1/beta) and "
         "any c <= sqrt(delta) gamma beta / 2. Checked on beta-smooth families (c = 0 is smoothness), with "
         "f - f_* for f.")

THEOREMS = (D2, D4, D5_PRINTED, D5)
