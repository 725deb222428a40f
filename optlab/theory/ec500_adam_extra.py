"""Adam in EC500 (seed 003) section 17, beyond ``ec500_coordinate``: the de-biasing identity, and Reddi,
Kale and Kumar's counterexample run.

* **De-biasing** (L2478-2492). With i.i.d. gradients, E[g_t^2] = g^2 (a linear loss plus noise), the
  second moment v_t = beta2^t v_0 + (1 - beta2) sum_{tau<t} beta2^tau g_{t-tau}^2 has expectation
  beta2^t v_0 + (1 - beta2^t) g^2, so E[v_hat_t] = g^2 + beta2^t v_0/(1 - beta2^t): unbiased when v_0 = 0
  (eps = 0, or eps added outside the square root, ``eps_mode="kingma"``). The notes set v_0 = eps^2
  (A_0 = eps^2) and then assume beta2^t eps^2 ~ 0; the block encodes the exact identity, so the term they
  drop is visible for a large eps at small t.
* **Reddi, Kale and Kumar (2018), Theorem 1** (external; "Adam can fail", L2546-2548). On the online
  losses f_t(x) = C x (t = 1 mod 3), -x otherwise, over [-1, 1], with C > 2 (so the best fixed point is
  x = -1), Adam with beta1 = 0, beta2 = 1/(1 + C^2), eta_t = eta/sqrt(t) and the projection, started at
  x_1 = 1, is back at x = +1 after every cycle. Their proof is for Adam without bias correction; the
  catalogue's Adam (with it) behaves the same, checked here for eta in (0, 1]. Each cycle then costs a
  regret of at least 2C - 4 against x = -1: the average regret does not vanish.
"""
from __future__ import annotations

import numpy

from ..algorithms import Adam, InverseSqrt, Online
from ..problems import reddi_adam_example
from .block import theorem
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def _v0(inst):
    """Adam's v_0: eps^2 in the notes' convention (A_0 = eps^2), 0 in Kingma and Ba's."""
    return inst.hyper["eps"] ** 2 if inst.hyper.get("eps_mode", "notes") == "notes" else 0.0


@theorem
class EC500_17_DEBIAS:
    """Adam's de-biased second moment: E[v_hat_t] = E[g^2] + beta2^t v_0 / (1 - beta2^t)

    EC500 section 17 (L2478-2492). Gradients i.i.d. with E[g_t^2] = g^2 (here: a linear loss, whose
    gradient is constant, plus Gaussian noise of variance sigma^2, so g^2 = (grad L)^2 + sigma^2). An
    equality, checked on both sides at t = T:

        [v_hat_T, 2 c - v_hat_T]  <=  [c, c], c = E[g^2] + beta2^T v_0 / (1 - beta2^T), v_0 = eps^2 (notes) | 0 (kingma)

    On the Reddi example (slope 1/3) with sigma = 1, beta2 = 1/2, eps = 1, T = 1 in the notes' convention:
    c = 1/9 + 1 + (1/2)(1)/(1/2) = 2.111...

    >>> EC500_17_DEBIAS.theorem.bound(EC500_17_DEBIAS._instance(T=1, beta2=0.5, eps=1.0, seeds=2))
    array([2.11111111, 2.11111111])
    """
    id, source = "EC500-17.0-debias", f"{SOURCE} sec 17, L2478-2492"
    algorithm, kind = Adam, "expectation"
    rule = "i.i.d. gradients with a constant mean (linear loss + noise); any beta2 in [0, 1), eps >= 0"
    note = ("As printed under the notes' assumption beta2^t eps^2 ~ 0 (stated, not a misprint); the block keeps "
            "that term, so with v_0 = 0 (eps = 0, or eps outside the square root) E[v_hat_t] = g^2 exactly.")

    @staticmethod
    def _instance(T=10, beta2=0.9, eps=0.0, eps_mode="notes", seeds=400, sigma=1.0):
        return Instance(reddi_adam_example(C=3.0), numpy.array([0.0]), T=T,
                        hyper={"beta2": beta2, "eps": eps, "eps_mode": eps_mode},
                        oracle={"noise": "gaussian", "sigma": sigma}, seeds=seeds,
                        label=f"linear loss + N(0, {sigma}^2), beta2 = {beta2}, eps = {eps} ({eps_mode})")

    def method(self, inst):
        h = inst.hyper
        return Adam(lr=0.01, beta1=0.9, beta2=h["beta2"], eps=h["eps"], eps_mode=h.get("eps_mode", "notes"))

    def target(self, inst):
        b2, T, p = inst.hyper["beta2"], inst.T, inst.problem
        g2 = float(numpy.asarray(p.grad(inst.x0))[0]) ** 2 + inst.oracle["sigma"] ** 2 / p.d
        return g2 + b2 ** T * _v0(inst) / (1 - b2 ** T)

    def measure(self, runs, inst):
        b2 = inst.hyper["beta2"]
        y = numpy.array([float(r.state.v[0]) / (1 - b2 ** inst.T) for r in runs])   # v_hat_T per run
        return numpy.stack([y, 2 * self.target(inst) - y], axis=1)

    def bound(self, inst):
        return numpy.full(2, self.target(inst))

    def default(self, seed):
        return self._instance(T=5, beta2=0.9, eps=0.5)


