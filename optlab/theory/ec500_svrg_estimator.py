"""The SVRG estimator along a method's own path (EC500 seed 003, section 23): unbiasedness, Lemma 23.1.

EC500-23.1 (:mod:`.ec500_svrg`) evaluates Lemma 23.1 at the points of the catalogue's SVRG run. The two
blocks here read the points, and the estimator, off *each run of the checked method*, so that any
implementation of Algorithm 17 (a student's, in exercise 8) is checked on its own path:

* the iterates w_1..w_{T+1} are the run's; the checkpoints v_e are rebuilt from them as the box defines
  them (v_1 = w_1, then v_e = the average of the N iterates of the previous epoch);
* the estimator is ``run.state.estimate(w, v, i)`` when the method's final state provides one (a submitted
  estimator), else the box's g_i = grad l(w, z_i) - grad l(v, z_i) + grad L(v);
* the expectation over the sample is computed *exactly*, by enumerating the N terms with their sampling
  probabilities (uniform, or the problem's ``weights``).

Unbiasedness (L3302-3306) is stated in the notes without a number; it is written here as the exact
identity ||E_z g - grad L(w)|| <= 0, up to a rounding allowance.
"""
from __future__ import annotations

import numpy

from ..algorithms import SVRG
from ..problems import least_squares, logistic_regression
from .block import theorem
from .ec500_convex import gaps, start
from .ec500_svrg import H_term
from .measures import iterates, slack
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def checkpoints(W, N):
    """v_e for the steps t = 1..T of a run with iterates ``W`` (rows w_1..w_{T+1}) and epoch length N.

    v_1 = w_1; after step t = kN the checkpoint becomes the mean of w_{t-N+1}..w_t (Algorithm 17).

    >>> checkpoints(numpy.array([[0.0], [1.0], [2.0], [3.0], [4.0]]), 2).ravel().tolist()
    [0.0, 0.0, 0.5, 0.5]
    """
    W = numpy.asarray(W, dtype=float)
    T, V, v = len(W) - 1, [], W[0]
    for t in range(1, T + 1):
        V.append(v)
        if t % N == 0:
            v = W[t - N:t].mean(axis=0)
    return numpy.array(V).reshape((T,) + W.shape[1:])


def probabilities(p):
    """Sampling probability of each term: uniform, or the problem's ``weights``."""
    return numpy.full(p.n, 1 / p.n) if p.weights is None else numpy.asarray(p.weights, dtype=float)


def estimates(p, run, w, v):
    """Rows g_i(w, v) for i = 0..N-1: the run's own estimator if its state carries one, else the box's."""
    estimate = getattr(run.state, "estimate", None)
    if estimate is None:
        return numpy.asarray(p.grad_all(w) - p.grad_all(v) + numpy.asarray(p.grad(v)), dtype=float)
    return numpy.array([numpy.asarray(estimate(w, v, i), dtype=float) for i in range(p.n)])


def path_points(inst, run):
    """(w_t, v_{e_t}) for t = 1..T along one run (epoch length N = the method's epoch or n)."""
    W = iterates(run)
    N = getattr(run.state, "N", None) or inst.problem.n
    return W[:-1], checkpoints(W, int(N))


class _Path:
    """Shared by both blocks: SVRG's estimator on a convex finite sum, along each run (not a theorem)."""
    algorithm, kind = SVRG, "every_step"
    requires = {"convex", "smooth", "finite_sum"}
    data = ("f_star",)
    admissible = {"lr": (0.0, None)}
    path_bound = True

    def method(self, inst):
        return SVRG(lr=inst.hyper["lr"])

    def default(self, seed):
        p = least_squares(n=20, d=4, seed=seed, normalize=True)
        return Instance(p, numpy.zeros(4), T=60, hyper={"lr": 1 / (8 * H_term(p))},
                        label="least squares, ||x_i|| = 1, N = 20, along an SVRG run")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T,
                        hyper={"lr": (0.05 + 0.95 * u[1]) / (8 * H_term(problem))})


