"""Adaptive SGD in EC500 (seed 003): Theorem 10.1, Lemma 10.2, Theorems 10.3, 11.1, §12 and Theorem 12.1.

Algorithm 7 (AdaGrad-norm): eta_t = c/sqrt(eps^2 + S_t), S_t = sum_{i<=t} ||g_i||^2, eta_0 = c/eps.
Algorithm 9: A_t = beta A_{t-1} + ||g_t||^2, B_t = max(B_{t-1}, t A_t), B_0 = eps^2, eta_t = c/sqrt(B_t).
Runs record every g_t and eta_t the algorithm used (:class:`~.adaptive_runs.Recorded`). G_l is an
almost-sure bound on ||g_t|| (G_L + the noise radius for sphere noise), so E max_t ||g_t|| <= G_l;
Delta = L(w_1) - inf L (L1503/L1695/L1705 print L(w_t) - L(w_*), a typo). Each bound holds for every
horizon t <= T. The examples run on cos(w) from w_1 = pi/2, where G_L = H = Delta = ||grad L(w_1)|| = 1.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy

from ..algorithms import SGD, AdaGradNormEMAMax
from ..problems import cosine_sum, log_sum, norm_loss, quadratic
from .adaptive_runs import (AdaptiveSetting, G_l, RecState, cos_half_pi, default_adaptive, draw_adaptive,
                            draw_alg7_or_9, noise_radius, path_of, run_seed0)
from .block import theorem
from .ec500_sgd import SOURCE
from .measures import iterates
from .stochastic import delta, exact_grad_sq, gnorm, horizon, noisy, sigma_of, start
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


# ---- Theorems 10.3 and 11.1 ---------------------------------------------------------------------------

def _K(inst, printed=False, t=None):
    """K at horizons t (default 1..T): derived, or as printed (log(t (G_l^2 + sigma^2)/eps^2), sigma = max)."""
    p, c, eps = inst.problem, inst.hyper["c"], inst.hyper["eps"]
    t = horizon(inst) if t is None else t
    radius, var = noise_radius(inst)
    log = (numpy.log(t * (G_l(inst) ** 2 + radius ** 2) / eps ** 2) if printed
           else numpy.log1p(t * (p.G ** 2 + var[t - 1]) / eps ** 2))        # E S_t <= t (G_L^2 + mean var)
    return delta(inst) / c + p.H * c / 2 * log + p.G * G_l(inst) / eps


def _printed_bound(inst, both=True):
    """At t = T: L1701/L1711's sqrt(K eps), sqrt(K sigma), or the larger of it and L1509's sqrt(K) eps, sqrt(K) sigma."""
    T, eps, s = inst.T, inst.hyper["eps"], math.sqrt(noise_radius(inst)[1][-1])
    K = float(_K(inst, printed=True, t=numpy.array([T]))[0])
    if K < 0:
        return numpy.array([-1.0])                  # a negative printed K: no true statement is left
    first = (math.sqrt(2) * K + math.sqrt(K) * eps) / math.sqrt(T) + math.sqrt(K) * s / T ** 0.25
    second = (math.sqrt(2) * K + math.sqrt(K * eps)) / math.sqrt(T) + math.sqrt(K * s) / T ** 0.25
    return numpy.array([max(first, second) if both else second])


def _mean_norm(runs, inst):
    return numpy.cumsum(gnorm(runs, inst.T), axis=1) / horizon(inst)


def _rms(runs, inst):
    return numpy.sqrt(numpy.cumsum(gnorm(runs, inst.T) ** 2, axis=1) / horizon(inst))


def _log_counterexample(eps=6.0, **extra):
    """T = 10, eps^2 > T (G_l^2 + sigma^2): the printed log is negative, so the printed K decreases in c;
    c is chosen (by bisection) to make it 0.01."""
    unit = "sigma0" in extra

    def make(c):
        return cos_half_pi(10, {"c": c, "eps": eps, **extra}, sigma=1.0 if unit else 0.0, seeds=100 if unit else 1,
                           label=f"cos(w), w_1 = pi/2, eps = {eps:g}, c = {c:.4f} (printed K = 0.01)")

    lo, hi = 1e-3, 1e3
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if _K(make(mid), printed=True, t=numpy.array([10]))[0] > 0.01 else (lo, mid)
    return make(lo)


class _Theorem103(AdaptiveSetting):
    """Theorem 10.3's setting (not a theorem itself)."""
    source = f"{SOURCE} Thm 10.3, L1503-1609 (restated L1695-1702)"
    rule = "Algorithm 7 with any c > 0, eps > 0; sphere noise of radius sigma"

    def measure(self, runs, inst):
        return _mean_norm(runs, inst)

    def bound(self, inst):
        K, t, eps, var = _K(inst), horizon(inst), inst.hyper["eps"], noise_radius(inst)[1]
        return ((math.sqrt(2) * K + numpy.sqrt(K * eps)) / numpy.sqrt(t)
                + 2 ** 0.25 * numpy.sqrt(K * numpy.sqrt(var)) / t ** 0.25)

    def default(self, seed):
        return default_adaptive(seed)

    def draw(self, problem, T, u):
        return draw_adaptive(problem, T, u)


