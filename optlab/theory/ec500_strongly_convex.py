"""Strong convexity, regularization and almost convexity in EC500 (seed 003) sections 21-22.

* **Theorem 21.6** (L3028-3044). L mu-strongly convex and H-smooth, GD with eta = 1/H:
  L(w_{t+1}) - L_* <= exp(-mu t / H) (L(w_1) - L_*). Points where the bound has fallen below 1e-9 of its
  start are not compared (float floor: the gap saturates near machine precision).
* **Regularization trade-off** (L3074-3116, unnumbered). L convex, H-smooth, minimiser w_*; GD on
  F = L + (lambda/2)||w||^2 from w_1 = 0 with eta = 1/(H + lambda):
  L(w_{t+1}) - L_* <= (||w_*||^2/2) (H exp(-lambda t/(H + lambda)) + lambda). Printed with L(w_t) on the
  left (index read as w_{t+1}, as Thm 21.6 gives). The derivation at L3082-3084 uses
  L(w_*) <= L(w^lambda_*) in the wrong direction (E10) and its intermediate L3094 does not follow, but
  the final bound is true: L(w) - L_* = [F(w) - F(w^lambda)] + [F(w^lambda) - L_*] - (lambda/2)||w||^2
  <= [F(w) - F(w^lambda)] + (lambda/2)||w_*||^2 (since F(w^lambda) <= F(w_*)), and
  F(0) - F(w^lambda) <= L(0) - L_* <= (H/2)||w_*||^2 (smoothness at w_*).
* **Theorem 22.1** (L3136-3182). L = E l(., z) mu-strongly convex, ||w_*|| <= D, E||grad l(w, z)||^2 <= G^2 on
  the ball, w_{t+1} = Pi_{||w|| <= D}(w_t - grad l(w_t, z_t)/(mu t)). Printed:
  (1/T) sum_t E[L(w_t) - L_*] <= G^2 (log T + 1)/(2 mu). The proof (L3176-3179) shows the *sum* is at most
  G^2 (log T + 1)/(2 mu) (E9: the printed 1/T on the right is missing, cf. L3132's O(log T/(mu T))). The
  printed form is implied by the sum form, so no run can expose it: it is encoded as printed
  (EC500-22.1) and the proof's sum form is EC500-22.1-sum. Here G^2 = H^2 (D + ||w_*||)^2 + sigma^2 with
  additive noise of variance sigma^2 (||grad L(w)|| <= H ||w - w_*||).
* **Almost convexity** (L3228-3267, unnumbered). L H-smooth and gamma-almost convex (hess L >= -gamma I),
  each outer step w_{t+1} = w_t + delta_t with F_t(delta_t) - min F_t <= eps^2/(6H) and
  ||grad F_t(delta_t)|| <= eps, F_t(delta) = L(w_t + delta) + gamma ||delta||^2. L3260 is right:
  sum_t ||grad L(w_{t+1})||^2 <= 8 gamma Delta + 4 T gamma eps^2/(3H) + 2 T eps^2; L3261 divides by T but
  drops the 8 (E12): printed (1/T) sum <= gamma Delta/T + 4 gamma eps^2/(3H) + 2 eps^2, then 5 gamma Delta/T at
  eps^2 = gamma Delta/T (L3267; corrected: 8 + 4 gamma/(3H) + 2 <= 12). With exact inner solves
  ||grad L(w_{t+1})||^2 = 4 gamma^2 ||delta_t||^2 <= (8/3) gamma (L(w_t) - L(w_{t+1})) (F_t is gamma-strongly
  convex), so the printed L3261 fails for small eps (ratio 2.09 below), while the final 5 gamma Delta/T at
  the prescribed eps was not exceeded by optlab's accurate inner solver (it would need inner solves that
  use the whole eps budget); it is unproven, not refuted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..algorithms import GD, AlmostConvexProx, ProjectedSGD
from ..problems import least_squares, log_sum, quadratic
from .ec500_convex import delta, gaps, start, ts
from .measures import iterates, per_run
from .theorem import AssumptionError, Instance, Theorem

SOURCE = "EC500 notes (seed 003)"
FLOOR = 1e-9


# ---- Theorem 21.6 -------------------------------------------------------------------------------------

def _n216(inst):
    p = inst.problem
    return max(1, min(inst.T, int(p.H / p.mu * math.log(1 / FLOOR))))


def _thm216_measure(runs, inst):
    n = _n216(inst)
    return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[1:n + 1]))


def _thm216_bound(inst):
    p = inst.problem
    return numpy.exp(-p.mu / p.H * ts(_n216(inst))) * delta(p, inst.x0)


THM_21_6 = Theorem(
    id="EC500-21.6", title="GD on mu-strongly convex H-smooth losses: L(w_{t+1}) - L_* <= exp(-mu t/H) (L(w_1) - L_*)",
    source=f"{SOURCE} Thm 21.6, L3028-3044", algorithm="GD",
    requires=frozenset({"strongly_convex", "smooth"}), constants=("H", "mu", "f_star"), rule="eta = 1/H",
    kind="every_step", measured_text="L(w_{t+1}) - L_*", bound_text="exp(-mu t / H) (L(w_1) - L_*)",
    method=lambda inst: GD(lr=1 / inst.problem.H), measure=_thm216_measure, bound=_thm216_bound,
    default=lambda seed: Instance(quadratic(d=10, mu=0.05, H=1.0, seed=seed), numpy.zeros(10), T=300,
                                  label="quadratic, H/mu = 20"),
    note="Not tight: each step contracts the gap by (1 - mu/H) <= exp(-mu/H), and on quadratics by "
         "(1 - mu/H)^2 along the bottom eigenvector.",
    draw=lambda problem, T, u: Instance(problem, start(problem, u[0]), T=T),
)


# ---- Regularization trade-off -------------------------------------------------------------------------

class _RState(NamedTuple):
    x: Any
    t: int


@dataclass(frozen=True)
class RidgeGD:
    """GD on F(w) = L(w) + (lam/2)||w||^2 (EC500 section 21, L3084-3114), querying grad L."""
    lr: float
    lam: float

    def init(self, x0, oracle):
        return _RState(x=numpy.array(x0, dtype=float), t=0)

    def step(self, s, oracle):
        g = oracle.full_grad(s.x) + self.lam * s.x                 # grad F(w_t)
        return _RState(x=s.x - self.lr * g, t=s.t + 1)             # w_{t+1} = w_t - eta grad F(w_t)


def _reg_measure(runs, inst):
    return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[1:]))


def _reg_bound(inst):
    p, lam = inst.problem, inst.hyper["lam"]
    return float(numpy.sum(p.x_star ** 2)) / 2 * (p.H * numpy.exp(-lam * ts(inst.T) / (p.H + lam)) + lam)


def _reg_default(seed):
    p = least_squares(n=20, d=40, seed=seed)
    return Instance(p, numpy.zeros(40), T=300, hyper={"lam": 0.05 * p.H},
                    label="rank-deficient least squares (n < d), lambda = H/20")


REGULARIZATION = Theorem(
    id="EC500-21-ridge",
    title="GD on the ridge-regularised loss from 0: L(w_{t+1}) - L_* <= ||w_*||^2 (H e^{..} + lambda)/2",
    source=f"{SOURCE} sec 21, L3074-3116", algorithm="GD (on the ridge-regularised loss)",
    requires=frozenset({"convex", "smooth"}), constants=("H", "x_star", "f_star"),
    rule="w_1 = 0, eta = 1/(H + lambda), 0 < lambda", kind="every_step",
    measured_text="L(w_{t+1}) - L_*", bound_text="(||w_*||^2 / 2) (H exp(-lambda t/(H + lambda)) + lambda)",
    method=lambda inst: RidgeGD(lr=1 / (inst.problem.H + inst.hyper["lam"]), lam=inst.hyper["lam"]),
    measure=_reg_measure, bound=_reg_bound,
    default=_reg_default,
    admissible={"lam": (0.0, None)},
    note="Derivation of the corrected proof (E10) in the module docstring; w_* may be any minimiser "
         "(the min-norm one gives the smallest bound). Index read as w_{t+1}.",
    draw=lambda problem, T, u: Instance(problem, numpy.zeros(problem.d), T=T,
                                        hyper={"lam": problem.H * 10 ** (-3 * u[1])}),
)


# ---- Theorem 22.1 -------------------------------------------------------------------------------------

def G2(inst):
    """E||grad l(w, z)||^2 <= H^2 (D + ||w_*||)^2 + sigma^2 on the ball ||w|| <= D."""
    p = inst.problem
    return p.H ** 2 * (inst.hyper["D"] + float(numpy.linalg.norm(p.x_star))) ** 2 + inst.oracle["sigma"] ** 2


def _sum_measure(average):
    def measure(runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(gaps(inst.problem, iterates(r)[:-1]))
                       / (ts(inst.T) if average else 1.0))

    return measure


def _thm221_bound(inst):
    return G2(inst) * (numpy.log(ts(inst.T)) + 1) / (2 * inst.problem.mu)


def _default221(seed, T=100):
    p = quadratic(d=5, mu=1.0, H=1.0, seed=seed)
    D = 2 * float(numpy.linalg.norm(p.x_star))
    return Instance(p, numpy.zeros(5), T=T, hyper={"D": D}, oracle={"noise": "gaussian", "sigma": 2.0},
                    seeds=40, label="isotropic quadratic + N(0, 4) noise, D = 2 ||w_*||")


def _ball(x, D):
    n = float(numpy.linalg.norm(x))
    return x if n <= D else x * (D / n)


def _draw221(problem, T, u):
    D = float(numpy.linalg.norm(problem.x_star)) * (1 + 2 * u[1]) + 0.1
    return Instance(problem, _ball(start(problem, u[0]), D), T=T, hyper={"D": D}, seeds=20,
                    oracle={"noise": "gaussian", "sigma": 3 * u[2]})


_C221 = dict(source=f"{SOURCE} Thm 22.1, L3136-3182", algorithm="projected_sgd",
             requires=frozenset({"strongly_convex", "smooth"}), constants=("H", "mu", "x_star", "f_star"),
             rule="eta_t = 1/(mu t), projection on ||w|| <= D, ||w_*|| <= D", kind="expectation",
             method=lambda inst: ProjectedSGD(mu=inst.problem.mu, D=inst.hyper["D"]), bound=_thm221_bound,
             admissible={"D": (lambda p: float(numpy.linalg.norm(p.x_star)), None)})

THM_22_1 = Theorem(
    id="EC500-22.1", title="projected SGD, eta_t = 1/(mu t): average E[L(w_t) - L_*] <= G^2 (log T + 1)/(2 mu)",
    measured_text="(1/t) sum_{s<=t} E[L(w_s) - L_*]", bound_text="G^2 (log t + 1) / (2 mu)",
    measure=_sum_measure(True), default=_default221,
    note="E9: the right side misses 1/T (the proof bounds the sum, L3176-3179; L3132 announces "
         "O(log T/(mu T))). As printed the statement is T times weaker than proved and is implied by "
         "EC500-22.1-sum, so no run can falsify it: encoded as printed (ratio 0.09 on the default, largest "
         "at small t).", **_C221)

THM_22_1_SUM = Theorem(
    id="EC500-22.1-sum", title="projected SGD, eta_t = 1/(mu t): sum_t E[L(w_t) - L_*] <= G^2 (log T + 1)/(2 mu)",
    measured_text="sum_{s<=t} E[L(w_s) - L_*]", bound_text="G^2 (log t + 1) / (2 mu)",
    measure=_sum_measure(False), default=_default221,
    note="What the proof shows (it also keeps -(T mu/2) E||w_{T+1} - w_*||^2). G^2 = H^2 (D + ||w_*||)^2 + "
         "sigma^2 is the exact supremum on the ball for the isotropic quadratic (default instance, ratio "
         "about 0.25) and an upper bound otherwise. Smoothness is used only to certify G.",
    draw=_draw221, **_C221)


# ---- Almost convexity: the proximal outer loop --------------------------------------------------------

def _ac_method(inst):
    return AlmostConvexProx(gamma=inst.hyper["gamma"], H=inst.problem.H, eps=inst.hyper["eps"],
                            inner_steps=5000)


def _ac_measure(runs, inst):
    p, gamma, eps = inst.problem, inst.hyper["gamma"], inst.hyper["eps"]
    target = eps * min(1.0, math.sqrt(gamma / (3 * p.H))) * (1 + 1e-6) + 1e-13

    def path(r):
        W = iterates(r)
        for w, w1 in zip(W[:-1], W[1:]):                          # the inner-accuracy hypothesis
            if numpy.linalg.norm(numpy.asarray(p.grad(w1)) + 2 * gamma * (w1 - w)) > target:
                raise AssumptionError("an inner solve did not reach ||grad F_t|| <= eps min(1, sqrt(gamma/(3H)))")
        return numpy.cumsum(numpy.asarray(r.grad_norm[1:]) ** 2) / ts(inst.T)

    return per_run(runs, path)


def _ac_bound(printed):
    def bound(inst):
        p, gamma, eps = inst.problem, inst.hyper["gamma"], inst.hyper["eps"]
        return ((1 if printed else 8) * gamma * delta(p, inst.x0) / ts(inst.T)
                + 4 * gamma * eps ** 2 / (3 * p.H) + 2 * eps ** 2)

    return bound


def gamma_low(p):
    """The almost-convexity constant: 0 for convex losses, extra['gamma'] when known, else H."""
    if "convex" in p.assumptions:
        return 0.0
    return p.extra.get("gamma", p.H)


def _ac_default(seed):
    p, T, gamma = log_sum(d=4, seed=seed), 20, 0.25
    x0 = numpy.asarray(p.x0(0))
    return Instance(p, x0, T=T, hyper={"gamma": gamma, "eps": math.sqrt(gamma * delta(p, x0) / T)},
                    label="log sum (gamma = 1/4), eps^2 = gamma Delta / T")


def _ac_draw(problem, T, u):
    lo = max(gamma_low(problem), 0.1 * problem.H)
    gamma = lo + (problem.H - lo) * u[1]
    x0 = start(problem, u[0])
    eps = math.sqrt(gamma * max(delta(problem, x0), 1e-12) / T) * 10 ** (-2 * u[2])
    return Instance(problem, x0, T=T, hyper={"gamma": gamma, "eps": eps})


_CAC = dict(algorithm="almost_convex_prox", requires=frozenset({"smooth"}), constants=("H", "f_star"),
            rule="gamma-almost convex, gamma <= H; inner solves to ||grad F_t|| <= eps min(1, sqrt(gamma/(3H)))",
            kind="every_step", measured_text="(1/t) sum_{s<=t} ||grad L(w_{s+1})||^2",
            method=_ac_method, measure=_ac_measure, default=_ac_default,
            admissible={"gamma": (gamma_low, lambda p: p.H), "eps": (0.0, None)})

ALMOST_CONVEX = Theorem(
    id="EC500-22-almost-convex",
    title="almost-convex proximal loop: average ||grad L(w_{t+1})||^2 <= 8 gamma Delta/T + O(eps^2)",
    source=f"{SOURCE} sec 22, L3228-3260", statement="corrected",
    bound_text="8 gamma Delta/t + 4 gamma eps^2/(3H) + 2 eps^2", bound=_ac_bound(False),
    note="L3260 divided by T (E12); at eps^2 = gamma Delta/T it is at most 12 gamma Delta/T. The inner "
         "accuracy is a hypothesis and is verified on every step from the iterates.",
    draw=_ac_draw, **_CAC)


def _ac_counterexample():
    p = log_sum(d=1, seed=0)
    return Instance(p, p.x_star + 5.0, T=5, hyper={"gamma": 0.25, "eps": 1e-6},
                    label="log(1 + (w - c)^2), w_1 = c + 5, gamma = 1/4, eps = 1e-6")


ALMOST_CONVEX_PRINTED = Theorem(
    id="EC500-22-almost-convex/printed",
    title="almost-convex proximal loop: average ||grad L(w_{t+1})||^2 <= gamma Delta/T + O(eps^2)",
    source=f"{SOURCE} sec 22, L3261-3267", statement="printed", expect=False,
    bound_text="gamma Delta/t + 4 gamma eps^2/(3H) + 2 eps^2", bound=_ac_bound(True),
    counterexample=_ac_counterexample,
    note="Erratum E12: L3261 divides L3260 by T but drops the factor 8 on gamma Delta. With accurate "
         "inner solves ||grad L(w_{t+1})||^2 = 4 gamma^2 ||delta_t||^2 can reach (8/3) gamma (L(w_t) - "
         "L(w_{t+1})), so the printed gamma Delta/T fails (ratio 2.09 here). The final 5 gamma Delta/T "
         "(L3267) at eps^2 = gamma Delta/T was not exceeded (at most 0.49 of it in about 200 runs on "
         "log_sum, cosine_sum and pl_sine; with exact inner solves the average is at most "
         "(8/3) gamma Delta/T), but its proof is this step: it is unproven, not refuted; the proof gives "
         "8 + 4 gamma/(3H) + 2 <= 12. The notes also write "
         "'gamma-strongly-convex' for gamma-almost convex (L3228).", **_CAC)

THEOREMS = (THM_21_6, REGULARIZATION, THM_22_1, THM_22_1_SUM, ALMOST_CONVEX, ALMOST_CONVEX_PRINTED)
