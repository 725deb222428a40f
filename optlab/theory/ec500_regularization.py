"""Strong convexity and regularization lemmas of EC500 (seed 003) section 21, checked at the points of runs.

The lemmas are statements about points, not algorithms; each block checks its inequality at every iterate
of GD (on L, or on the regularised loss F = L + (lambda/2)||w||^2 with :class:`RidgeGD`), which visits
points at all distances from the minimiser, except Lemma 21.1, which is about exact minimisers:

* Lemma 21.1 (L2966-2974): ||w_*^lambda|| is non-increasing in lambda; checked along a regularisation path
  of minimisers, each computed by a certified Newton solve (:class:`RidgePath`).
* Lemma 21.2 (L2976-2986): ||w_*^lambda|| <= G/lambda; checked on the whole GD path from 0 (every iterate
  stays in that ball, by induction: ||w_{t+1}|| <= (1 - eta lambda)||w_t|| + eta G), hence at the limit.
* Lemma 21.4 (L2994-3016): L(y) >= L(x) + <grad L(x), y - x> + (mu/2)||y - x||^2, at (x, y) = (w_t, w_*).
* Lemma 21.5 (L3018-3026): L(w) - L_* <= ||grad L(w)||^2/(2 mu) (the PL inequality).
* Lemma 21.7 (L3052-3056): F = L + (lambda/2)||w||^2 with L convex is lambda-strongly convex; the
  inequality of Lemma 21.4 for F with mu = lambda, at (x, y) = (w_t, w_1).
* Lemma 21.8 (L3062-3072): L(w) - L_* >= (mu/2)||w - w_*||^2.

Lemmas 21.5 and 21.8 are equalities on the isotropic quadratic (mu/2)||w - w_*||^2 (their tight instance).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..algorithms import GD
from ..problems import least_squares, logistic_regression, quadratic
from .block import theorem
from .ec500_convex import gaps, start
from .ec500_strongly_convex import RidgeGD
from .measures import grad_sq_norms, grads, iterates, losses, per_run, slack
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


# ---- Lemma 21.1: the regularisation path --------------------------------------------------------------

def ridge_minimiser(value, grad, hess, lam, x0, center=None, max_iter=100):
    """The minimiser of F(x) = L(x) + (lam/2)||x - c||^2 by damped Newton, to machine precision.

    ``value``, ``grad``, ``hess``: L, its gradient and its (dense) Hessian; ``c`` = ``center`` (default 0).
    Newton steps (hess L + lam I) p = grad F with Armijo backtracking on F (global convergence when F is
    strongly convex), until grad F stops shrinking (rounding). Returns the point with the smallest
    ||grad F|| seen. The result is certified by the caller, not trusted: if F is m-strongly convex,
    ||x - x_*|| <= ||grad F(x)|| / m (Lemma 21.4 at x and x_*).

    >>> x = ridge_minimiser(lambda w: 0.5 * w @ w, lambda w: w, lambda w: numpy.eye(2), 1.0, numpy.ones(2),
    ...                     center=numpy.array([2.0, 0.0]))
    >>> x.tolist()                          # (w + (w - c)) = 0: w = c/2
    [1.0, 0.0]
    """
    x = numpy.array(x0, dtype=float)
    c = numpy.zeros_like(x) if center is None else numpy.asarray(center, dtype=float)
    F = lambda w: float(value(w)) + lam / 2 * float((w - c) @ (w - c))
    dF = lambda w: numpy.asarray(grad(w), dtype=float) + lam * (w - c)
    g = dF(x)
    best, best_norm, stalls = x, numpy.linalg.norm(g), 0
    for _ in range(max_iter):
        if best_norm == 0.0 or stalls >= 2:
            break
        M = numpy.asarray(hess(x), dtype=float)
        p = numpy.linalg.solve((M + M.T) / 2 + lam * numpy.eye(len(x)), g)
        f0, step = F(x), 1.0
        while True:                     # Armijo, or (near rounding) a full step that shrinks the gradient
            y = x - step * p
            gy = dF(y)
            if F(y) <= f0 - 1e-4 * step * float(g @ p) or numpy.linalg.norm(gy) < 0.5 * numpy.linalg.norm(g):
                break
            step /= 2
            if step < 1e-12:
                return best
        x, g = y, gy
        if numpy.linalg.norm(g) < best_norm:
            best, best_norm, stalls = x, numpy.linalg.norm(g), 0
        else:
            stalls += 1
    return best


class _PathState(NamedTuple):
    x: Any
    t: int


@dataclass(frozen=True)
class RidgePath:
    """The regularisation path: w_t = argmin L + (lambda_t/2)||w||^2 for lambda_1 > lambda_2 > ... (Lemma 21.1).

    Not an optimiser but a sequence of exact minimisers: ``init`` solves at ``lams[0]`` from x0, step t at
    ``lams[t]`` from w_t (warm start), each by :func:`ridge_minimiser` through the oracle (gradients,
    Hessian-vector products, values).

    Theorems: EC500-21.1.
    """
    lams: tuple
    no_batch = "each seed's Newton solve stops at its own iteration"

    def _solve(self, lam, x0, oracle):
        eye = numpy.eye(len(x0))
        hess = lambda w: numpy.stack([numpy.asarray(oracle.hvp(w, e), dtype=float) for e in eye], axis=1)
        return ridge_minimiser(oracle.value, oracle.full_grad, hess, lam, x0)

    def init(self, x0, oracle):
        return _PathState(x=self._solve(self.lams[0], numpy.asarray(x0, dtype=float), oracle), t=0)

    def step(self, s, oracle):
        return _PathState(x=self._solve(self.lams[s.t + 1], s.x, oracle), t=s.t + 1)


def certified_radius(problem, W, lams):
    """||grad L(w) + lambda w|| / lambda per row: the distance from w to the exact w_*^lambda is at most
    this, since L + (lambda/2)||.||^2 is lambda-strongly convex when L is convex (Lemmas 21.7, 21.4)."""
    return numpy.linalg.norm(grads(problem, W) + lams[:, None] * W, axis=1) / lams


@theorem
class EC500_21_1:
    """the regularised minimiser's norm is non-increasing in lambda: ||w_*^{lambda_1}|| <= ||w_*^{lambda_2}||

    EC500 Lemma 21.1 (L2966-2974). For lambda_1 >= lambda_2 the minimisers of L + (lambda/2)||w||^2 satisfy
    ||w_*^{lambda_1}|| <= ||w_*^{lambda_2}||. Checked along a geometric grid lambda_1 > ... > lambda_{T+1}
    (:class:`RidgePath`, certified Newton solves w_t); each computed minimiser is within r_t =
    ||grad L(w_t) + lambda_t w_t|| / lambda_t of the exact one, so the check at t = 1 .. T is

        ||w_t||  <=  ||w_{t+1}|| + r_t + r_{t+1}

    A violation is then a certified failure of the lemma (r is about 1e-15 relative). The proof uses only
    that the w_*^lambda are global minimisers (no convexity); convexity is what makes Newton's answer a
    certified global minimiser. Sharp: the ratio tends to 1 as lambda_{t+1}/lambda_t -> 1 or lambda -> 0
    (the tight instance); equality with lambda_1 > lambda_2 forces w_*^{lambda_2} = 0. On (1/2)(w - 3)^2
    the minimiser is 3/(1 + lambda): at lambda = 1, then 1/2, the norms are 1.5 and 2:

    >>> p = quadratic(d=1, mu=1.0, H=1.0, x_star=[3.0])
    >>> c = EC500_21_1.theorem.check(Instance(p, [0.0], T=1, hyper={"lam_max": 1.0, "lam_min": 0.5}))
    >>> c.measured.round(12).tolist(), c.bound.round(12).tolist()
    ([1.5], [2.0])
    """
    id, source = "EC500-21.1", f"{SOURCE} Lemma 21.1, L2966-2974"
    algorithm, kind = RidgePath, "every_step"
    requires, constants = {"convex", "smooth"}, ("H",)
    rule = ("lambda_t geometric from lam_max down to lam_min (T + 1 values); each w_t by certified Newton "
            "(L convex, so L + (lambda/2)||w||^2 is lambda-strongly convex)")
    admissible = {"lam_max": (0.0, None), "lam_min": (0.0, None)}
    path_bound = True
    tight_factor = 0.9999

    def lams(self, inst):
        lam_max, lam_min = inst.hyper["lam_max"], inst.hyper["lam_min"]
        if not 0 < lam_min <= lam_max:
            raise ValueError(f"{self.id} needs 0 < lam_min <= lam_max, got lam_min={lam_min}, lam_max={lam_max}")
        return numpy.geomspace(lam_max, lam_min, inst.T + 1)

    def method(self, inst):
        return RidgePath(lams=tuple(self.lams(inst)))

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.linalg.norm(iterates(r)[:-1], axis=1))

    def bound(self, inst, runs):
        lams = self.lams(inst)

        def rhs(r):
            W = iterates(r)
            radius = certified_radius(inst.problem, W, lams)
            return numpy.linalg.norm(W[1:], axis=1) + radius[:-1] + radius[1:]

        return per_run(runs, rhs)

    def default(self, seed):
        p = logistic_regression(n=40, d=5, seed=seed, normalize=True)
        return Instance(p, numpy.zeros(5), T=24, hyper={"lam_max": 10 * p.H, "lam_min": 1e-4 * p.H},
                        label="logistic regression, lambda from 10 H down to 1e-4 H")

    def tight(self):
        p = least_squares(n=40, d=5, seed=0)
        return Instance(p, numpy.zeros(5), T=4, hyper={"lam_max": 1e-6 * p.H, "lam_min": 1e-8 * p.H},
                        label="least squares (mu > 0), lambda -> 0: the norms tend to ||w_*||")

    def draw(self, problem, T, u):
        lam_max = problem.H * 10 ** (1 - 2 * u[1])
        return Instance(problem, start(problem, u[0]), T=T,
                        hyper={"lam_max": lam_max, "lam_min": lam_max * 10 ** (-1 - 4 * u[2])})


class _OnGDPath:
    """GD with eta = 1/H on a mu-strongly convex, H-smooth loss (the points; not a theorem itself)."""
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"strongly_convex", "smooth"}, ("H", "mu"), ("x_star", "f_star")
    rule = "any point w (here the GD path, eta = 1/H)"
    path_bound = True
    tight_factor = 0.999999    # each lemma is an equality on the isotropic quadratic of tight()

    def method(self, inst):
        return GD(lr=1 / inst.problem.H)

    def half_mu_dist_sq(self, inst, runs):
        """(mu/2) ||w_t - w_*||^2 at every iterate but the last (the left side of Lemmas 21.4 and 21.8)."""
        p = inst.problem
        return per_run(runs, lambda r: p.mu / 2 * numpy.sum((iterates(r)[:-1] - p.x_star) ** 2, axis=1))

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.1, H=1.0, seed=seed), numpy.zeros(5), T=60,
                        label="quadratic, mu = 0.1, H = 1, along GD")

    def tight(self):
        p = quadratic(d=3, mu=1.0, H=1.0, seed=0)
        return Instance(p, p.x_star + 1.0, T=5, label="isotropic quadratic (the inequality is an equality)")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T)


@theorem
class EC500_21_4(_OnGDPath):
    """first-order strong convexity: (mu/2)||w_* - x||^2 <= L(w_*) - L(x) - <grad L(x), w_* - x>

    EC500 Lemma 21.4 (L2994-3016). L mu-strongly convex and differentiable; for all x, y
    L(y) >= L(x) + <grad L(x), y - x> + (mu/2)||y - x||^2. Checked at (x, y) = (w_t, w_*):

        (mu/2) ||w_* - w_t||^2  <=  L_* - L(w_t) - <grad L(w_t), w_* - w_t>

    Equality on (mu/2)||w - w_*||^2. On (1/2) w^2 (mu = 1) at w = 2: 0 - 2 + 4 = 2 = (1/2) 2^2:

    >>> EC500_21_4.theorem.check(Instance(quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0]), [2.0], T=1)).bound
    array([2.])
    """
    id, source = "EC500-21.4", f"{SOURCE} Lemma 21.4, L2994-3016"

    def measure(self, runs, inst):
        return self.half_mu_dist_sq(inst, runs)

    def bound(self, inst, runs):
        p = inst.problem

        def rhs(r):
            W = iterates(r)[:-1]
            f, inner = losses(p, W), numpy.sum(grads(p, W) * (p.x_star - W), axis=1)
            return p.f_star - f - inner + slack(p.f_star, f, inner)

        return per_run(runs, rhs)


@theorem
class EC500_21_5(_OnGDPath):
    """strong convexity gives PL: L(w) - L_* <= ||grad L(w)||^2 / (2 mu)

    EC500 Lemma 21.5 (L3018-3026; the same inequality as slides 004 D2). At every iterate w_t:

        L(w_t) - L_*  <=  ||grad L(w_t)||^2 / (2 mu)

    Equality on (mu/2)||w - w_*||^2. On (1/2) w^2 at w = 2: ||grad||^2/(2 mu) = 4/2 = 2 (= the gap):

    >>> EC500_21_5.theorem.check(Instance(quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0]), [2.0], T=1)).bound
    array([2.])
    """
    id, source = "EC500-21.5", f"{SOURCE} Lemma 21.5, L3018-3026"

    def measure(self, runs, inst):
        return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[:-1]))

    def bound(self, inst, runs):
        p = inst.problem
        return per_run(runs, lambda r: grad_sq_norms(p, iterates(r)[:-1]) / (2 * p.mu))


@theorem
class EC500_21_8(_OnGDPath):
    """strong convexity: (mu/2)||w - w_*||^2 <= L(w) - L_*

    EC500 Lemma 21.8 (L3062-3072): Lemma 21.4 at x = w_*, where grad L(w_*) = 0. At every iterate:

        (mu/2) ||w_t - w_*||^2  <=  L(w_t) - L_*

    Equality on (mu/2)||w - w_*||^2. On (1/2) w^2 at w = 2 both sides are 2:

    >>> EC500_21_8.theorem.check(Instance(quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0]), [2.0], T=1)).bound
    array([2.])
    """
    id, source = "EC500-21.8", f"{SOURCE} Lemma 21.8, L3062-3072"

    def measure(self, runs, inst):
        return self.half_mu_dist_sq(inst, runs)

    def bound(self, inst, runs):
        return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[:-1]) + slack(inst.problem.f_star))


class _Ridge:
    """GD on F = L + (lambda/2)||w||^2 from w_1 (not a theorem itself); L convex and H-smooth."""
    algorithm, kind = GD, "every_step"
    admissible = {"lam": (0.0, None)}

    def method(self, inst):
        return RidgeGD(lr=1 / (inst.problem.H + inst.hyper["lam"]), lam=inst.hyper["lam"])

    def default(self, seed):
        p = logistic_regression(n=40, d=5, seed=seed, normalize=True)
        return Instance(p, numpy.zeros(5), T=100, hyper={"lam": 0.01},
                        label="logistic regression, ||x_i|| = 1 (G = 1), lambda = 0.01")


@theorem
class EC500_21_2(_Ridge):
    """regularised minimiser: ||w_*^lambda|| <= G/lambda (every GD iterate from 0 too)

    EC500 Lemma 21.2 (L2976-2986). L convex and G-Lipschitz, w_*^lambda the minimiser of
    L + (lambda/2)||w||^2. GD on that loss from w_1 = 0 with eta = 1/(H + lambda) keeps every iterate in the
    ball (||w_{t+1}|| <= (1 - eta lambda)||w_t|| + eta G) and converges to w_*^lambda, so at every t:

        ||w_{t+1}||  <=  G / lambda

    With G = 1 and lambda = 1/2 the bound is 2:

    >>> EC500_21_2.theorem.bound(Instance(logistic_regression(n=5, d=2, normalize=True), numpy.zeros(2), T=1,
    ...                                   hyper={"lam": 0.5}))
    array([2.])
    """
    id, source = "EC500-21.2", f"{SOURCE} Lemma 21.2, L2976-2986"
    requires, constants = {"convex", "lipschitz", "smooth"}, ("G", "H")
    rule = "w_1 = 0, eta = 1/(H + lambda), lambda > 0 (GD on L + (lambda/2)||w||^2)"
    note = "Checked on the whole GD path from 0, a pathwise strengthening (induction); the minimiser is its limit."

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.linalg.norm(iterates(r)[1:], axis=1))

    def bound(self, inst):
        return numpy.full(inst.T, inst.problem.G / inst.hyper["lam"])

    def draw(self, problem, T, u):
        return Instance(problem, numpy.zeros(problem.d), T=T, hyper={"lam": problem.H * 10 ** (-3 * u[1])})


@theorem
class EC500_21_7(_Ridge):
    """L + (lambda/2)||w||^2 is lambda-strongly convex: Lemma 21.4's inequality for F with mu = lambda

    EC500 Lemma 21.7 (L3052-3056). L convex; F = L + (lambda/2)||w||^2. Checked at (x, y) = (w_t, w_1) along
    GD on F (every x is paired with the start):

        (lambda/2) ||w_1 - w_t||^2  <=  F(w_1) - F(w_t) - <grad F(w_t), w_1 - w_t>

    (Equality when L is linear.) At w_t = w_1 both sides are 0 (the bound up to a rounding allowance):

    >>> p = logistic_regression(n=5, d=2, normalize=True)
    >>> c = EC500_21_7.theorem.check(Instance(p, numpy.zeros(2), T=1, hyper={"lam": 0.5}))
    >>> c.holds, float(c.measured[0]), bool(abs(c.bound[0]) < 1e-12)
    (True, 0.0, True)
    """
    id, source = "EC500-21.7", f"{SOURCE} Lemma 21.7, L3052-3056"
    requires, constants = {"convex", "smooth"}, ("H",)
    rule = "L convex, lambda > 0; any x, y (here the GD path on F and its start)"
    path_bound = True

    def _F(self, inst, W):
        return losses(inst.problem, W) + inst.hyper["lam"] / 2 * numpy.sum(W * W, axis=1)

    def measure(self, runs, inst):
        lam, y = inst.hyper["lam"], numpy.asarray(inst.x0, dtype=float)
        return per_run(runs, lambda r: lam / 2 * numpy.sum((y - iterates(r)[:-1]) ** 2, axis=1))

    def bound(self, inst, runs):
        p, lam, y = inst.problem, inst.hyper["lam"], numpy.asarray(inst.x0, dtype=float)
        F_y = float(self._F(inst, y[None, :])[0])

        def rhs(r):
            W = iterates(r)[:-1]
            F_W, inner = self._F(inst, W), numpy.sum((grads(p, W) + lam * W) * (y - W), axis=1)
            return F_y - F_W - inner + slack(F_y, F_W, inner)

        return per_run(runs, rhs)

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, hyper={"lam": problem.H * 10 ** (-3 * u[1])})


THEOREMS = tuple(block.theorem for block in (
    EC500_21_1, EC500_21_2, EC500_21_4, EC500_21_5, EC500_21_7, EC500_21_8))