@theorem
class EC500_10_3(_Theorem103):
    """Algorithm 7 on H-smooth G_L-Lipschitz losses: O(log T / T^(1/4)) (derived constants)

    EC500 Theorem 10.3 (L1503-1609, restated L1695-1702), with the constants derived here (K with
    log(1 + ...), G_L in the log as the proof's eq. (3) has it, the factor 2 dropped at L1583 restored):

        (1/t) E sum_{s<=t} ||grad L(w_s)||  <=  (sqrt(2) K + sqrt(K eps))/sqrt(t) + 2^(1/4) sqrt(K sigma)/t^(1/4),
        K = Delta/c + (H c/2) log(1 + t (G_L^2 + sigma^2)/eps^2) + G_L G_l/eps

    Proof sketch: Theorem 10.1 and Lemma 10.2 with Jensen give E[eta_t sum ||grad L||^2] <= c K; Cauchy-
    Schwarz gives X^2 <= K E sqrt(eps^2 + S_t) with X = E sqrt(sum ||grad L||^2); S_t <= 2 sum ||grad L||^2
    + 2 sum ||xi||^2 gives X^2 <= K sqrt(eps^2 + 2 t sigma^2) + sqrt(2) K X, so X <= sqrt(2) K +
    sqrt(K) (eps^2 + 2 t sigma^2)^(1/4).

    On cos w, c = eps = 1, no noise, t = 1: K = 1 + log(2)/2 + 1, and the bound is sqrt(2) K + sqrt(K):

    >>> EC500_10_3.theorem.bound(cos_half_pi(1, {"c": 1.0, "eps": 1.0}))
    array([4.85040919])
    """
    id, statement = "EC500-10.3", "corrected"


@theorem
class EC500_10_3_printed(_Theorem103):
    """Theorem 10.3 as printed (either printing), checked at t = T

    EC500 Theorem 10.3 as printed at L1509 and at L1701, with K's log printed log(T (G_l^2 + sigma^2)/eps^2):

        (1/t) E sum_{s<=t} ||grad L(w_s)||  <=  max of (sqrt(2) K + sqrt(K) eps)/sqrt(T) + sqrt(K) sigma/T^(1/4)
        (L1509) and (sqrt(2) K + sqrt(K eps))/sqrt(T) + sqrt(K sigma)/T^(1/4) (L1701), K with
        log(T (G_l^2 + sigma^2)/eps^2)

    On cos w, c = eps = 1, no noise, T = 1 the printed log is log 1 = 0, so K = 2 and both printings give
    3 sqrt(2):

    >>> EC500_10_3_printed.theorem.bound(cos_half_pi(1, {"c": 1.0, "eps": 1.0}))
    array([4.24264069])
    """
    id, statement, draw = "EC500-10.3/printed", "printed", None
    note = ("Three slips, from the erratum of Lemma 10.2 on: (i) K's log must be log(1 + T(G^2 + sigma^2)/eps^2) "
            "(when eps^2 > T(G^2 + sigma^2) the printed log is negative and a choice of c makes K as small as "
            "one likes: here K = 0.01 at T = 10); (ii) the proof's eq. (3) bounds E||g_t||^2 by G_L^2 + sigma^2, "
            "with G_L, not G_l; (iii) L1583 drops a 2: sqrt(eps^2 + 2 T sigma^2), so the noise term carries "
            "2^(1/4). (i) alone refutes both printings on a noise-free run of 10 steps.")

    def measure(self, runs, inst):
        return _mean_norm(runs, inst)[:, -1:]

    def bound(self, inst):
        return _printed_bound(inst)

    def counterexample(self):
        return _log_counterexample()