@theorem
class EC500_23_UNBIASED(_Path):
    """SVRG estimator is unbiased: ||E_z g(w, v, z) - grad L(w)|| <= 0 (exact enumeration)

    EC500 section 23 (L3302-3306). For any w, v (here the points w_t, v_e of the method's run), with
    g(w, v, z) = grad l(w, z) - grad l(v, z) + grad L(v) and the expectation over the N terms computed
    exactly, E_z g = grad L(w): the variance-reduction term has mean zero. Up to rounding:

        || sum_i p_i g(w_t, v_e, z_i) - grad L(w_t) ||  <=  0 (rounding allowance 64 eps sum_i p_i |g_i|)

    On one-term least squares (N = 1) the estimator is grad L(w) itself; the allowance at w_1 = 2,
    L(w) = w^2/2 is 64 * 2.2e-16 * 2:

    >>> p = least_squares(n=1, d=1, seed=0, noise=0.0, normalize=True)
    >>> c = EC500_23_UNBIASED.theorem.check(Instance(p, p.x_star + 2.0, T=3, hyper={"lr": 0.1}))
    >>> c.holds, float(c.measured.max()), bool(c.bound[0] < 1e-12)
    (True, 0.0, True)
    """
    id, source = "EC500-23-unbiased", f"{SOURCE} sec 23, L3302-3306"
    rule = "any w, v (here the method's own path); exact expectation over the N terms"
    note = "Stated without a number in the notes; an exact identity, checked at every point of every run."

    def measure(self, runs, inst):
        p, prob, out = inst.problem, probabilities(inst.problem), []
        for r in runs:
            W, V = path_points(inst, r)
            out.append([numpy.linalg.norm(prob @ estimates(p, r, w, v) - numpy.asarray(p.grad(w), dtype=float))
                        for w, v in zip(W, V)])
        return numpy.array(out)

    def bound(self, inst, runs):
        # The allowance is sized by the box's terms (not the method's: no extra calls of a submitted estimator).
        p, prob, out = inst.problem, probabilities(inst.problem), []
        for r in runs:
            W, V = path_points(inst, r)
            out.append([float(slack(prob @ numpy.abs(p.grad_all(w) - p.grad_all(v)) + numpy.abs(p.grad(v))).max())
                        for w, v in zip(W, V)])
        return numpy.array(out)


@theorem
class EC500_23_1_PATH(_Path):
    """Lemma 23.1 on the method's own path and estimator: E||g||^2 <= 8H (L(w) - L_*) + 4H (L(v) - L_*)

    EC500 Lemma 23.1 (L3316-3340) as in EC500-23.1, with the points (w_t, v_e) and the estimator read off
    each run of the checked method (module docstring); the expectation over the N terms is exact:

        sum_i p_i ||g(w_t, v_e, z_i)||^2  <=  8H (L(w_t) - L_*) + 4H (L(v_e) - L_*)

    H is the per-term smoothness H_max. With N = 1 and L(w) = w^2/2 at w_1 = v_1 = 2: measured 4,
    bound 8 * 2 + 4 * 2 = 24:

    >>> p = least_squares(n=1, d=1, seed=0, noise=0.0, normalize=True)
    >>> c = EC500_23_1_PATH.theorem.check(Instance(p, p.x_star + 2.0, T=1, hyper={"lr": 0.1}))
    >>> c.holds, c.measured.round(12).tolist(), c.bound.round(12).tolist()
    (True, [4.0], [24.0])
    """
    id, source = "EC500-23.1/path", f"{SOURCE} Lemma 23.1, L3316-3340"
    rule = "every term convex and H-smooth (H = per-term H_max); the method's own path and estimator"
    note = "The bound of EC500-23.1 evaluated on the checked method's path (an SVRG implementation under test)."

    def measure(self, runs, inst):
        p, prob = inst.problem, probabilities(inst.problem)
        return numpy.array([[float(prob @ numpy.sum(estimates(p, r, w, v) ** 2, axis=1))
                             for w, v in zip(*path_points(inst, r))] for r in runs])

    def bound(self, inst, runs):
        p, H = inst.problem, H_term(inst.problem)
        out = []
        for r in runs:
            W, V = path_points(inst, r)
            # L(w) - L_* >= 0; a computed gap below 0 is f_star's own rounding (Newton's minimiser, about
            # 1e-12 on unregularised logistic losses) and would make the bound negative at the optimum
            gap_w, gap_v = numpy.maximum(gaps(p, W), 0.0), numpy.maximum(gaps(p, V), 0.0)
            out.append(8 * H * gap_w + 4 * H * gap_v)
        return numpy.array(out)

    def default(self, seed):
        p = logistic_regression(n=20, d=4, seed=seed, normalize=True)
        return Instance(p, numpy.zeros(4), T=60, hyper={"lr": 1 / (8 * H_term(p))},
                        label="logistic, ||x_i|| = 1, N = 20, along an SVRG run")


THEOREMS = (EC500_23_UNBIASED.theorem, EC500_23_1_PATH.theorem)
