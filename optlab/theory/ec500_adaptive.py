"""Adaptive SGD in EC500 (seed 003): Theorem 10.1 and Lemma 10.2, one block each; Theorems 10.3 and 11.1
are in :mod:`.ec500_adaptive_rates`, section 12 and Theorem 12.1 in :mod:`.ec500_adaptive_s12`.

Algorithm 7 (AdaGrad-norm): eta_t = c/sqrt(eps^2 + S_t), S_t = sum_{i<=t} ||g_i||^2, eta_0 = c/eps.
Algorithm 9: A_t = beta A_{t-1} + ||g_t||^2, B_t = max(B_{t-1}, t A_t), B_0 = eps^2, eta_t = c/sqrt(B_t).
Runs record every g_t and eta_t the algorithm used (:class:`~.adaptive_runs.Recorded`). G_l is an
almost-sure bound on ||g_t|| (G_L + the noise radius for sphere noise), so E max_t ||g_t|| <= G_l;
Delta = L(w_1) - inf L (L1503/L1695/L1705 print L(w_t) - L(w_*), a typo). Each bound holds for every
horizon t <= T. The examples run on cos(w) from w_1 = pi/2, where G_L = H = Delta = ||grad L(w_1)|| = 1.
"""
from __future__ import annotations

import numpy

from ..algorithms import AdaGradNormEMAMax
from ..problems import norm_loss, quadratic
from .adaptive_runs import AdaptiveSetting, G_l, cos_half_pi, default_adaptive, draw_alg7_or_9, path_of
from .block import theorem
from .ec500_sgd import SOURCE
from .stochastic import noisy, start
from .theorem import Instance, run_instance


# ---- Theorem 10.1 --------------------------------------------------------------------------------------

def _t101(r, inst):
    """(the expectation's integrand, the pathwise left side, the pathwise right side) at t = 1..T."""
    f, dL, g, eta, prev = path_of(r, inst)
    noise_term = inst.problem.H / 2 * numpy.cumsum(eta ** 2 * numpy.sum(g ** 2, axis=1))
    mx = numpy.maximum.accumulate(numpy.linalg.norm(dL, axis=1)) * numpy.maximum.accumulate(
        numpy.linalg.norm(g, axis=1))
    return (f[1:] - f[0] + numpy.cumsum(prev * numpy.sum(dL ** 2, axis=1)) - noise_term,
            f[1:] - f[0] + numpy.cumsum(prev * numpy.sum(dL * g, axis=1)), (prev[0] - eta) * mx + noise_term)


@theorem
class EC500_10_1(AdaptiveSetting):
    """descent bound for causal non-increasing random learning rates (Algorithms 7, 9)

    EC500 Theorem 10.1 (L1387-1477). L H-smooth and G_L-Lipschitz, eta_t causal and non-increasing,
    eta_0 >= eta_1 deterministic. For every t:

        E[L(w_{t+1}) - L(w_1) + sum_{s<=t} eta_{s-1}||grad L(w_s)||^2 - (H/2) sum_{s<=t} eta_s^2 ||g_s||^2]
        <=  eta_0 G_L G_l

    With c = 1/2, eps = 2 (eta_0 = 1/4) and sphere noise of radius 1 (G_l = 2) on cos w: 1/4 * 1 * 2.

    >>> EC500_10_1.theorem.bound(cos_half_pi(3, {"c": 0.5, "eps": 2.0}, sigma=1.0))
    array([0.5, 0.5, 0.5])
    """
    id, source = "EC500-10.1", f"{SOURCE} Thm 10.1, L1387-1477"
    rule = "eta_t causal, non-increasing; eta_0 = c/eps (Alg 7 or 9)"
    data = ()

    def measure(self, runs, inst):
        return numpy.array([_t101(r, inst)[0] for r in runs])

    def bound(self, inst):
        return numpy.full(inst.T, inst.hyper["c"] / inst.hyper["eps"] * inst.problem.G * G_l(inst))

    def default(self, seed):
        return default_adaptive(seed)

    def draw(self, problem, T, u):
        return draw_alg7_or_9(problem, T, u)


@theorem
class EC500_10_1_path(EC500_10_1):
    """Theorem 10.1's pathwise inequality (every run, every step)

    The inequality of Theorem 10.1's proof (L1455-1471), which holds on every run with H-smoothness alone:

        L(w_{t+1}) - L(w_1) + sum_{s<=t} eta_{s-1} <grad L(w_s), g_s>  <=
        (eta_0 - eta_t) max_{s<=t}||grad L(w_s)|| max_{s<=t}||g_s|| + (H/2) sum_{s<=t} eta_s^2 ||g_s||^2

    Algorithm 7 with c = eps = 1, no noise, one step: g_1 = grad L(w_1) = 1, eta_1 = 1/sqrt(2), so the
    bound is (1 - 1/sqrt 2) + 1/4:

    >>> inst = cos_half_pi(1, {"c": 1.0, "eps": 1.0})
    >>> EC500_10_1_path.theorem.bound(inst, run_instance(EC500_10_1_path.theorem, inst))
    array([[0.54289322]])
    """
    id, source = "EC500-10.1/path", f"{SOURCE} Thm 10.1 proof, L1453-1477"
    algorithm, kind, path_bound = AdaGradNormEMAMax, "every_step", True
    requires, constants = {"smooth"}, ("H",)
    rule = "eta_t non-increasing, eta_0 = c/eps >= eta_1 (Alg 7 or 9)"

    def measure(self, runs, inst):
        return numpy.array([_t101(r, inst)[1] for r in runs])

    def bound(self, inst, runs):
        return numpy.array([_t101(r, inst)[2] for r in runs])

    def default(self, seed):
        return default_adaptive(seed, T=200, seeds=1, beta=0.9)


