"""Convexity and Lipschitz continuity in EC500 (seed 003) sections 1-2, checked along GD runs, one block each.

* **Definition 2.1, first-order form** (L166-176; also L138-142): a differentiable convex L lies above
  its tangents, L(v) >= L(w) + <grad L(w), v - w>. Checked at every step t for both ordered pairs of
  consecutive GD iterates (w_t, w_{t+1}) and (w_{t+1}, w_t): the larger tangent excess is <= 0.
* **L140 as printed** has the inequality reversed (L(v) <= L(w) + <grad L(w), v - w>, the tangent above
  the function), which fails for every strictly convex function: kept as ``/printed`` with its run.
* **Proposition 2.3** (L184-202): a differentiable L is G-Lipschitz iff ||grad L(w)|| <= G everywhere.
  Checked at every step: max(||grad L(w_t)||, |L(w_{t+1}) - L(w_t)| / ||w_{t+1} - w_t||) <= G, the
  gradient side and the difference-quotient side of the equivalence. Attained by G||w - w_*||.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import GD
from ..problems import norm_loss, quadratic
from .block import theorem
from .measures import dist, iterates, losses, per_run
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def _tangent_excess(p, W):
    """For consecutive iterates: L(w) + <grad L(w), v - w> - L(v) for (w, v) = (w_t, w_{t+1}) and reversed."""
    f = losses(p, W)
    G = numpy.array([numpy.asarray(p.grad(w), dtype=float) for w in W])
    step = W[1:] - W[:-1]
    forward = f[:-1] + numpy.einsum("ij,ij->i", G[:-1], step) - f[1:]
    backward = f[1:] - numpy.einsum("ij,ij->i", G[1:], step) - f[:-1]
    return forward, backward


class _GDPairs:
    """Shared by the convexity blocks: GD at a given step, drawn small enough to stay finite."""
    algorithm, kind = GD, "every_step"
    admissible = {"lr": (0.0, None)}

    def method(self, inst):
        return GD(lr=inst.hyper["lr"])

    def draw(self, problem, T, u):
        x0 = numpy.asarray(problem.x0(seed=int(u[0] * 1000)), dtype=float)
        if problem.H:
            lr = (0.05 + 0.95 * u[1]) / problem.H
        elif problem.G and problem.x_star is not None:
            lr = (0.05 + 0.95 * u[1]) * max(dist(x0, problem.x_star), 1e-3) / (problem.G * math.sqrt(T))
        else:
            lr = 0.001 + 0.01 * u[1]
        return Instance(problem, x0, T=T, hyper={"lr": lr})


@theorem
class EC500_2_1(_GDPairs):
    """convexity, first-order form: L lies above its tangents (checked between consecutive GD iterates)

    EC500 Definition 2.1 (L166-176), first-order characterisation (L138-142). L convex and differentiable:
    L(v) >= L(w) + <grad L(w), v - w> for all w, v. For every t, with (w, v) both orders of (w_t, w_{t+1}):

        max(L(w) + <grad L(w), v - w> - L(v))  <=  0

    On (1/2)||w||^2 the excess is -||v - w||^2/2; one GD step with eta = 1/2 from w_1 = (2, 0) halves w,
    so both orders give -1/2 (a tangent strictly below):

    >>> from optlab.problems import quadratic
    >>> inst = Instance(quadratic(d=2, mu=1.0, H=1.0, x_star=[0.0, 0.0]), [2.0, 0.0], T=1, hyper={"lr": 0.5})
    >>> from optlab.theory.theorem import run_instance
    >>> EC500_2_1.theorem.measure(run_instance(EC500_2_1.theorem, inst), inst)
    array([[-0.5]])
    """
    id, source = "EC500-2.1", f"{SOURCE} Def 2.1, L166-176 (first-order form L138-142)"
    requires = {"convex"}
    rule = "any eta > 0 (the inequality is about the function; GD only supplies the points)"

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.maximum(*_tangent_excess(inst.problem, iterates(r))))

    def bound(self, inst):
        return numpy.zeros(inst.T)

    def default(self, seed):
        p = quadratic(d=5, mu=0.0, H=4.0, seed=seed)
        return Instance(p, numpy.ones(5), T=50, hyper={"lr": 0.2}, label="convex quadratic, eta = 0.8/H")


@theorem
class EC500_2_1_PRINTED(EC500_2_1):
    """convexity as printed at L140: the tangent above the function (reversed inequality)

    EC500 L140 prints l(w') <= l(w) + <grad l(w), w' - w>. For every t, with (w, v) = (w_t, w_{t+1}):

        L(v) - L(w) - <grad L(w), v - w>  <=  0

    which fails at the first step on any strictly convex loss (the left side is the Bregman gap > 0).

    >>> from optlab.problems import quadratic
    >>> EC500_2_1_PRINTED.theorem.bound(Instance(quadratic(d=1, mu=1.0, H=1.0), [1.0], T=2, hyper={"lr": 0.5}))
    array([0., 0.])
    """
    id, source = "EC500-2.1/printed", f"{SOURCE} L140 (first-order convexity; Def 2.1 at L166-176 has >=)"
    statement = "printed"
    draw = None
    note = ("L140 prints the first-order convexity inequality with <=, i.e. the tangent lies above the function. "
            "The prose at L142 and Definition 2.1 (L166-176) have >=, which is the right direction: on a strictly "
            "convex loss the tangent lies strictly below away from its point, so the printed form fails at once.")

    def measure(self, runs, inst):
        return per_run(runs, lambda r: -_tangent_excess(inst.problem, iterates(r))[0])

    def counterexample(self):
        p = quadratic(d=3, mu=0.5, H=2.0, seed=0)
        return Instance(p, numpy.ones(3), T=10, hyper={"lr": 0.25}, label="strongly convex quadratic")


@theorem
class EC500_2_3:
    """Lipschitz iff bounded gradients: ||grad L|| and the difference quotients stay <= G (along GD)

    EC500 Proposition 2.3 (L184-202). A differentiable L is G-Lipschitz iff ||grad L(w)|| <= G for all w.
    Both sides are checked at every step t of a GD run (a zero step counts as quotient 0):

        max(||grad L(w_t)||, |L(w_{t+1}) - L(w_t)| / ||w_{t+1} - w_t||)  <=  G

    Attained by G ||w - w_*|| (gradient norm exactly G away from w_*):

    >>> from optlab.problems import norm_loss
    >>> EC500_2_3.theorem.bound(Instance(norm_loss(d=2, G=3.0), [1.0, 1.0], T=3, hyper={"lr": 0.1}))
    array([3., 3., 3.])
    """
    id, source = "EC500-2.3", f"{SOURCE} Prop 2.3, L184-202"
    algorithm, kind = GD, "every_step"
    requires, constants = {"lipschitz"}, ("G",)
    rule = "any eta > 0 (GD only supplies the points)"
    admissible = {"lr": (0.0, None)}
    tight_factor = 0.999999

    def method(self, inst):
        return GD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        p = inst.problem

        def sides(r):
            W = iterates(r)
            f = losses(p, W)
            gn = numpy.array([numpy.linalg.norm(numpy.asarray(p.grad(w), dtype=float)) for w in W[:-1]])
            moved = numpy.linalg.norm(W[1:] - W[:-1], axis=1)
            quotient = numpy.where(moved > 0, numpy.abs(f[1:] - f[:-1]) / numpy.where(moved > 0, moved, 1.0), 0.0)
            return numpy.maximum(gn, quotient)

        return per_run(runs, sides)

    def bound(self, inst):
        return numpy.full(inst.T, float(inst.problem.G))

    def default(self, seed):
        p = norm_loss(d=4, G=2.0, seed=seed)
        return Instance(p, numpy.asarray(p.x_star) + 2.0, T=40, hyper={"lr": 0.05}, label="2||w - w*||")

    def tight(self):
        p = norm_loss(d=3, G=1.5, seed=0)
        return Instance(p, numpy.asarray(p.x_star) + 1.0, T=10, hyper={"lr": 0.01}, label="tight: G||w - w*||")

    def draw(self, problem, T, u):
        # At most the tuned step of Theorem 2.4, so GD stays where G is certified (a ball for some families).
        x0 = numpy.asarray(problem.x0(seed=int(u[0] * 1000)), dtype=float)
        scale = dist(x0, problem.x_star) if problem.x_star is not None else 1.0
        return Instance(problem, x0, T=T, hyper={"lr": (0.05 + 0.95 * u[1]) * max(scale, 1e-3) / (problem.G * math.sqrt(T))})


THEOREMS = (EC500_2_1.theorem, EC500_2_1_PRINTED.theorem, EC500_2_3.theorem)
