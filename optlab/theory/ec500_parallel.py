"""Hogwild! in EC500 (seed 003) section 19: Theorem 19.1, checked on the bounded-staleness simulator.

**Theorem 19.1** (L2663-2689). L H-smooth, ||grad l(w, z)|| <= G for all w, z, delays t - k(t) <= tau,
Delta = L(w_1) - inf L; the analysed update (L2679) is Algorithm 15 with step eta d on one uniformly random
coordinate j(t), w_{t+1}[j] = w_t[j] - eta d grad l(w_{k(t)}, z)[j]. Printed:

    sum_{t<=T} E||grad L(w_t)||^2 <= Delta/eta + eta T (2 d G H tau + H G^2) / 2

(with ||L(w_t)|| for ||grad L(w_t)||, E6). Redoing the proof with ||grad l||_2 <= G:

* smoothness: L(w_{t+1}) <= L(w_t) - eta d grad L(w_t)[j] g[j] + (H/2) eta^2 d^2 g[j]^2, g = grad l(w_{k(t)}, z);
* E_j, E_z (the sample and coordinate are independent of the schedule): the middle term has mean
  -eta <grad L(w_t), grad L(w_{k(t)})> and the last (H/2) eta^2 d E||g||^2 <= H eta^2 d G^2 / 2
  (the notes have H eta^2 G^2 / 2: a factor d is lost, since E||w_{t+1} - w_t||^2 = eta^2 d ||g||^2);
* -<a, b> <= -||a||^2 + ||a|| ||a - b||, ||grad L(w_t)|| <= G, and each step moves w by at most eta d G,
  so ||grad L(w_t) - grad L(w_{k(t)})|| <= H eta d G tau: the delay term is eta^2 d G^2 H tau (the notes
  have eta^2 d G H tau: a factor G is lost, the printed bound is not even dimensionally consistent).

Corrected: sum_{t<=T} E||grad L(w_t)||^2 <= Delta/eta + eta T d H G^2 (2 tau + 1)/2, at every horizon
(the algorithm does not depend on T), for any eta > 0 and either delay schedule.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import HogwildSim
from ..problems import cosine_sum, logistic_regression
from .block import theorem
from .ec500_convex import delta, start, ts
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def G_sample(problem, oracle=()):
    """A bound on ||grad l(w, z)|| for every w and sample z: the per-term G_max of a sampled finite sum,
    else G (deterministic gradients)."""
    if getattr(problem, "is_finite_sum", False) and dict(oracle).get("noise") is None:
        return problem.extra.get("G_max")
    return problem.G


def tuned_lr(problem, x0, T, tau):
    """eta = sqrt(2 Delta / (T d H G^2 (2 tau + 1))), which minimises the corrected bound at T."""
    G = G_sample(problem)
    return math.sqrt(2 * delta(problem, x0) / (T * problem.d * problem.H * G ** 2 * (2 * tau + 1)))


class _Hogwild:
    """Hypotheses and parts shared by the corrected and the printed Theorem 19.1 (not a theorem)."""
    algorithm, kind = HogwildSim, "expectation"
    requires, constants, data = {"smooth", "lipschitz"}, ("H", "G"), ("f_star",)
    rule = "step eta d on one random coordinate, delays <= tau, ||grad l(w, z)|| <= G"
    admissible = {"lr": (0.0, None), "tau": (0, None)}

    def method(self, inst):
        h = inst.hyper
        return HogwildSim(lr=h["lr"], tau=int(h["tau"]), coordinate=True, coordinate_scale="d",
                          delay="uniform" if h.get("uniform_delay") else "max")

    def measure(self, runs, inst):
        return numpy.array([numpy.cumsum(numpy.asarray(r.grad_norm[:-1]) ** 2) for r in runs])

    def per_step(self, d, H, G, tau):
        return d * H * G ** 2 * (2 * tau + 1) / 2

    def bound(self, inst):
        p, eta, tau = inst.problem, inst.hyper["lr"], inst.hyper["tau"]
        return delta(p, inst.x0) / eta + eta * ts(inst.T) * self.per_step(p.d, p.H, G_sample(p, inst.oracle), tau)

    def default(self, seed):
        p = logistic_regression(n=100, d=10, seed=seed)
        x0 = numpy.zeros(10)
        return Instance(p, x0, T=500, hyper={"lr": tuned_lr(p, x0, 500, 4), "tau": 4}, seeds=20,
                        label="logistic, sampled terms, tau = 4, tuned eta")


@theorem
class EC500_19_1(_Hogwild):
    """Hogwild!, staleness tau: sum E||grad L||^2 <= Delta/eta + eta T d H G^2 (2 tau + 1)/2

    EC500 Theorem 19.1 (L2663-2689), corrected (derivation in the module docstring). G bounds the
    per-sample gradients (G_max of a sampled finite sum). For every t:

        sum_{s<=t} E||grad L(w_s)||^2  <=  Delta/eta + eta t d H G^2 (2 tau + 1) / 2

    On 100 cos(w) (d = 1, G = H = 100) from w_1 = 1 (Delta = 100 (1 + cos 1)) with eta = 0.01 and
    tau = 2, each step adds 0.01 * 1e6 * 5 / 2 = 25000:

    >>> p = cosine_sum(d=1, a=100.0, b=1.0, rotate=False)
    >>> b = EC500_19_1.theorem.bound(Instance(p, numpy.array([1.0]), T=2, hyper={"lr": 0.01, "tau": 2}))
    >>> bool(numpy.allclose(b - 100 * (1 + math.cos(1.0)) / 0.01, [25000.0, 50000.0]))
    True
    """
    id, source, statement = "EC500-19.1", f"{SOURCE} Thm 19.1, L2663-2689", "corrected"
    note = ("Derivation in the module docstring. G bounds the per-sample gradients (G_max of a sampled "
            "finite sum). Ratios 0.1-0.6 on the families; the bound needs no sparsity (the notes assume none).")

    def draw(self, problem, T, u):
        tau = int(8 * u[1])
        eta = (0.02 + 3 * u[2]) / (problem.d * problem.H * (tau + 1))
        return Instance(problem, start(problem, u[0]), T=T,
                        hyper={"lr": eta, "tau": tau, "uniform_delay": float(u[3] < 0.5)}, seeds=20)


@theorem
class EC500_19_1_printed(_Hogwild):
    """Hogwild!, staleness tau: sum E||grad L||^2 <= Delta/eta + eta T (2 d G H tau + H G^2)/2

    EC500 Theorem 19.1 as printed (L2665, with ||grad L|| for the misprinted ||L||):

        sum_{s<=t} E||grad L(w_s)||^2  <=  Delta/eta + eta t (2 d G H tau + H G^2) / 2

    On the corrected block's example each step adds only 0.01 (2 * 100 * 100 * 2 + 100^3) / 2 = 5200
    (the corrected bound adds 25000):

    >>> p = cosine_sum(d=1, a=100.0, b=1.0, rotate=False)
    >>> inst = Instance(p, numpy.array([1.0]), T=2, hyper={"lr": 0.01, "tau": 2})
    >>> numpy.diff(EC500_19_1_printed.theorem.bound(inst))
    array([5200.])
    """
    id, source, statement = "EC500-19.1/printed", f"{SOURCE} Thm 19.1, L2665", "printed"
    note = ("Erratum E6: the delay term misses a factor G and the noise term a factor d. The counterexample "
            "exposes the delay term: with d = 1 the update is deterministic stale GD on 100 cos(w) (G = H = "
            "100), which oscillates at ratio 3.2 of the printed bound and 0.29 of the corrected one. The "
            "missing d shows without delay: log_sum(d = 10), tau = 0, eta = 3/(d H), T = 400 gives 4.6 "
            "times the printed bound (0.57 of the corrected one).")

    def per_step(self, d, H, G, tau):
        return (2 * d * G * H * tau + H * G ** 2) / 2

    def counterexample(self):
        p = cosine_sum(d=1, a=100.0, b=1.0, rotate=False)
        tau = 10
        return Instance(p, numpy.asarray(p.x0(0)), T=200, hyper={"lr": 2 / (p.H * (tau + 1)), "tau": tau},
                        seeds=2, label="100 cos(w), d = 1, tau = 10, eta = 2/(H (tau + 1))")


THEOREMS = (EC500_19_1.theorem, EC500_19_1_printed.theorem)
