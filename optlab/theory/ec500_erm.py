"""SGD and generalization in EC500 (seed 003) section 3.1: the single-pass bound, one block.

* **Single-pass SGD** (L367-375). Run SGD for T = N steps, each on a fresh sample z_t ~ P (one pass over
  a training set of N i.i.d. points, no repeats). Then g_t is an unbiased gradient of the *population*
  risk L(w) = E_z l(w, z), and Theorem 3.2 applies to L itself: with eta = D/(G sqrt N) and the average
  iterate w_bar = (1/N) sum_t w_t (Jensen), E[L(w_bar)] - L_* <= D G / sqrt(N). The training set is never
  revisited, so there is no gap between training and population risk to pay for: this is a
  generalization bound. Here a fresh sample is the oracle's additive sphere noise: l(w, z) = L(w) + <z, w>
  with ||z|| = sigma, E z = 0, so l(., z) is (G_L + sigma)-Lipschitz and G = G_L + sigma. On a finite sum
  without added noise the oracle samples a term uniformly with replacement: i.i.d. samples from the empirical
  distribution, whose "population risk" is the empirical risk, and G is the largest per-term Lipschitz
  constant (``problem.extra["G_max"]``). That is the GD-versus-SGD comparison of L353-365.
"""
from __future__ import annotations

import math

import numpy

from ..problems import norm_loss
from .block import theorem
from .ec500_sgd import EC500_3_2
from .measures import dist, iterates, losses, per_run
from .stochastic import MC_SEEDS, noisy, sigma_of, start
from .theorem import AssumptionError, Instance

SOURCE = "EC500 notes (seed 003)"


@theorem
class EC500_3_SINGLE_PASS(EC500_3_2):
    """single-pass SGD generalizes: E[L(w_bar)] - L_* <= D G / sqrt(N) for the population risk

    EC500 section 3.1 (L367-375). T = N steps on N fresh samples (one pass, no repeats), l(., z)
    G-Lipschitz, ||w_1 - w_*|| <= D, eta = D/(G sqrt N), w_bar = (1/N) sum_{t<=N} w_t, L the population risk:

        E[L(w_bar)] - L_*  <=  D G / sqrt(N)

    On |w| (G_L = 1) with fresh samples l(w, z) = |w| + z w, |z| = 1 (G = 2), D = 3 and N = 4: 3 * 2 / 2.

    >>> p = norm_loss(d=1, G=1.0)
    >>> EC500_3_SINGLE_PASS.theorem.bound(Instance(p, p.x_star + 3.0, T=4, oracle=noisy(1.0)))
    array([3.])
    """
    id, source = "EC500-3.1/single-pass", f"{SOURCE} §3.1, L367-375"
    rule = "T = N fresh samples, eta = D/(G sqrt N), G = G_L + sigma (sphere noise)"
    admissible = {}

    def G(self, inst):
        p = inst.problem
        if inst.oracle.get("noise") is None and getattr(p, "is_finite_sum", False):
            G_max = getattr(p, "extra", {}).get("G_max")
            if G_max is None:
                raise AssumptionError(f"{self.id} samples terms of a finite sum: it needs the largest per-term "
                                      f"Lipschitz constant problem.extra['G_max'], which is not known here")
            return float(G_max)
        return super().G(inst)

    def lr(self, inst):
        return dist(inst.x0, inst.problem.x_star) / (self.G(inst) * math.sqrt(inst.T))

    def measure(self, runs, inst):
        p = inst.problem

        def excess(r):
            w_bar = iterates(r)[:inst.T].mean(axis=0)          # (1/N) sum_{t<=N} w_t
            return numpy.array([losses(p, w_bar[None, :])[0] - p.f_star])

        return per_run(runs, excess)

    def bound(self, inst):
        if inst.oracle.get("noise") not in (None, "sphere"):
            raise ValueError(f"{self.id} needs samples with Lipschitz losses: sphere noise (||z|| = sigma), got "
                             f"noise={inst.oracle.get('noise')!r}")
        return numpy.array([dist(inst.x0, inst.problem.x_star) * self.G(inst) / math.sqrt(inst.T)])

    def default(self, seed):
        p = norm_loss(d=5, G=2.0, seed=seed)
        x0 = p.x_star + numpy.random.default_rng(seed).standard_normal(5)
        return Instance(p, x0, T=400, oracle=noisy(1.0), seeds=100,
                        label="N = 400 fresh samples of G||w - w*|| + <z, w>, ||z|| = 1")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, oracle=noisy(2 * u[1]), seeds=MC_SEEDS)


THEOREMS = (EC500_3_SINGLE_PASS.theorem,)