# ---- Lemma 10.2 corollary ------------------------------------------------------------------------------

def _l102(r, inst):
    """(sum_{s<=t} eta_s^2 ||g_s||^2/c^2, S_t/eps^2) at t = 1..T."""
    g2 = numpy.sum(numpy.array(r.state.g) ** 2, axis=1)
    return (numpy.cumsum(numpy.array(r.state.eta) ** 2 * g2) / inst.hyper["c"] ** 2,
            numpy.cumsum(g2) / inst.hyper["eps"] ** 2)


class _Lemma102(AdaptiveSetting):
    """The corollary of Lemma 10.2 on Algorithm 7's steps, a pathwise statement (not a theorem itself)."""
    source = f"{SOURCE} Lemma 10.2 corollary, L1497-1499"
    kind, path_bound = "every_step", True
    requires, constants, data = (), (), ()
    rule = "Algorithm 7, any c > 0, eps > 0"

    def measure(self, runs, inst):
        return numpy.array([_l102(r, inst)[0] for r in runs])


@theorem
class EC500_10_2(_Lemma102):
    """AdaGrad-norm step sizes: sum eta_t^2 ||g_t||^2 <= c^2 log(1 + S_T/eps^2)

    EC500 Lemma 10.2 (L1497-1499), corrected: Lemma 10.2 with x_0 = eps^2, x_t = ||g_t||^2, f = 1/x gives

        sum_{s<=t} eta_s^2 ||g_s||^2/c^2 = sum_{s<=t} ||g_s||^2/(eps^2 + S_s)  <=  log(1 + S_t/eps^2),
        S_t = sum_{s<=t} ||g_s||^2

    One noise-free step on cos w with eps = 1: S_1 = 1, so the bound is log 2:

    >>> inst = cos_half_pi(1, {"c": 1.0, "eps": 1.0})
    >>> EC500_10_2.theorem.bound(inst, run_instance(EC500_10_2.theorem, inst))
    array([[0.69314718]])
    """
    id, statement = "EC500-10.2", "corrected"
    tight_factor = 0.98

    def bound(self, inst, runs):
        return numpy.array([numpy.log1p(_l102(r, inst)[1]) for r in runs])

    def default(self, seed):
        return default_adaptive(seed, T=200, seeds=1)

    def tight(self):
        p = quadratic(d=3, mu=1.0, H=1.0)                        # many small increments: a fine partition
        return Instance(p, p.x_star, T=400, hyper={"c": 0.01, "eps": 1.0}, oracle=noisy(0.1), label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, oracle=noisy(2 * u[2]),
                        hyper={"c": 0.01 + 2 * u[1], "eps": 10 ** (-2 + 2.5 * u[3])})


@theorem
class EC500_10_2_printed(_Lemma102):
    """Lemma 10.2 corollary as printed: log(S_T/eps^2)

    EC500 Lemma 10.2's corollary as printed (L1499):

        sum_{s<=t} eta_s^2 ||g_s||^2/c^2 = sum_{s<=t} ||g_s||^2/(eps^2 + S_s)  <=  log(S_t/eps^2)

    On its counterexample (||g_1||^2 = eps^2) the printed right side is log 1 = 0, the left side 1/2:

    >>> inst = EC500_10_2_printed.theorem.counterexample()
    >>> EC500_10_2_printed.theorem.bound(inst, run_instance(EC500_10_2_printed.theorem, inst))
    array([[0.]])
    """
    id, statement = "EC500-10.2/printed", "printed"
    note = ("Lemma 10.2 with x_0 = eps^2, x_t = ||g_t||^2 and f = 1/x integrates from eps^2 to eps^2 + S_T: "
            "the bound is log((eps^2 + S_T)/eps^2) = log(1 + S_T/eps^2); L1499 stops the integral at S_T. At "
            "T = 1 with ||g_1||^2 = eps^2 the left side is 1/2, the printed right side log 1 = 0 (corrected: "
            "log 2).")

    def bound(self, inst, runs):
        return numpy.array([numpy.log(_l102(r, inst)[1]) for r in runs])

    def counterexample(self):
        p = norm_loss(d=1, G=0.5)                                 # |grad L| = G = eps exactly, so S_1/eps^2 = 1
        return Instance(p, p.x_star + 1.0, T=1, hyper={"c": 1.0, "eps": 0.5},
                        label="T = 1, ||g_1||^2 = eps^2 (noise-free)")


THEOREMS = tuple(block.theorem for block in (EC500_10_1, EC500_10_1_path, EC500_10_2, EC500_10_2_printed))