class _Theorem111(_Theorem103):
    """Theorem 11.1's setting: the noise radius s_t = sigma_0/sqrt(t) varies (not a theorem itself)."""
    source = f"{SOURCE} Thm 11.1, L1705-1719"
    rule = "Algorithm 7; noise on the sphere of radius s_t = sigma_0/sqrt(t), sigma_t^2 = s_t^2"

    def measure(self, runs, inst):
        return _rms(runs, inst)


@theorem
class EC500_11_1(_Theorem111):
    """Algorithm 7 with time-varying noise variance sigma_t^2 (derived constants)

    EC500 Theorem 11.1 (L1705-1747): Theorem 10.3 with sigma_t^2 = E||g_t - grad L(w_t)||^2 varying (here
    a sphere of radius s_t = sigma_0/sqrt(t)) and sigma^2 replaced by the mean of sigma_s^2, derived form:

        (1/sqrt t) E sqrt(sum_{s<=t} ||grad L(w_s)||^2)  <=  (sqrt(2) K + sqrt(K eps))/sqrt(t) +
        2^(1/4) sqrt(K sigma_bar)/t^(1/4), sigma_bar^2 = (1/t) sum sigma_s^2,
        K = Delta/c + (H c/2) log(1 + t (G_L^2 + sigma_bar^2)/eps^2) + G_L G_l/eps

    On cos w, c = eps = sigma_0 = 1, t = 1 (G_l = 2): K = 3 + log(3)/2 and the bound is
    sqrt(2) K + sqrt(K) + 2^(1/4) sqrt(K):

    >>> EC500_11_1.theorem.bound(cos_half_pi(1, {"c": 1.0, "eps": 1.0, "sigma0": 1.0}, sigma=1.0))
    array([9.14385602])
    """
    id, statement = "EC500-11.1", "corrected"

    def default(self, seed):
        return default_adaptive(seed, sigma=1.0, sigma0=3.0)

    def draw(self, problem, T, u):
        return draw_adaptive(problem, T, u, sigma0=3 * u[2])


@theorem
class EC500_11_1_printed(_Theorem111):
    """Theorem 11.1 as printed, checked at t = T

    EC500 Theorem 11.1 as printed (L1711), with Theorem 10.3's printed K and its undefined sigma read as
    max_t sigma_t (the reading most favourable to the print):

        (1/sqrt t) E sqrt(sum_{s<=t} ||grad L(w_s)||^2)  <=  (sqrt(2) K + sqrt(K eps))/sqrt(T) +
        sqrt(K sqrt((1/T) sum sigma_t^2))/T^(1/4), K with log(T (G_l^2 + sigma^2)/eps^2), sigma^2 = max sigma_t^2

    On the instance of EC500-11.1's example K = 3 + log(5)/2 and the bound is sqrt(2) K + 2 sqrt(K):

    >>> EC500_11_1_printed.theorem.bound(cos_half_pi(1, {"c": 1.0, "eps": 1.0, "sigma0": 1.0}, sigma=1.0))
    array([9.28182291])
    """
    id, statement, draw = "EC500-11.1/printed", "printed", None
    note = ("Theorem 11.1 repeats Theorem 10.3's K (log(T(G_l^2 + sigma^2)/eps^2), with an undefined sigma: "
            "read here as max_t sigma_t^2, the reading most favourable to the print) and the dropped factor "
            "2^(1/4). The counterexample of EC500-10.3, with noise of radius 0.5/sqrt(t), refutes it.")

    def measure(self, runs, inst):
        return _rms(runs, inst)[:, -1:]

    def bound(self, inst):
        return _printed_bound(inst, both=False)

    def counterexample(self):
        return _log_counterexample(eps=8.0, sigma0=0.5)


class _RelativeNoise(AdaptiveSetting):
    """The relative-noise corollary of Theorem 11.1 (L1721-1747): ||g_t - grad L(w_t)||^2 = D ||grad L||^2."""
    source = f"{SOURCE} Thm 11.1 corollary, L1721-1747"
    rule = "Algorithm 7; noise u sqrt(D) ||grad L(w)||, u uniform on the unit sphere"

    def K(self, inst):
        return _K(inst)

    def bound(self, inst):
        K, t, eps, D = self.K(inst), horizon(inst), inst.hyper["eps"], inst.hyper["D"]
        return (K * (1 + math.sqrt(D)) + numpy.sqrt(K * eps)) / numpy.sqrt(t)

    def measure(self, runs, inst):
        return _rms(runs, inst)


