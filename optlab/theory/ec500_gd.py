"""Gradient descent in EC500 (seed 003): Theorem 2.4, Lemma 5.7 and Theorem 5.8.

* **Theorem 2.4** (L206-246). L convex and G-Lipschitz, ||w_1 - w_*|| <= D, eta = D / (G sqrt T):
  sum_{t<=T} (L(w_t) - L_*) <= G D sqrt(T). The proof gives, for any eta > 0 and every t,
  sum_{s<=t} (L(w_s) - L_*) <= D^2/(2 eta) + eta t G^2 / 2, which equals G D sqrt(T) at t = T for the
  tuned eta; that every-step form is what is checked. Tight on L = G|w| started at w_1 = D.
* **Lemma 5.7** (L895-915). L H-smooth, any eta >= 0: every GD step satisfies
  L(w_{t+1}) <= L(w_t) - (1 - H eta / 2) eta ||grad L(w_t)||^2. Written as
  L(w_{t+1}) - L(w_t) + eta ||grad L(w_t)||^2 <= (H eta^2 / 2) ||grad L(w_t)||^2; equality on
  the isotropic quadratic (H/2)||w||^2.
* **Theorem 5.8** (L917-945). L H-smooth, eta <= 1/H, Delta = L(w_1) - inf L:
  sum_{s<=t} ||grad L(w_s)||^2 <= 2 Delta / eta for every t. Exactly attained on (H/2) w^2 with
  eta = 1/H (one step reaches 0).
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import GD
from ..problems import norm_loss, quadratic, cosine_sum
from .measures import dist, grad_sq_norms, iterates, losses, per_run
from .theorem import Instance, Theorem

SOURCE = "EC500 notes (seed 003)"


# ---- Theorem 2.4 --------------------------------------------------------------------------------------

def _thm24_lr(inst):
    p = inst.problem
    return inst.hyper.get("lr", dist(inst.x0, p.x_star) / (p.G * math.sqrt(inst.T)))


def _thm24_measure(runs, inst):
    p = inst.problem
    return per_run(runs, lambda r: numpy.cumsum(losses(p, iterates(r)[:-1]) - p.f_star))


def _thm24_bound(inst):
    p, eta = inst.problem, _thm24_lr(inst)
    D = dist(inst.x0, p.x_star)
    t = numpy.arange(1, inst.T + 1)
    return D ** 2 / (2 * eta) + eta * t * p.G ** 2 / 2


def _thm24_default(seed):
    p = norm_loss(d=5, G=2.0, seed=seed)
    x0 = numpy.asarray(p.x_star) + numpy.random.default_rng(seed).standard_normal(5)
    return Instance(p, x0, T=200, label="G||w - w*||, random start")


def _thm24_tight():
    p = norm_loss(d=1, G=1.0, seed=0)
    return Instance(p, numpy.asarray(p.x_star) + 3.0, T=100, label="tight")


def _thm24_draw(problem, T, u):
    # A step at most the tuned one keeps GD inside the region where G is certified (a ball around
    # w_* for some families); the every-step bound holds for any eta there.
    x0 = numpy.asarray(problem.x0(seed=int(u[0] * 1000)))
    tuned = dist(x0, problem.x_star) / (problem.G * math.sqrt(T))
    return Instance(problem, x0, T=T, hyper={"lr": tuned * (0.05 + 0.95 * u[1])})


THM_2_4 = Theorem(
    id="EC500-2.4", title="GD on convex G-Lipschitz losses: regret G D sqrt(T)",
    source=f"{SOURCE} Thm 2.4, L206-246", algorithm="GD",
    requires=frozenset({"convex", "lipschitz"}), constants=("G", "x_star", "f_star"),
    rule="eta = D / (G sqrt(T)) (any eta > 0 in the every-step form)", kind="every_step",
    measured_text="sum_{s<=t} (L(w_s) - L_*)", bound_text="D^2/(2 eta) + eta t G^2/2 (= G D sqrt(T) at t = T)",
    method=lambda inst: GD(lr=_thm24_lr(inst)), measure=_thm24_measure, bound=_thm24_bound,
    default=_thm24_default, admissible={"lr": (0.0, None)}, tight=True,
    tight_instance=_thm24_tight, tight_factor=0.99, draw=_thm24_draw,
)


# ---- Lemma 5.7 ----------------------------------------------------------------------------------------

def _lem57_measure(runs, inst):
    p, eta = inst.problem, inst.hyper["lr"]

    def deficit(r):
        W = iterates(r)
        f = losses(p, W)
        return f[1:] - f[:-1] + eta * grad_sq_norms(p, W[:-1])

    return per_run(runs, deficit)


def _lem57_bound(inst, runs):
    # The bound at step t reads ||grad L(w_t)||^2 of the checked run itself.
    p, eta = inst.problem, inst.hyper["lr"]
    return per_run(runs, lambda r: p.H * eta ** 2 / 2 * grad_sq_norms(p, iterates(r)[:-1]))


LEMMA_5_7 = Theorem(
    id="EC500-5.7", title="one GD step on an H-smooth loss decreases it by (1 - H eta/2) eta ||grad||^2",
    source=f"{SOURCE} Lemma 5.7, L895-915", algorithm="GD",
    requires=frozenset({"smooth"}), constants=("H",), rule="any eta >= 0", kind="every_step",
    measured_text="L(w_{t+1}) - L(w_t) + eta ||grad L(w_t)||^2", bound_text="(H eta^2 / 2) ||grad L(w_t)||^2",
    method=lambda inst: GD(lr=inst.hyper["lr"]), measure=_lem57_measure, bound=_lem57_bound, path_bound=True,
    default=lambda seed: Instance(quadratic(d=6, mu=0.1, H=4.0, seed=seed), numpy.ones(6), T=30,
                                  hyper={"lr": 0.4}, label="quadratic, eta = 1.6/H"),
    admissible={"lr": (0.0, None)}, tight=True,
    tight_instance=lambda: Instance(quadratic(d=3, mu=2.0, H=2.0, seed=0), numpy.array([1.0, -2.0, 0.5]),
                                    T=10, hyper={"lr": 0.3}, label="tight"),
    tight_factor=0.999999,
    draw=lambda problem, T, u: Instance(problem, numpy.asarray(problem.x0(seed=int(u[0] * 1000))), T=T,
                                        hyper={"lr": 2.5 * max(u[1], 1e-3) / problem.H}),
)


# ---- Theorem 5.8 --------------------------------------------------------------------------------------

def _thm58_measure(runs, inst):
    return per_run(runs, lambda r: numpy.cumsum(grad_sq_norms(inst.problem, iterates(r)[:-1])))


def _thm58_bound(inst):
    p = inst.problem
    delta = float(p.f(inst.x0)) - p.f_star
    return numpy.full(inst.T, 2 * delta / inst.hyper["lr"])


THM_5_8 = Theorem(
    id="EC500-5.8", title="GD on H-smooth non-convex losses: sum of squared gradient norms <= 2 Delta / eta",
    source=f"{SOURCE} Thm 5.8, L917-945", algorithm="GD",
    requires=frozenset({"smooth"}), constants=("H", "f_star"), rule="0 < eta <= 1/H", kind="every_step",
    measured_text="sum_{s<=t} ||grad L(w_s)||^2", bound_text="2 (L(w_1) - inf L) / eta",
    method=lambda inst: GD(lr=inst.hyper["lr"]), measure=_thm58_measure, bound=_thm58_bound,
    default=lambda seed: Instance(cosine_sum(d=4), numpy.full(4, 0.3) + 0.1 * seed, T=100,
                                  hyper={"lr": 1.0}, label="sum of cos, eta = 1/H"),
    admissible={"lr": (0.0, lambda p: 1 / p.H)}, tight=True,
    tight_instance=lambda: Instance(quadratic(d=1, mu=3.0, H=3.0, seed=0), numpy.array([2.0]), T=5,
                                    hyper={"lr": 1 / 3.0}, label="tight"),
    tight_factor=0.999999,
    draw=lambda problem, T, u: Instance(problem, numpy.asarray(problem.x0(seed=int(u[0] * 1000))), T=T,
                                        hyper={"lr": max(u[1], 1e-3) / problem.H}),
)

THEOREMS = (THM_2_4, LEMMA_5_7, THM_5_8)