@theorem
class REDDI_1:
    """Adam on Reddi et al.'s online example is back at the worst point x = +1 after every cycle

    Reddi, Kale, Kumar (2018) Theorem 1 (external), cited in EC500 section 17.2 (L2546-2548). f_t(x) = C x
    for t = 1 mod 3 and -x otherwise on [-1, 1], C > 2; Adam with beta1 = 0, beta2 = 1/(1 + C^2),
    eta_t = eta/sqrt(t), eps = 0, projected, from x_1 = 1. For k = 1, 2, ...:

        1 - x_{3k+1}  <=  0

    (x never exceeds 1, so this says x_{3k+1} = 1.) The regret against x_* = -1 then grows by at least
    2C - 4 per cycle.

    >>> REDDI_1.theorem.bound(REDDI_1._instance(C=3.0, eta=0.5, T=9))      # checked at x_4, x_7, x_10
    array([0., 0., 0.])
    """
    id, source = "Reddi-2018-1", "Reddi, Kale, Kumar (2018) Thm 1 (external); EC500 sec 17.2, L2546-2548"
    algorithm, kind, projected = Adam, "every_step", True
    rule = "beta1 = 0, beta2 = 1/(1 + C^2), eta_t = eta/sqrt(t) with 0 < eta <= 1, eps = 0, x_1 = 1"
    admissible = {"lr": (0.0, 1.0)}
    note = ("External (the notes cite it). With the catalogue's bias-corrected Adam the same cycle happens; "
            "AMSGrad and AdaGrad on the same sequence move to x_* = -1 (Lecture 10).")

    @staticmethod
    def _instance(C=3.0, eta=0.5, T=300):
        return Instance(reddi_adam_example(C=C), numpy.array([1.0]), T=T, hyper={"lr": eta},
                        label=f"online f_t = {C:g}x, -x, -x, ...; eta_t = {eta}/sqrt(t)")

    def method(self, inst):
        C = float(inst.problem.slopes[0])
        return Online(Adam(lr=InverseSqrt(inst.hyper["lr"]), beta1=0.0, beta2=1 / (1 + C ** 2), eps=0.0))

    def measure(self, runs, inst):
        return numpy.array([1.0 - numpy.asarray(r.x)[3::3, 0] for r in runs])       # x_4, x_7, ...

    def bound(self, inst):
        return numpy.zeros(inst.T // 3)

    def default(self, seed):
        return self._instance(C=3.0 + 2 * seed, eta=0.5)


THEOREMS = (EC500_17_DEBIAS.theorem, REDDI_1.theorem)
