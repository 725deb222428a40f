"""Adaptive SGD in EC500 (seed 003) section 12: the oracle step size (12/a) and Algorithm 9 (Theorem 12.1),
one block each.

Algorithm 9: A_t = beta A_{t-1} + ||g_t||^2, B_t = max(B_{t-1}, t A_t), B_0 = eps^2, eta_t = c/sqrt(B_t).
Notation as in :mod:`.ec500_adaptive`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy

from ..algorithms import AdaGradNormEMAMax
from ..problems import quadratic
from .adaptive_runs import AdaptiveSetting, G_l, RecState, cos_half_pi, default_adaptive, draw_adaptive, run_seed0
from .block import theorem
from .ec500_sgd import SOURCE
from .measures import iterates
from .stochastic import delta, exact_grad_sq, gnorm, horizon, noisy, sigma_of, start
from .theorem import Instance


# ---- Section 12, oracle step size (12.a) ---------------------------------------------------------------

@dataclass(frozen=True)
class OracleStepSGD:
    """SGD with the oracle step eta_t = min(1/H, ||grad L(w_t)||^2/(2 H sigma^2)) of §12 (L1763).

    A theory-local method: the step reads the exact gradient, which no catalogue algorithm may do.
    Theorems: EC500-12/a, EC500-12/b.
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


THEOREMS = tuple(block.theorem for block in (EC500_12_a, EC500_12_1, EC500_12_1_printed))
