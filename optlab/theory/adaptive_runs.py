"""Running Algorithms 7 and 9 for the adaptive theorems, with every g_t and eta_t kept.

:class:`Recorded` runs a method unchanged and stores, in its state, the stochastic gradient g_t each step
received and the step size eta_t it computed, so that bounds reading the sample path (Lemma 10.2,
Theorem 10.1's pathwise inequality) use exactly what the algorithm used. Its oracle can also rescale the
unit-sphere noise by a radius that varies with t (Theorem 11.1) or with ||grad L|| (relative noise).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..algorithms import AdaGradNorm, AdaGradNormEMAMax, run
from ..problems import cosine_sum
from .measures import iterates
from .stochastic import MC_SEEDS, horizon, noisy, sigma_of, start
from .theorem import Instance


class RecState(NamedTuple):
    x: Any
    inner: Any
    g: list         # g_1..g_t as the algorithm received them
    eta: list       # eta_1..eta_t as the algorithm computed them


class _Oracle:
    """The run's counting oracle, except that its unit-sphere noise xi becomes radius(t, ||grad L(x)||) xi."""

    def __init__(self, base, radius, t):
        self.base, self.radius, self.t, self.g = base, radius, t, None

    def __getattr__(self, name):
        return getattr(self.base, name)

    def sample(self):
        return self.base.sample()

    def stoch_grad(self, x, xi):
        if self.radius is not None:
            xi = self.radius(self.t, float(numpy.linalg.norm(self.base.problem.grad(x)))) * xi
        self.g = self.base.stoch_grad(x, xi)
        return self.g


@dataclass(frozen=True)
class Recorded:
    """Run ``method`` unchanged and keep each g_t and eta_t in the state (``trace.state.g``, ``.eta``)."""
    method: Any
    radius: Any = None

    def init(self, x0, oracle):
        s = self.method.init(x0, oracle)
        return RecState(s.x, s, [], [])

    def step(self, s, oracle):
        o = _Oracle(oracle, self.radius, len(s.g) + 1)
        inner = self.method.step(s.inner, o)
        s.g.append(o.g)
        s.eta.append(inner.eta)
        return RecState(inner.x, inner, s.g, s.eta)


def adaptive_method(inst):
    h = inst.hyper
    if "D" in h:                                     # relative noise: ||g - grad L||^2 = D ||grad L||^2
        radius = lambda t, gn: math.sqrt(h["D"]) * gn            # noqa: E731
    elif "sigma0" in h:                              # time-varying radius s_t = sigma_0/sqrt(t)
        radius = lambda t, gn: h["sigma0"] / math.sqrt(t)        # noqa: E731
    else:                                            # the oracle's own sphere of radius sigma
        radius = None
    alg = (AdaGradNormEMAMax(c=h["c"], beta=h["beta"], eps=h["eps"]) if "beta" in h
           else AdaGradNorm(c=h["c"], eps=h["eps"]))
    return Recorded(alg, radius)


def noise_radius(inst):
    """(largest noise radius, (1/t) sum_{s<=t} sigma_s^2 for t = 1..T); G_l = G_L + radius bounds ||g_t||."""
    h, t, G = inst.hyper, horizon(inst), inst.problem.G
    if "D" in h:                                     # sigma_t^2 <= D G_L^2
        return math.sqrt(h["D"]) * G, numpy.full(inst.T, h["D"] * G ** 2)
    if "sigma0" in h:
        return h["sigma0"], h["sigma0"] ** 2 * numpy.cumsum(1.0 / t) / t
    s = sigma_of(inst)
    return s, numpy.full(inst.T, s ** 2)


def G_l(inst):
    return inst.problem.G + noise_radius(inst)[0]


def path_of(r, inst):
    """One run: losses L(w_1..w_{T+1}), grad L(w_t), g_t, eta_t and eta_{t-1} (eta_0 = c/eps), t = 1..T."""
    eta = numpy.array(r.state.eta)
    return (numpy.asarray(r.loss), numpy.array([inst.problem.grad(w) for w in iterates(r)[:-1]]),
            numpy.array(r.state.g), eta, numpy.concatenate([[inst.hyper["c"] / inst.hyper["eps"]], eta[:-1]]))


def run_seed0(inst, method=None):
    """The check's own run (seed 0), for bounds that read the sample path."""
    return run(method or adaptive_method(inst), inst.problem, steps=inst.T, x0=inst.x0, seed=0, progress=False,
               **dict(inst.oracle))


class AdaptiveSetting:
    """The setting shared by the adaptive theorems' blocks (not a theorem itself): Algorithm 7 (or 9 with
    ``beta``) on H-smooth G_L-Lipschitz losses, run through :func:`adaptive_method`."""
    algorithm, kind = AdaGradNorm, "expectation"
    requires, constants, data = {"smooth", "lipschitz"}, ("H", "G"), ("f_star",)
    admissible = {"c": (0.0, None), "eps": (0.0, None)}

    def method(self, inst):
        return adaptive_method(inst)


def draw_adaptive(problem, T, u, **extra):
    """Alg 7 (9 with beta) with c in (0.05, 2]/H, eps in [0.1, 2] G_L (eps ~ G keeps the bounds meaningful)."""
    hyper = {"c": (0.05 + 1.95 * u[1]) / problem.H, "eps": (problem.G or 1.0) * (0.1 + 1.9 * u[3]), **extra}
    unit = "sigma0" in extra or "D" in extra          # the radius function scales a unit sphere
    return Instance(problem, start(problem, u[0]), T=T, hyper=hyper, oracle=noisy(1.0 if unit else 2 * u[2]),
                    seeds=MC_SEEDS)


def draw_alg7_or_9(problem, T, u):
    return draw_adaptive(problem, T, u, **({"beta": 0.5 + 0.49 * u[2]} if u[2] < 0.5 else {}))


def default_adaptive(seed, T=100, seeds=100, sigma=1.0, **extra):
    p = cosine_sum(d=4, seed=seed)
    return Instance(p, numpy.full(4, 0.3), T=T, hyper={"c": 0.5, "eps": 2.0, **extra},
                    oracle=noisy(sigma), seeds=seeds, label="sum of cos, sphere noise, eps = G_L")


def cos_half_pi(T, hyper, sigma=0.0, seeds=1, label=""):
    """cos(w) from w_1 = pi/2: G_L = H = Delta = ||grad L(w_1)|| = 1 (the counterexamples' loss)."""
    p = cosine_sum(d=1)
    return Instance(p, p.Q.T @ numpy.array([math.pi / 2]), T=T, hyper=hyper, oracle=noisy(sigma), seeds=seeds,
                    label=label)
