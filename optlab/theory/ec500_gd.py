"""Gradient descent in EC500 (seed 003): Theorem 2.4, Lemma 5.7 and Theorem 5.8, one block each.

Each block is compiled by :func:`~.block.theorem` into the :class:`~.theorem.Theorem` record that
``optlab verify``, the property tests, the report and ERRATA.md read; see :mod:`.block` for the form.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import GD
from ..problems import cosine_sum, norm_loss, quadratic
from .block import theorem
from .measures import dist, grad_sq_norms, iterates, losses, per_run
from .theorem import Instance, run_instance

SOURCE = "EC500 notes (seed 003)"


@theorem
class EC500_2_4:
    """GD on convex G-Lipschitz losses: regret G D sqrt(T)

    EC500 Theorem 2.4 (L206-246). L convex and G-Lipschitz, ||w_1 - w_*|| <= D, eta = D / (G sqrt T):
    the regret is at most G D sqrt(T). The proof gives, for any eta > 0 and every t,

        sum_{s<=t} (L(w_s) - L_*)  <=  D^2/(2 eta) + eta t G^2/2 (= G D sqrt(T) at t = T)

    and that every-step form is what is checked. Tight on L = G|w| started at w_1 = D.

    On |w| from w_1 = w_* + 3 with T = 4, the tuned eta is 3/(1 * 2) = 1.5, so the bound is
    9/3 + 0.75 t, reaching G D sqrt(T) = 6 at t = T:

    >>> p = norm_loss(d=1, G=1.0)
    >>> EC500_2_4.theorem.bound(Instance(p, p.x_star + 3.0, T=4))
    array([3.75, 4.5 , 5.25, 6.  ])
    """
    id, source = "EC500-2.4", f"{SOURCE} Thm 2.4, L206-246"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"convex", "lipschitz"}, ("G",), ("x_star", "f_star")
    rule = "eta = D / (G sqrt(T)) (any eta > 0 in the every-step form)"
    admissible = {"lr": (0.0, None)}
    tight_factor = 0.99

    def lr(self, inst):
        p = inst.problem
        return inst.hyper.get("lr", dist(inst.x0, p.x_star) / (p.G * math.sqrt(inst.T)))

    def method(self, inst):
        return GD(lr=self.lr(inst))

    def measure(self, runs, inst):
        p = inst.problem
        return per_run(runs, lambda r: numpy.cumsum(losses(p, iterates(r)[:-1]) - p.f_star))

    def bound(self, inst):
        eta, G, D = self.lr(inst), inst.problem.G, dist(inst.x0, inst.problem.x_star)
        t = numpy.arange(1, inst.T + 1)
        return D ** 2 / (2 * eta) + eta * t * G ** 2 / 2

    def default(self, seed):
        p = norm_loss(d=5, G=2.0, seed=seed)
        x0 = numpy.asarray(p.x_star) + numpy.random.default_rng(seed).standard_normal(5)
        return Instance(p, x0, T=200, label="G||w - w*||, random start")

    def tight(self):
        p = norm_loss(d=1, G=1.0, seed=0)
        return Instance(p, numpy.asarray(p.x_star) + 3.0, T=100, label="tight")

    def draw(self, problem, T, u):
        # A step at most the tuned one keeps GD inside the region where G is certified (a ball around
        # w_* for some families); the every-step bound holds for any eta there.
        x0 = numpy.asarray(problem.x0(seed=int(u[0] * 1000)))
        tuned = dist(x0, problem.x_star) / (problem.G * math.sqrt(T))
        return Instance(problem, x0, T=T, hyper={"lr": tuned * (0.05 + 0.95 * u[1])})


@theorem
class EC500_5_7:
    """one GD step on an H-smooth loss decreases it by (1 - H eta/2) eta ||grad||^2

    EC500 Lemma 5.7 (L895-915). L H-smooth, any eta >= 0: every GD step satisfies
    L(w_{t+1}) <= L(w_t) - (1 - H eta / 2) eta ||grad L(w_t)||^2, checked in the form

        L(w_{t+1}) - L(w_t) + eta ||grad L(w_t)||^2  <=  (H eta^2 / 2) ||grad L(w_t)||^2

    whose right side reads the checked run's own gradients (``path_bound``). Equality on the isotropic
    quadratic (H/2)||w||^2.

    On w^2 (H = 2) from w_1 = 1 with eta = 1/4: w_2 = 1/2, the gradients are 2 and 1, and
    H eta^2 / 2 = 1/16:

    >>> inst = Instance(quadratic(d=1, mu=2.0, H=2.0, x_star=[0.0]), [1.0], T=2, hyper={"lr": 0.25})
    >>> EC500_5_7.theorem.bound(inst, run_instance(EC500_5_7.theorem, inst))
    array([[0.25  , 0.0625]])
    """
    id, source = "EC500-5.7", f"{SOURCE} Lemma 5.7, L895-915"
    algorithm, kind, path_bound = GD, "every_step", True
    requires, constants = {"smooth"}, ("H",)
    rule, admissible = "any eta >= 0", {"lr": (0.0, None)}
    tight_factor = 0.999999

    def measure(self, runs, inst):
        p, eta = inst.problem, inst.hyper["lr"]

        def deficit(r):
            W = iterates(r)
            f = losses(p, W)
            return f[1:] - f[:-1] + eta * grad_sq_norms(p, W[:-1])

        return per_run(runs, deficit)

    def bound(self, inst, runs):
        p, eta = inst.problem, inst.hyper["lr"]
        return per_run(runs, lambda r: p.H * eta ** 2 / 2 * grad_sq_norms(p, iterates(r)[:-1]))

    def default(self, seed):
        return Instance(quadratic(d=6, mu=0.1, H=4.0, seed=seed), numpy.ones(6), T=30, hyper={"lr": 0.4},
                        label="quadratic, eta = 1.6/H")

    def tight(self):
        return Instance(quadratic(d=3, mu=2.0, H=2.0, seed=0), numpy.array([1.0, -2.0, 0.5]), T=10,
                        hyper={"lr": 0.3}, label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, numpy.asarray(problem.x0(seed=int(u[0] * 1000))), T=T,
                        hyper={"lr": 2.5 * max(u[1], 1e-3) / problem.H})


@theorem
class EC500_5_8:
    """GD on H-smooth non-convex losses: sum of squared gradient norms <= 2 Delta / eta

    EC500 Theorem 5.8 (L917-945). L H-smooth, 0 < eta <= 1/H. For every t:

        sum_{s<=t} ||grad L(w_s)||^2  <=  2 (L(w_1) - inf L) / eta

    Exactly attained on (H/2) w^2 with eta = 1/H (one step reaches 0).

    On 1.5 w^2 (H = 3) from w_1 = 2, L(w_1) - inf L = 6, so with eta = 1/3 the bound is 36 at every t:

    >>> inst = Instance(quadratic(d=1, mu=3.0, H=3.0, x_star=[0.0]), [2.0], T=2, hyper={"lr": 1 / 3})
    >>> EC500_5_8.theorem.bound(inst)
    array([36., 36.])
    """
    id, source = "EC500-5.8", f"{SOURCE} Thm 5.8, L917-945"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"smooth"}, ("H",), ("f_star",)
    rule, admissible = "0 < eta <= 1/H", {"lr": (0.0, lambda p: 1 / p.H)}
    tight_factor = 0.999999

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(grad_sq_norms(inst.problem, iterates(r)[:-1])))

    def bound(self, inst):
        delta = float(inst.problem.f(inst.x0)) - inst.problem.f_star
        return numpy.full(inst.T, 2 * delta / inst.hyper["lr"])

    def default(self, seed):
        return Instance(cosine_sum(d=4), numpy.full(4, 0.3) + 0.1 * seed, T=100, hyper={"lr": 1.0},
                        label="sum of cos, eta = 1/H")

    def tight(self):
        return Instance(quadratic(d=1, mu=3.0, H=3.0, seed=0), numpy.array([2.0]), T=5,
                        hyper={"lr": 1 / 3.0}, label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, numpy.asarray(problem.x0(seed=int(u[0] * 1000))), T=T,
                        hyper={"lr": max(u[1], 1e-3) / problem.H})


THEOREMS = (EC500_2_4.theorem, EC500_5_7.theorem, EC500_5_8.theorem)