@theorem
class EC500_11_1_rel(_RelativeNoise):
    """Algorithm 7 under relative noise: E sqrt(sum ||grad L||^2) stays bounded (derived)

    Derived replacement of the relative-noise corollary: if ||g_t - grad L(w_t)||^2 <= D ||grad L(w_t)||^2
    surely, then ||g_t|| <= (1 + sqrt D)||grad L|| and eq. (4) gives X^2 <= K eps + K (1 + sqrt D) X, so

        (1/sqrt t) E sqrt(sum_{s<=t} ||grad L(w_s)||^2)  <=  (K (1 + sqrt D) + sqrt(K eps))/sqrt(t),
        K = Delta/c + (H c/2) log(1 + t (1 + D) G_L^2/eps^2) + G_L G_l/eps

    On cos w, c = eps = D = 1, t = 1 (G_l = 2): K = 3 + log(3)/2 and the bound is 2K + sqrt(K):

    >>> EC500_11_1_rel.theorem.bound(cos_half_pi(1, {"c": 1.0, "eps": 1.0, "D": 1.0}, sigma=1.0))
    array([8.98257252])
    """
    id, statement = "EC500-11.1/rel", "corrected"

    def default(self, seed):
        return Instance(log_sum(d=3, seed=seed), numpy.full(3, 2.0), T=100,
                        hyper={"c": 1.0, "eps": 1.0, "D": 1.0}, oracle=noisy(1.0), seeds=100,
                        label="sum log(1 + w^2), relative noise D = 1")

    def draw(self, problem, T, u):
        return draw_adaptive(problem, T, u, D=3 * u[2])


@theorem
class EC500_11_1_rel_printed(_RelativeNoise):
    """relative-noise corollary as printed: (1/T) E sum ||grad||^2 <= O(K/sqrt T)

    EC500 Theorem 11.1's relative-noise corollary as printed (L1721-1745):

        (1/t) E sum_{s<=t} ||grad L(w_s)||^2  <=  (2 K D + 2 K sqrt(2) + 2 sqrt(K) eps)/sqrt(t), printed K
        (sigma^2 = D G_L^2)

    On the instance of EC500-11.1/rel's example the printed K is 3 + log(5)/2 and the bound
    2 K + 2 sqrt(2) K + 2 sqrt(K):

    >>> EC500_11_1_rel_printed.theorem.bound(cos_half_pi(1, {"c": 1.0, "eps": 1.0, "D": 1.0}, sigma=1.0))
    array([22.27194597])
    """
    id, statement = "EC500-11.1/rel/printed", "printed"
    note = ("The self-bounding at L1723-1745 is not rigorous: (i) the theorem bounds E sqrt(.), which by "
            "Jensen is <= X = sqrt((1/T) E sum ||grad||^2), the wrong direction; (ii) sqrt((1/T) E sum "
            "sigma_t^2) <= sqrt(D) X gives sqrt(K sqrt(D) X), not sqrt(K D X); (iii) the last line uses "
            "(1/T) E sum ||grad||^2 <= X while it equals X^2. The printed right side grows like s^(3/2) when L "
            "is scaled by s (eps with it), the left side like s^2, so it fails on a scaled loss. Derived "
            "replacement: EC500-11.1/rel.")

    def measure(self, runs, inst):
        return _rms(runs, inst) ** 2

    def bound(self, inst):
        K, t, eps, D = _K(inst, printed=True), horizon(inst), inst.hyper["eps"], inst.hyper["D"]
        return (2 * K * D + 2 * math.sqrt(2) * K + 2 * numpy.sqrt(numpy.maximum(K, 0)) * eps) / numpy.sqrt(t)

    def counterexample(self):
        # the printed right side grows like scale^(3/2) in the scale of L, the left side like scale^2: scale up.
        # eps = G_L keeps the printed log positive, so the missing "1 +" (EC500-10.2) plays no role here.
        p = cosine_sum(d=2, a=100.0, seed=0)
        return Instance(p, p.Q.T @ numpy.full(2, math.pi / 2), T=20, hyper={"c": 0.3, "eps": p.G, "D": 0.25},
                        oracle=noisy(1.0), seeds=50, label="100 sum cos, relative noise D = 0.25, eps = G_L")


# ---- Section 12, oracle step size (12.a) ---------------------------------------------------------------

