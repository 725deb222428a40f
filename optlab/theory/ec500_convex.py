"""Smooth convex losses in EC500 (seed 003) section 13: Theorem 13.1, Lemma 13.2, Theorem 13.3, one block each.

The helpers at the top are shared by the other EC500 modules of sections 13-23.
"""
from __future__ import annotations

import numpy

from ..algorithms import GD
from ..problems import Oracle, cosine_sum, least_squares, quadratic
from .block import theorem
from .measures import dist, grad_sq_norms, iterates, losses, per_run
from .theorem import AssumptionError, Instance

SOURCE = "EC500 notes (seed 003)"


# ---- helpers shared by the EC500 section 13-23 modules -----------------------------------------------

def start(problem, u, scale=1.0):
    """A start drawn from the family (u in [0, 1) picks the seed of ``problem.x0``)."""
    x0 = numpy.asarray(problem.x0(seed=int(u * 1000)), dtype=float)
    return x0 if scale == 1.0 else problem.x_star + scale * (x0 - problem.x_star)


def gaps(problem, W):
    """L(w) - L_* for each row of W."""
    return losses(problem, W) - problem.f_star


def delta(problem, x0):
    """Delta = L(w_1) - inf L."""
    return float(problem.f(numpy.asarray(x0))) - problem.f_star


def ts(T):
    """t = 1 .. T as floats."""
    return numpy.arange(1, T + 1, dtype=float)


def rerun(method, inst, seed=0):
    """The iterates of a deterministic re-run (same seed, same oracle) of ``method`` on ``inst``."""
    from ..algorithms import run

    return iterates(run(method, inst.problem, steps=inst.T, x0=inst.x0, seed=seed, progress=False,
                        **dict(inst.oracle)))


def replay_grads(problem, inst, W, seed):
    """The stochastic gradients g_1 .. g_T that a run drew, replayed from its seed: for methods that
    call ``oracle.sample()`` once per step and ``stoch_grad`` once at w_t (SGD, AdaGrad, ...)."""
    kw = {k: v for k, v in dict(inst.oracle).items() if k in ("noise", "sigma", "batch_size", "replace")}
    o = Oracle(problem, seed=seed, **kw)
    return numpy.array([numpy.asarray(o.stoch_grad(w, o.sample()), dtype=float) for w in W[:-1]])


def need(value, what):
    if value is None:
        raise AssumptionError(f"this check needs {what}, which is not known for this problem")
    return value


# ---- Theorem 13.1 -------------------------------------------------------------------------------------

def _reference(inst, W):
    """The reference point w_*: the problem's minimiser, the run's last iterate (ref = -1), or a random
    point near the start (ref = k >= 0, seeded)."""
    ref = inst.hyper.get("ref")
    if ref is None:
        return numpy.asarray(need(inst.problem.x_star, "x_star"))
    if ref < 0:
        return W[-1]
    return numpy.asarray(inst.x0) + numpy.random.default_rng(int(ref)).standard_normal(len(inst.x0))


@theorem
class EC500_13_1:
    """GD on any differentiable loss: the online-learning inequality for any w_*

    EC500 Theorem 13.1 (L1899-1921). L any differentiable function, GD with a constant eta, any reference
    point w_* (not necessarily a minimiser): sum_{t<=T} <grad L(w_t), w_t - w_*> <= ||w_* - w_1||^2/(2 eta)
    + (eta/2) sum_{t<=T} ||grad L(w_t)||^2. Checked at every t with the gradient term moved to the left:

        sum_{s<=t} <grad L(w_s), w_s - w_*> - (eta/2) sum_{s<=t} ||grad L(w_s)||^2  <=  ||w_* - w_1||^2 / (2 eta)

    The proof is the identity with the extra term -||w_{T+1} - w_*||^2/(2 eta), so the bound is attained
    when w_* is the last iterate. With w_1 - w_* = (3, 4) and eta = 1/2 the bound is 25/1:

    >>> inst = Instance(quadratic(d=2, mu=1.0, H=1.0, x_star=[0.0, 0.0]), [3.0, 4.0], T=2, hyper={"lr": 0.5})
    >>> EC500_13_1.theorem.bound(inst)
    array([25., 25.])
    """
    id, source = "EC500-13.1", f"{SOURCE} Thm 13.1, L1899-1921"
    algorithm, kind = GD, "every_step"
    requires, constants = {"smooth"}, ("H",)
    rule, admissible = "any constant eta > 0", {"lr": (0.0, None)}
    tight_factor = 0.999999
    note = ("The bound is the proof's identity minus ||w_{T+1} - w_*||^2/(2 eta) >= 0; with w_* the last "
            "iterate it is attained (tight instance). Convexity is not used (checked on non-convex families).")

    def method(self, inst):
        return GD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        p, eta = inst.problem, inst.hyper["lr"]

        def lhs(r):
            W = iterates(r)
            u = _reference(inst, W)
            G = numpy.array([numpy.asarray(p.grad(w), dtype=float) for w in W[:-1]])
            inner = numpy.einsum("ij,ij->i", G, W[:-1] - u)
            return numpy.cumsum(inner - eta / 2 * numpy.sum(G * G, axis=1))

        return per_run(runs, lhs)

    def bound(self, inst):
        ref = inst.hyper.get("ref")
        W = rerun(GD(lr=inst.hyper["lr"]), inst) if ref is not None and ref < 0 else None
        return numpy.full(inst.T, dist(inst.x0, _reference(inst, W)) ** 2 / (2 * inst.hyper["lr"]))

    def default(self, seed):
        return Instance(cosine_sum(d=4, seed=seed), numpy.full(4, 0.3), T=100, hyper={"lr": 0.5},
                        label="sum of cos, w_* = a minimiser")

    def tight(self):
        return Instance(quadratic(d=4, mu=0.5, H=4.0, seed=0), numpy.ones(4), T=30,
                        hyper={"lr": 0.1, "ref": -1}, label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T,
                        hyper={"lr": (0.05 + 1.9 * u[1]) / problem.H,
                               "ref": -1 if u[2] < 0.25 else int(u[3] * 1000)})


