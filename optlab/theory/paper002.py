"""AN-GD and IAN-SGD under generalized smoothness (seed 002, Yang et al., ICCOPT 2025 slides).

The slides' results are informal (big-O, "Informal" in their titles, L227 and L351). Encoded here are
precise forms derived for optlab (status: derived, not printed), under the Hessian form of
(L0, L1, alpha)-smoothness that the families certify, ||hess f(w)|| <= L0 + L1 ||grad f(w)||^alpha
(the slides' global asymmetric form (5), L139, excludes ||x||^4 and e^x: put w' = a minimiser).

**Local smoothness lemma (derived).** Let L0' = L0 if alpha = 1 and L0 + L1 if alpha < 1 (u^alpha <=
1 + u), so ||hess f|| <= L0' + L1 ||grad f||. Along w(s) = w + s delta, G(s) = ||grad f(w(s))|| has
G' <= (L0' + L1 G) ||delta||, so G(s) + L0'/L1 <= (G(0) + L0'/L1) e^(L1 ||delta|| s) (Gronwall), and if
L1 ||delta|| <= 1: f(w + delta) <= f(w) + <grad f(w), delta> + (e/2)(L0' + L1 ||grad f(w)||) ||delta||^2.

* **002-AN-GD** (eq. 8, L196; theorem L227-248). AN-GD w_{t+1} = w_t - gamma g_t/||g_t||^beta: on every
  prefix whose steps satisfy L1 ||w_{s+1} - w_s|| <= 1 (for beta = 1: gamma <= 1/L1),
  sum_{s<t} [gamma ||g_s||^(2-beta) - (e/2)(L0' + L1 ||g_s||) ||w_{s+1} - w_s||^2] <= f(w_0) - f(w_t).
* **002-IAN-SGD** (eq. 17, L326-328; theorem L351-360). IAN-SGD with beta = 1 and the slides' A =
  1/(1 - tau_1), delta = tau_2/(1 - tau_1), Gamma = 4 L1 gamma (2 tau_1^2 + 1), any gamma > 0, under the
  noise model (18) (L342): E sum_{s<t} [gamma ||grad F(w_s)||^2 / h_s - (e/2)(L0' + L1 ||grad F(w_s)||)
  ||w_{s+1} - w_s||^2] <= F(w_0) - F_*.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import ANGD, IANSGD
from ..problems import cosh_sum, power_norm
from .block import theorem
from .measures import KeepStates, grad_norms, iterates, losses, per_run, slack, states
from .theorem import Instance

SOURCE = "IAN-SGD slides, ICCOPT 2025 (seed 002)"
E = math.e


def L0_prime(p):
    """L0' with ||hess f|| <= L0' + L1 ||grad f|| (the (L0, L1, 1) form of the family's constants)."""
    return p.L0 if p.alpha >= 1 else p.L0 + p.L1


def _x0(problem, u):
    return numpy.asarray(problem.x0(seed=1 + int(u * 1000)))


# ---- AN-GD ------------------------------------------------------------------------------------------

def _angd_run(inst):
    from ..algorithms import run

    return run(ANGD(lr=inst.hyper["lr"], beta=inst.hyper["beta"]), inst.problem, steps=inst.T, x0=inst.x0,
               progress=False, **dict(inst.oracle))


def _covered(p, W):
    """Steps s < t for which every earlier step satisfies L1 ||w_{s+1} - w_s|| <= 1 (the prefix covered)."""
    ok = p.L1 * numpy.linalg.norm(W[1:] - W[:-1], axis=1) <= 1 + 1e-12
    return numpy.cumprod(ok).astype(bool)


@theorem
class Paper002_AN_GD:
    """AN-GD under (L0, L1, alpha)-smoothness: summed descent (precise form, derived)

    AN-GD (seed 002, eq. 8, L196-198; convergence L227-248), w_{t+1} = w_t - gamma g_t/||g_t||^beta with
    beta in [alpha, 1] and any gamma > 0. On every prefix whose steps satisfy L1 ||w_{s+1} - w_s|| <= 1
    (L0' as in the module docstring):

        sum_{s<t} [gamma ||grad f(w_s)||^(2-beta) - (e/2)(L0' + L1 ||grad f(w_s)||) ||w_{s+1} - w_s||^2]
            <=  f(w_0) - f(w_t)

    The bound reads the run. On cosh(w) - 1 from w_0 = 1 with gamma = 1/2 and beta = 1, the first step
    goes to w_1 = 1/2, so the bound at t = 1 is cosh(1) - cosh(1/2):

    >>> inst = Instance(cosh_sum(d=1), numpy.array([1.0]), T=1, hyper={"lr": 0.5, "beta": 1.0})
    >>> bool(numpy.isclose(Paper002_AN_GD.theorem.bound(inst)[0], math.cosh(1) - math.cosh(0.5)))
    True
    """
    id, source = "002-AN-GD", f"{SOURCE} AN-GD eq. (8) L196-198, convergence L227-248"
    algorithm, kind = ANGD, "every_step"
    requires, constants = {"generalized_smooth"}, ("L0", "L1", "alpha")
    rule = "beta in [alpha, 1], any gamma > 0; checked on the prefix with L1 ||w_{s+1} - w_s|| <= 1"
    admissible = {"lr": (0.0, None), "beta": (lambda p: p.alpha, 1.0)}
    note = ("Status: derived (the slides' statement is informal). Proof: the local smoothness lemma of the "
            "module docstring with delta = -gamma g/||g||^beta, <grad f, delta> = -gamma ||g||^(2-beta), summed. "
            "Consequences matching the slides: for beta = 1 and gamma <= 1/(e L1), min_s ||grad f(w_s)|| <= "
            "2 (f(w_0) - f_*)/(gamma t) + e L0' gamma (O(eps^-2), L205); under generalized PL (9) the rates of "
            "eq. (10)-(12) follow from the same lemma, with constants: theorem 002-AN-GD-PL (paper002_pl). The "
            "slides' descent inequality (6) is also valid under the Hessian form, locally (||delta|| <= 1/L1, "
            "with the factor e).")

    def method(self, inst):
        return ANGD(lr=inst.hyper["lr"], beta=inst.hyper["beta"])

    def measure(self, runs, inst):
        p, gamma, beta = inst.problem, inst.hyper["lr"], inst.hyper["beta"]

        def one(r):
            W = iterates(r)
            g = grad_norms(p, W[:-1])
            step2 = numpy.sum((W[1:] - W[:-1]) ** 2, axis=1)
            terms = gamma * g ** (2 - beta) - E / 2 * (L0_prime(p) + p.L1 * g) * step2
            return numpy.where(_covered(p, W), numpy.cumsum(terms), 0.0)

        return per_run(runs, one)

    def bound(self, inst):
        p = inst.problem
        W = iterates(_angd_run(inst))
        f = losses(p, W)
        return numpy.where(_covered(p, W), f[0] - f[1:] + slack(f[0], f[1:]), 0.0)

    def default(self, seed):
        return Instance(cosh_sum(d=3), numpy.full(3, 3.0 + 0.1 * seed), T=100, hyper={"lr": 0.1, "beta": 1.0},
                        label="sum of cosh from x = 3, normalized GD, gamma = 0.1")

    def draw(self, problem, T, u):
        x0 = _x0(problem, u[0])
        beta = problem.alpha + (1 - problem.alpha) * u[1]
        g0 = float(numpy.linalg.norm(problem.grad(x0)))
        gamma = (0.02 + 0.98 * u[2]) / (problem.L1 * max(1.0, g0) ** (1 - beta))
        return Instance(problem, x0, T=T, hyper={"lr": gamma, "beta": beta},
                        oracle={"noise": "gaussian", "sigma": 0.0})


# ---- IAN-SGD ------------------------------------------------------------------------------------------

def _ian_instance(problem, x0, T, gamma, tau1, tau2, seeds, label=""):
    return Instance(problem, x0, T=T, hyper={"lr": gamma}, seeds=seeds, label=label,
                    oracle={"noise": "affine", "sigma": tau2, "tau1": tau1})


@theorem
class Paper002_IAN_SGD:
    """IAN-SGD (beta = 1, the slides' A, delta, Gamma): summed expected descent (derived)

    IAN-SGD (seed 002, eq. 17, L326-328; noise model (18), L339-346; convergence L351-360) with beta = 1,
    A = 1/(1 - tau_1), delta = tau_2/(1 - tau_1), Gamma = 4 L1 gamma (2 tau_1^2 + 1) and any gamma > 0:

        E sum_{s<t} [gamma ||grad F(w_s)||^2 / h_s - (e/2)(L0' + L1 ||grad F(w_s)||) ||w_{s+1} - w_s||^2]
            <=  F(w_0) - F_*

    On F(w) = w^4 (F_* = 0) from w_0 = 1 the bound is F(w_0) - F_* = 1 at every t:

    >>> inst = _ian_instance(power_norm(d=1, p=4.0), numpy.array([1.0]), 3, 0.1, 0.5, 1.0, seeds=1)
    >>> Paper002_IAN_SGD.theorem.bound(inst)
    array([1., 1., 1.])
    """
    id = "002-IAN-SGD"
    source = f"{SOURCE} IAN-SGD eq. (17) L326-328, noise (18) L339-346, convergence L351-360"
    algorithm, kind = IANSGD, "expectation"
    requires, constants, data = {"generalized_smooth"}, ("L0", "L1", "alpha"), ("f_star",)
    rule = ("beta = 1, A = 1/(1 - tau_1), delta = tau_2/(1 - tau_1), Gamma = 4 L1 gamma (2 tau_1^2 + 1), "
            "any gamma > 0")
    admissible = {"lr": (0.0, None)}
    note = ("Status: derived; the slides give only O(Lambda^2 eps^-4) w.p. 1/2 (L358-360). Proof: (18) gives "
            "X := A ||g'|| + delta >= ||grad F|| (L346) and X >= delta >= tau_2, so ||g|| <= (1 + tau_1)||grad F|| "
            "+ tau_2 <= 2X and ||w_{s+1} - w_s|| = gamma ||g||/h <= 2 gamma/Gamma <= 1/(2 L1); the local "
            "smoothness lemma (module docstring) then bounds F(w_{s+1}) pathwise, and E[<grad F, g>/h] = "
            "E[||grad F||^2/h] because h uses the independent sample xi' (eq. 16). Summing and F >= F_* gives the "
            "statement; the rate follows by bounding h_s and ||w_{s+1} - w_s||^2 <= gamma^2 ||g||^2/h^2. The oracle "
            "is optlab's 'affine' model g = (1 + u) grad F + v, |u| = tau_1, ||v|| = tau_2, which satisfies (18) "
            "with equality possible. For beta < 1 the step-length bound is not automatic, so beta = 1 is encoded.")

    def method(self, inst):
        # tau_2 is the additive radius of the affine oracle, which the oracle keywords call sigma
        gamma, t1, t2 = inst.hyper["lr"], inst.oracle.get("tau1", 0.0), inst.oracle["sigma"]
        return KeepStates(IANSGD(lr=gamma, beta=1.0, A=1 / (1 - t1), delta=t2 / (1 - t1),
                                 Gamma=4 * inst.problem.L1 * gamma * (2 * t1 ** 2 + 1)))

    def measure(self, runs, inst):
        p, gamma = inst.problem, inst.hyper["lr"]

        def one(r):
            W = iterates(r)
            h = numpy.array([s.h for s in states(r)])
            g = grad_norms(p, W[:-1])
            step2 = numpy.sum((W[1:] - W[:-1]) ** 2, axis=1)
            return numpy.cumsum(gamma * g ** 2 / h - E / 2 * (L0_prime(p) + p.L1 * g) * step2)

        return per_run(runs, one)

    def bound(self, inst):
        return numpy.full(inst.T, float(inst.problem.f(inst.x0)) - inst.problem.f_star)

    def default(self, seed):
        return _ian_instance(power_norm(d=5, p=4.0), numpy.full(5, 2 / math.sqrt(5)), T=200, gamma=0.05,
                             tau1=0.5, tau2=1.0, seeds=100,
                             label="||x||^4 from ||x_0|| = 2, affine noise tau_1 = 0.5, tau_2 = 1")

    def draw(self, problem, T, u):
        return _ian_instance(problem, _x0(problem, u[0]), T, (0.005 + 0.5 * u[1]) / problem.L1,
                             0.9 * u[2], 0.1 + 2 * u[3], seeds=24)


THEOREMS = (Paper002_AN_GD.theorem, Paper002_IAN_SGD.theorem)