@dataclass(frozen=True)
class OracleStepSGD:
    """SGD with the oracle step eta_t = min(1/H, ||grad L(w_t)||^2/(2 H sigma^2)) of §12 (L1763).

    A theory-local method: the step reads the exact gradient, which no catalogue algorithm may do.
    Theorems: EC500-12/a.
    """
    H: float
    sigma: float

    def init(self, x0, oracle):
        return RecState(numpy.array(x0, dtype=float), None, [], [])

    def step(self, s, oracle):
        gn2 = float(numpy.sum(oracle.problem.grad(s.x) ** 2))           # the oracle knows grad L(w_t)
        s2 = self.sigma ** 2
        eta = 1 / self.H if gn2 >= 2 * s2 else gn2 / (2 * self.H * s2)  # = min(1/H, gn2/(2 H sigma^2))
        g = oracle.stoch_grad(s.x, oracle.sample())
        s.eta.append(eta)
        return RecState(s.x - eta * g, None, s.g, s.eta)


def _s12a(inst):
    """Along the seed-0 run: the exact E[L(w_{t+1}) | w_t] - L_* and the bound L(w_t) - L_* - min(...).

    For a quadratic with Hessian A and noise of covariance sigma^2/d I, E[L(w - eta g) | w] =
    L(w) - eta ||grad||^2 + (eta^2/2)(grad^T A grad + sigma^2 tr(A)/d) (seed-notes part 1 §7.3).
    """
    p, s = inst.problem, sigma_of(inst)
    exact_grad_sq(inst, [])                                         # refuses anything but a quadratic
    r = run_seed0(inst, OracleStepSGD(p.H, s))
    W, eta = iterates(r)[:-1], numpy.array(r.state.eta)
    grad = (W - p.x_star) @ p.A
    gn2, curv = numpy.sum(grad ** 2, axis=1), numpy.einsum("ij,jk,ik->i", grad, p.A, grad)
    gap = numpy.asarray(r.loss[:-1]) - p.f_star
    after = gap - eta * gn2 + eta ** 2 / 2 * (curv + s ** 2 * numpy.trace(p.A) / p.d)
    with numpy.errstate(divide="ignore"):
        guaranteed = numpy.minimum(gn2 / (4 * p.H), gn2 ** 2 / (8 * p.H * s ** 2) if s ** 2 > 0 else numpy.inf)
    return after, gap - guaranteed


@theorem
class EC500_12_a:
    """one SGD step with the oracle step size decreases E L by min(|g|^2/4H, |g|^4/8H sigma^2)

    EC500 §12 (L1751-1765). With eta independent of g_t and eta <= 1/H, E[L(w_{t+1}) | w_t] <= L(w_t) -
    eta/2 ||grad||^2 + H eta^2 sigma_t^2/2; the oracle step eta = min(1/H, ||grad L(w_t)||^2/(2 H sigma_t^2))
    (cases ||grad||^2 >= 2 sigma^2 or not) gives

        E[L(w_{t+1}) | w_t] - L_* (exact, at the iterates of a run)  <=
        L(w_t) - L_* - min(||grad L(w_t)||^2/(4H), ||grad L(w_t)||^4/(8 H sigma^2))

    checked with the exact conditional expectation of a quadratic at the iterates of a run. Tight on
    w^2 (H = 2) at ||grad L(w_1)||^2 = 2 sigma^2: L(w_1) - L_* = 1/2, the decrease 2/8, and the exact
    expectation attains the bound:

    >>> inst = EC500_12_a.theorem.tight_instance()
    >>> round(float(EC500_12_a.theorem.bound(inst)[0]), 12), round(float(EC500_12_a.theorem.measure(None, inst)[0]), 12)
    (0.25, 0.25)
    """
    id, source = "EC500-12/a", f"{SOURCE} §12, L1751-1765"
    algorithm, kind, exact = OracleStepSGD, "expectation", True
    requires, constants, data = {"smooth"}, ("H",), ("f_star", "A")
    rule = "eta_t = min(1/H, ||grad L(w_t)||^2/(2 H sigma^2)); L quadratic"
    tight_factor = 0.999999
    note = ("sigma_t^2 must be the variance given w_t (eta depends on w_t); it is checked here conditionally on "
            "the iterates of a real run, with the exact conditional expectation of a quadratic.")

    def method(self, inst):
        return OracleStepSGD(inst.problem.H, sigma_of(inst))

    def measure(self, runs, inst):
        return _s12a(inst)[0]

    def bound(self, inst):
        return _s12a(inst)[1]

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.1, H=4.0, seed=seed), numpy.full(5, 2.0), T=50,
                        oracle=noisy(1.0), label="quadratic, sphere noise")

    def tight(self):
        p = quadratic(d=2, mu=2.0, H=2.0, seed=0)                   # A = H I, ||grad L(w_1)||^2 = 2 sigma^2
        return Instance(p, p.x_star + numpy.array([math.sqrt(2) / 2, 0.0]), T=5, oracle=noisy(1.0, "gaussian"),
                        label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T,
                        oracle=noisy(3 * u[2], "gaussian" if u[3] < 0.5 else "sphere"))


