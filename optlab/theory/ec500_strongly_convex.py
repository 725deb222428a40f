"""Strong convexity, regularization and almost convexity in EC500 (seed 003) sections 21-22, one block each.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..algorithms import GD, AlmostConvexProx, ProjectedSGD
from ..problems import least_squares, log_sum, quadratic
from .block import theorem
from .ec500_convex import delta, gaps, start, ts
from .measures import iterates, per_run
from .stochastic import sigma_of
from .theorem import AssumptionError, Instance

SOURCE = "EC500 notes (seed 003)"
FLOOR = 1e-9


# ---- Theorem 21.6 -------------------------------------------------------------------------------------

def _n216(inst):
    p = inst.problem
    return max(1, min(inst.T, int(p.H / p.mu * math.log(1 / FLOOR))))


@theorem
class EC500_21_6:
    """GD on mu-strongly convex H-smooth losses: L(w_{t+1}) - L_* <= exp(-mu t/H) (L(w_1) - L_*)

    EC500 Theorem 21.6 (L3028-3044). L mu-strongly convex and H-smooth, GD with eta = 1/H:

        L(w_{t+1}) - L_*  <=  exp(-mu t / H) (L(w_1) - L_*)

    Points where the bound has fallen below 1e-9 of its start are not compared (float floor: the gap
    saturates near machine precision). On w^2 (mu = H = 2) from w_1 = (1, 0), L(w_1) - L_* = 1:

    >>> EC500_21_6.theorem.bound(Instance(quadratic(d=2, mu=2.0, H=2.0, x_star=[0.0, 0.0]), [1.0, 0.0], T=2))
    array([0.36787944, 0.13533528])
    """
    id, source = "EC500-21.6", f"{SOURCE} Thm 21.6, L3028-3044"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"strongly_convex", "smooth"}, ("H", "mu"), ("f_star",)
    rule = "eta = 1/H"
    note = ("Not tight: each step contracts the gap by (1 - mu/H) <= exp(-mu/H), and on quadratics by "
            "(1 - mu/H)^2 along the bottom eigenvector.")

    def method(self, inst):
        return GD(lr=1 / inst.problem.H)

    def measure(self, runs, inst):
        n = _n216(inst)
        return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[1:n + 1]))

    def bound(self, inst):
        p = inst.problem
        return numpy.exp(-p.mu / p.H * ts(_n216(inst))) * delta(p, inst.x0)

    def default(self, seed):
        return Instance(quadratic(d=10, mu=0.05, H=1.0, seed=seed), numpy.zeros(10), T=300,
                        label="quadratic, H/mu = 20")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T)


# ---- Regularization trade-off -------------------------------------------------------------------------

class _RState(NamedTuple):
    x: Any
    t: int


@dataclass(frozen=True)
class RidgeGD:
    """GD on F(w) = L(w) + (lam/2)||w||^2 (EC500 section 21, L3084-3114), querying grad L.

    :class:`optlab.algorithms.GD` applied to the regularised loss F, written out so that the oracle
    (and its counters) stay those of L; the method run by EC500-21-ridge.
    """
    lr: float
    lam: float

    def init(self, x0, oracle):
        return _RState(x=numpy.array(x0, dtype=float), t=0)

    def step(self, s, oracle):
        g = oracle.full_grad(s.x) + self.lam * s.x                 # grad F(w_t)
        return _RState(x=s.x - self.lr * g, t=s.t + 1)             # w_{t+1} = w_t - eta grad F(w_t)


@theorem
class EC500_21_ridge:
    """GD on the ridge-regularised loss from 0: L(w_{t+1}) - L_* <= ||w_*||^2 (H e^{..} + lambda)/2

    EC500 section 21 (L3074-3116, unnumbered). L convex, H-smooth, minimiser w_*; GD on
    F = L + (lambda/2)||w||^2 (:class:`RidgeGD`) from w_1 = 0 with eta = 1/(H + lambda):

        L(w_{t+1}) - L_*  <=  (||w_*||^2 / 2) (H exp(-lambda t/(H + lambda)) + lambda)

    Printed with L(w_t) on the left (index read as w_{t+1}, as Thm 21.6 gives). The derivation at
    L3082-3084 uses L(w_*) <= L(w^lambda_*) in the wrong direction (E10) and its intermediate L3094 does
    not follow, but the final bound is true: L(w) - L_* = [F(w) - F(w^lambda)] + [F(w^lambda) - L_*] -
    (lambda/2)||w||^2 <= [F(w) - F(w^lambda)] + (lambda/2)||w_*||^2 (since F(w^lambda) <= F(w_*)), and
    F(0) - F(w^lambda) <= L(0) - L_* <= (H/2)||w_*||^2 (smoothness at w_*). With ||w_*|| = 5, H = 1 and
    lambda = 1: 12.5 (exp(-t/2) + 1).

    >>> inst = Instance(quadratic(d=2, mu=1.0, H=1.0, x_star=[3.0, 4.0]), numpy.zeros(2), T=2, hyper={"lam": 1.0})
    >>> EC500_21_ridge.theorem.bound(inst)
    array([20.08163325, 17.09849301])
    """
    id, source = "EC500-21-ridge", f"{SOURCE} sec 21, L3074-3116"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"convex", "smooth"}, ("H",), ("x_star", "f_star")
    rule, admissible = "w_1 = 0, eta = 1/(H + lambda), 0 < lambda", {"lam": (0.0, None)}
    note = ("Derivation of the corrected proof (E10) in the block's docstring; w_* may be any minimiser "
            "(the min-norm one gives the smallest bound). Index read as w_{t+1}.")

    def method(self, inst):
        return RidgeGD(lr=1 / (inst.problem.H + inst.hyper["lam"]), lam=inst.hyper["lam"])

    def measure(self, runs, inst):
        return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[1:]))

    def bound(self, inst):
        p, lam = inst.problem, inst.hyper["lam"]
        return float(numpy.sum(p.x_star ** 2)) / 2 * (p.H * numpy.exp(-lam * ts(inst.T) / (p.H + lam)) + lam)

    def default(self, seed):
        p = least_squares(n=20, d=40, seed=seed)
        return Instance(p, numpy.zeros(40), T=300, hyper={"lam": 0.05 * p.H},
                        label="rank-deficient least squares (n < d), lambda = H/20")

    def draw(self, problem, T, u):
        return Instance(problem, numpy.zeros(problem.d), T=T, hyper={"lam": problem.H * 10 ** (-3 * u[1])})


# ---- Theorem 22.1 -------------------------------------------------------------------------------------

def G2(inst):
    """E||grad l(w, z)||^2 <= H^2 (D + ||w_*||)^2 + sigma^2 on the ball ||w|| <= D."""
    p = inst.problem
    return p.H ** 2 * (inst.hyper["D"] + float(numpy.linalg.norm(p.x_star))) ** 2 + sigma_of(inst) ** 2


def _ball(x, D):
    n = float(numpy.linalg.norm(x))
    return x if n <= D else x * (D / n)


class _Theorem221:
    """Theorem 22.1's setting (not a theorem itself). G^2 = H^2 (D + ||w_*||)^2 + sigma^2 with additive noise
    of variance sigma^2 (||grad L(w)|| <= H ||w - w_*||)."""
    source, algorithm, kind = f"{SOURCE} Thm 22.1, L3136-3182", ProjectedSGD, "expectation"
    requires, constants, data = {"strongly_convex", "smooth"}, ("H", "mu"), ("x_star", "f_star")
    rule = "eta_t = 1/(mu t), projection on ||w|| <= D, ||w_*|| <= D"
    admissible = {"D": (lambda p: float(numpy.linalg.norm(p.x_star)), None)}
    _average = False

    def method(self, inst):
        return ProjectedSGD(mu=inst.problem.mu, D=inst.hyper["D"])

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(gaps(inst.problem, iterates(r)[:-1]))
                       / (ts(inst.T) if self._average else 1.0))

    def bound(self, inst):
        return G2(inst) * (numpy.log(ts(inst.T)) + 1) / (2 * inst.problem.mu)

    def default(self, seed, T=100):
        p = quadratic(d=5, mu=1.0, H=1.0, seed=seed)
        D = 2 * float(numpy.linalg.norm(p.x_star))
        return Instance(p, numpy.zeros(5), T=T, hyper={"D": D}, oracle={"noise": "gaussian", "sigma": 2.0},
                        seeds=40, label="isotropic quadratic + N(0, 4) noise, D = 2 ||w_*||")


@theorem
class EC500_22_1(_Theorem221):
    """projected SGD, eta_t = 1/(mu t): average E[L(w_t) - L_*] <= G^2 (log T + 1)/(2 mu)

    EC500 Theorem 22.1 (L3136-3182) as printed. L = E l(., z) mu-strongly convex, ||w_*|| <= D,
    E||grad l(w, z)||^2 <= G^2 on the ball, w_{t+1} = Pi_{||w|| <= D}(w_t - grad l(w_t, z_t)/(mu t)):

        (1/t) sum_{s<=t} E[L(w_s) - L_*]  <=  G^2 (log t + 1) / (2 mu)

    The proof (L3176-3179) shows the *sum* is at most that (E9: the printed 1/T on the right is missing);
    the printed form is implied by the sum form (EC500-22.1-sum), so no run can expose it. With H = mu = 1,
    ||w_*|| = 5, D = 5 and sigma = 2: G^2 = 100 + 4, so 52 at t = 1.

    >>> inst = Instance(quadratic(d=2, mu=1.0, H=1.0, x_star=[3.0, 4.0]), numpy.zeros(2), T=1, hyper={"D": 5.0},
    ...                 oracle={"noise": "gaussian", "sigma": 2.0})
    >>> EC500_22_1.theorem.bound(inst)
    array([52.])
    """
    id, _average = "EC500-22.1", True
    note = ("E9: the right side misses 1/T (the proof bounds the sum, L3176-3179; L3132 announces "
            "O(log T/(mu T))). As printed the statement is T times weaker than proved and is implied by "
            "EC500-22.1-sum, so no run can falsify it: encoded as printed (ratio 0.09 on the default, largest "
            "at small t).")


@theorem
class EC500_22_1_sum(_Theorem221):
    """projected SGD, eta_t = 1/(mu t): sum_t E[L(w_t) - L_*] <= G^2 (log T + 1)/(2 mu)

    What the proof of EC500 Theorem 22.1 shows (it also keeps -(T mu/2) E||w_{T+1} - w_*||^2):

        sum_{s<=t} E[L(w_s) - L_*]  <=  G^2 (log t + 1) / (2 mu)

    On the instance of EC500-22.1's example: 52 at t = 1.

    >>> inst = Instance(quadratic(d=2, mu=1.0, H=1.0, x_star=[3.0, 4.0]), numpy.zeros(2), T=1, hyper={"D": 5.0},
    ...                 oracle={"noise": "gaussian", "sigma": 2.0})
    >>> EC500_22_1_sum.theorem.bound(inst)
    array([52.])
    """
    id = "EC500-22.1-sum"
    note = ("What the proof shows (it also keeps -(T mu/2) E||w_{T+1} - w_*||^2). G^2 = H^2 (D + ||w_*||)^2 + "
            "sigma^2 is the exact supremum on the ball for the isotropic quadratic (default instance, ratio "
            "about 0.25) and an upper bound otherwise. Smoothness is used only to certify G.")

    def draw(self, problem, T, u):
        D = float(numpy.linalg.norm(problem.x_star)) * (1 + 2 * u[1]) + 0.1
        return Instance(problem, _ball(start(problem, u[0]), D), T=T, hyper={"D": D}, seeds=20,
                        oracle={"noise": "gaussian", "sigma": 3 * u[2]})


# ---- Almost convexity: the proximal outer loop --------------------------------------------------------

def gamma_low(p):
    """The almost-convexity constant: 0 for convex losses, extra['gamma'] when known, else H."""
    if "convex" in p.assumptions:
        return 0.0
    return p.extra.get("gamma", p.H)


class _AlmostConvex:
    """The proximal outer loop of EC500 section 22 (L3228-3267; not a theorem itself). L H-smooth and
    gamma-almost convex (hess L >= -gamma I), each outer step w_{t+1} = w_t + delta_t with
    F_t(delta_t) - min F_t <= eps^2/(6H) and ||grad F_t(delta_t)|| <= eps, F_t(delta) = L(w_t + delta) +
    gamma ||delta||^2."""
    algorithm, kind = AlmostConvexProx, "every_step"
    requires, constants, data = {"smooth"}, ("H",), ("f_star",)
    rule = "gamma-almost convex, gamma <= H; inner solves to ||grad F_t|| <= eps min(1, sqrt(gamma/(3H)))"
    admissible = {"gamma": (gamma_low, lambda p: p.H), "eps": (0.0, None)}
    _c = 8                      # the constant of gamma Delta / t

    def method(self, inst):
        return AlmostConvexProx(gamma=inst.hyper["gamma"], H=inst.problem.H, eps=inst.hyper["eps"],
                                inner_steps=5000)

    def measure(self, runs, inst):
        p, gamma, eps = inst.problem, inst.hyper["gamma"], inst.hyper["eps"]
        target = eps * min(1.0, math.sqrt(gamma / (3 * p.H))) * (1 + 1e-6) + 1e-13

        def path(r):
            W = iterates(r)
            for w, w1 in zip(W[:-1], W[1:]):                          # the inner-accuracy hypothesis
                if numpy.linalg.norm(numpy.asarray(p.grad(w1)) + 2 * gamma * (w1 - w)) > target:
                    raise AssumptionError(
                        "an inner solve did not reach ||grad F_t|| <= eps min(1, sqrt(gamma/(3H)))")
            return numpy.cumsum(numpy.asarray(r.grad_norm[1:]) ** 2) / ts(inst.T)

        return per_run(runs, path)

    def bound(self, inst):
        p, gamma, eps = inst.problem, inst.hyper["gamma"], inst.hyper["eps"]
        return self._c * gamma * delta(p, inst.x0) / ts(inst.T) + 4 * gamma * eps ** 2 / (3 * p.H) + 2 * eps ** 2

    def default(self, seed):
        p, T, gamma = log_sum(d=4, seed=seed), 20, 0.25
        x0 = numpy.asarray(p.x0(0))
        return Instance(p, x0, T=T, hyper={"gamma": gamma, "eps": math.sqrt(gamma * delta(p, x0) / T)},
                        label="log sum (gamma = 1/4), eps^2 = gamma Delta / T")


@theorem
class EC500_22_almost_convex(_AlmostConvex):
    """almost-convex proximal loop: average ||grad L(w_{t+1})||^2 <= 8 gamma Delta/T + O(eps^2)

    EC500 section 22, L3260 (right: sum_t ||grad L(w_{t+1})||^2 <= 8 gamma Delta + 4 T gamma eps^2/(3H) +
    2 T eps^2), divided by t:

        (1/t) sum_{s<=t} ||grad L(w_{s+1})||^2  <=  8 gamma Delta/t + 4 gamma eps^2/(3H) + 2 eps^2

    At eps^2 = gamma Delta/T that is at most 12 gamma Delta/T. On (1/2)||w||^2 (H = 1) from (3, 4)
    (Delta = 12.5) with gamma = 1/2, eps = 1: 50 + 2/3 + 2 at t = 1.

    >>> inst = Instance(quadratic(d=2, mu=1.0, H=1.0, x_star=[0.0, 0.0]), [3.0, 4.0], T=1,
    ...                 hyper={"gamma": 0.5, "eps": 1.0})
    >>> EC500_22_almost_convex.theorem.bound(inst)
    array([52.66666667])
    """
    id, source, statement = "EC500-22-almost-convex", f"{SOURCE} sec 22, L3228-3260", "corrected"
    note = ("L3260 divided by T (E12); at eps^2 = gamma Delta/T it is at most 12 gamma Delta/T. The inner "
            "accuracy is a hypothesis and is verified on every step from the iterates.")

    def draw(self, problem, T, u):
        lo = max(gamma_low(problem), 0.1 * problem.H)
        gamma = lo + (problem.H - lo) * u[1]
        x0 = start(problem, u[0])
        eps = math.sqrt(gamma * max(delta(problem, x0), 1e-12) / T) * 10 ** (-2 * u[2])
        return Instance(problem, x0, T=T, hyper={"gamma": gamma, "eps": eps})


@theorem
class EC500_22_almost_convex_printed(_AlmostConvex):
    """almost-convex proximal loop: average ||grad L(w_{t+1})||^2 <= gamma Delta/T + O(eps^2)

    EC500 section 22 as printed at L3261 (then 5 gamma Delta/T at eps^2 = gamma Delta/T, L3267):

        (1/t) sum_{s<=t} ||grad L(w_{s+1})||^2  <=  gamma Delta/t + 4 gamma eps^2/(3H) + 2 eps^2

    With exact inner solves ||grad L(w_{t+1})||^2 = 4 gamma^2 ||delta_t||^2 <= (8/3) gamma (L(w_t) -
    L(w_{t+1})) (F_t is gamma-strongly convex), so the printed L3261 fails for small eps, while the final
    5 gamma Delta/T at the prescribed eps was not exceeded by optlab's accurate inner solver (it would need
    inner solves that use the whole eps budget); it is unproven, not refuted. On the instance of the
    corrected form's example: 6.25 + 2/3 + 2.

    >>> inst = Instance(quadratic(d=2, mu=1.0, H=1.0, x_star=[0.0, 0.0]), [3.0, 4.0], T=1,
    ...                 hyper={"gamma": 0.5, "eps": 1.0})
    >>> EC500_22_almost_convex_printed.theorem.bound(inst)
    array([8.91666667])
    """
    id, source, statement = "EC500-22-almost-convex/printed", f"{SOURCE} sec 22, L3261-3267", "printed"
    _c = 1
    note = ("Erratum E12: L3261 divides L3260 by T but drops the factor 8 on gamma Delta. With accurate "
            "inner solves ||grad L(w_{t+1})||^2 = 4 gamma^2 ||delta_t||^2 can reach (8/3) gamma (L(w_t) - "
            "L(w_{t+1})), so the printed gamma Delta/T fails (ratio 2.09 here). The final 5 gamma Delta/T "
            "(L3267) at eps^2 = gamma Delta/T was not exceeded (at most 0.49 of it in about 200 runs on "
            "log_sum, cosine_sum and pl_sine; with exact inner solves the average is at most "
            "(8/3) gamma Delta/T), but its proof is this step: it is unproven, not refuted; the proof gives "
            "8 + 4 gamma/(3H) + 2 <= 12. The notes also write "
            "'gamma-strongly-convex' for gamma-almost convex (L3228).")

    def counterexample(self):
        p = log_sum(d=1, seed=0)
        return Instance(p, p.x_star + 5.0, T=5, hyper={"gamma": 0.25, "eps": 1e-6},
                        label="log(1 + (w - c)^2), w_1 = c + 5, gamma = 1/4, eps = 1e-6")


THEOREMS = tuple(block.theorem for block in (
    EC500_21_6, EC500_21_ridge, EC500_22_1, EC500_22_1_sum, EC500_22_almost_convex, EC500_22_almost_convex_printed))