# ---- Lemma 13.2 ---------------------------------------------------------------------------------------

@theorem
class EC500_13_2:
    """H-smooth loss: ||grad L(w)||^2 <= 2H (L(w) - L_*) at every point

    EC500 Lemma 13.2 (L1925-1939). L H-smooth on R^d with inf L finite; for every w (checked at every GD
    iterate):

        ||grad L(w_t)||^2  <=  2H (L(w_t) - inf L)

    Convexity is not needed. Equality on the isotropic quadratic (H/2)||w - w_*||^2. On w^2 (H = 2)
    from w_1 = 1 with eta = 1/4, w_2 = 1/2: 2H L(w) = 4 and 1.

    >>> inst = Instance(quadratic(d=1, mu=2.0, H=2.0, x_star=[0.0]), [1.0], T=1, hyper={"lr": 0.25})
    >>> EC500_13_2.theorem.bound(inst)
    array([4., 1.])
    """
    id, source = "EC500-13.2", f"{SOURCE} Lemma 13.2, L1925-1939"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"smooth"}, ("H",), ("f_star",)
    rule, admissible = "any point (here: the GD iterates, eta in (0, 2/H))", {"lr": (0.0, lambda p: 2 / p.H)}
    tight_factor = 0.999999
    note = ("Holds with inf L in place of L(w_*) (the proof only uses L(w - grad/H) >= inf L), so it is "
            "checked on non-convex families too; equality on the isotropic quadratic.")

    def method(self, inst):
        return GD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        return per_run(runs, lambda r: grad_sq_norms(inst.problem, iterates(r)))

    def bound(self, inst):
        W = rerun(GD(lr=inst.hyper["lr"]), inst)
        return 2 * inst.problem.H * gaps(inst.problem, W)

    def default(self, seed):
        return Instance(least_squares(n=40, d=5, seed=seed), numpy.zeros(5), T=50, hyper={"lr": 0.5},
                        label="least squares, GD iterates")

    def tight(self):
        return Instance(quadratic(d=3, mu=2.0, H=2.0, seed=0), numpy.array([1.0, -2.0, 0.5]), T=10,
                        hyper={"lr": 0.2}, label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, hyper={"lr": (0.05 + 0.95 * u[1]) / problem.H})


# ---- Theorem 13.3 -------------------------------------------------------------------------------------

@theorem
class EC500_13_3:
    """GD on H-smooth convex losses, eta = 1/(2H): sum of gaps <= 2H ||w_* - w_1||^2

    EC500 Theorem 13.3 (L1945-1977). L H-smooth and convex, eta = 1/(2H). For every t:

        sum_{s<=t} (L(w_s) - L_*)  <=  2H ||w_* - w_1||^2

    (the average iterate then has L(w_hat) - L_* <= 2H ||w_* - w_1||^2 / t by Jensen). With H = 2 and
    w_1 - w_* = (3, 4): 4 * 25.

    >>> EC500_13_3.theorem.bound(Instance(quadratic(d=2, mu=1.0, H=2.0, x_star=[0.0, 0.0]), [3.0, 4.0], T=1))
    array([100.])
    """
    id, source = "EC500-13.3", f"{SOURCE} Thm 13.3, L1945-1977"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"convex", "smooth"}, ("H",), ("x_star", "f_star")
    rule = "eta = 1/(2H)"
    note = "Not tight: on quadratics the sum is at most (2/3) H ||w_* - w_1||^2 (ratio 1/3, 1-d curvature H)."

    def method(self, inst):
        return GD(lr=1 / (2 * inst.problem.H))

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(gaps(inst.problem, iterates(r)[:-1])))

    def bound(self, inst):
        return numpy.full(inst.T, 2 * inst.problem.H * dist(inst.problem.x_star, inst.x0) ** 2)

    def default(self, seed):
        return Instance(quadratic(d=8, mu=0.0, H=4.0, seed=seed), numpy.zeros(8), T=300,
                        label="convex quadratic (mu = 0)")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T)


THEOREMS = (EC500_13_1.theorem, EC500_13_2.theorem, EC500_13_3.theorem)