# ---- Theorem 12.1 ---------------------------------------------------------------------------------------

class _Theorem121(AdaptiveSetting):
    """Theorem 12.1's setting: Algorithm 9 (not a theorem itself)."""
    source = f"{SOURCE} Thm 12.1, L1845-1875"
    algorithm, rule = AdaGradNormEMAMax, "Algorithm 9, c > 0, eps > 0, 0 <= beta < 1"
    _printed = False              # the print is the c = 1 case of the bound

    def measure(self, runs, inst):
        return numpy.cumsum(gnorm(runs, inst.T) ** 2, axis=1)

    def bound(self, inst):
        p, h, t = inst.problem, inst.hyper, horizon(inst)
        c, eps, beta = h["c"], h["eps"], h["beta"]
        a = c if not self._printed else 1.0
        R = delta(inst) + p.H * a ** 2 / 2 * (1 + numpy.log(t)) + c / eps * p.G * G_l(inst)
        return R * (eps + G_l(inst) * numpy.sqrt(t)) / (a * math.sqrt(1 - beta))


@theorem
class EC500_12_1(_Theorem121):
    """Algorithm 9 (AMSGrad-style EMA): E sum ||grad||^2 = O(sqrt T log T), with c

    EC500 Theorem 12.1 (L1845-1875), corrected. The proof drops c: eta_t^2 ||g_t||^2 = c^2 ||g_t||^2/B_t
    <= c^2/t and eta_t >= c sqrt(1 - beta)/(eps + G sqrt t). With G = G_l, for every t:

        E sum_{s<=t} ||grad L(w_s)||^2  <=  (Delta + (H c^2/2)(1 + log t) + (c/eps) G_L G_l)(eps + G_l sqrt t)/(c
        sqrt(1 - beta))

    On cos w without noise, c = 1/2, eps = 1, beta = 3/4, t = 1: (1 + 1/8 + 1/2)(1 + 1)/(1/2 * 1/2) = 13.

    >>> EC500_12_1.theorem.bound(cos_half_pi(1, {"c": 0.5, "eps": 1.0, "beta": 0.75}))
    array([13.])
    """
    id, statement = "EC500-12.1", "corrected"

    def default(self, seed):
        return default_adaptive(seed, beta=0.9)

    def draw(self, problem, T, u):
        return draw_adaptive(problem, T, u, beta=0.99 * u[2])


@theorem
class EC500_12_1_printed(_Theorem121):
    """Theorem 12.1 as printed (valid for c = 1 only)

    EC500 Theorem 12.1 as printed (L1845-1875), the c = 1 case of the corrected bound:

        E sum_{s<=t} ||grad L(w_s)||^2  <=  (Delta + (H/2)(1 + log t) + eta_0 G_L G_l)(eps + G sqrt t)/sqrt(1 - beta),
        eta_0 = c/eps

    On the instance of EC500-12.1's example: (1 + 1/2 + 1/2)(1 + 1)/(1/2) = 8, below the corrected 13.

    >>> EC500_12_1_printed.theorem.bound(cos_half_pi(1, {"c": 0.5, "eps": 1.0, "beta": 0.75}))
    array([8.])
    """
    id, statement = "EC500-12.1/printed", "printed"
    _printed = True
    note = ("The proof drops c twice: eta_t^2 ||g_t||^2 = c^2 ||g_t||^2/B_t <= c^2/t (L1861, which also drops "
            "the sum), and min_t eta_t >= c sqrt(1 - beta)/(eps + G sqrt T) (L1871). With a small c the iterates "
            "hardly move, so sum ||grad||^2 grows like T while the printed bound grows like sqrt(T) log T.")

    def counterexample(self):
        return cos_half_pi(100, {"c": 0.001, "eps": 1.0, "beta": 0.5},
                           label="cos(w), w_1 = pi/2, c = 0.001, noise-free")


THEOREMS = tuple(block.theorem for block in (
    EC500_10_1, EC500_10_1_path, EC500_10_2, EC500_10_2_printed, EC500_10_3, EC500_10_3_printed, EC500_11_1,
    EC500_11_1_printed, EC500_11_1_rel, EC500_11_1_rel_printed, EC500_12_a, EC500_12_1, EC500_12_1_printed))
