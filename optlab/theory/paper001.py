"""Auto rate-tuning by batch normalization (seed 001, Arora, Li, Lyu): Theorems 3.1 and 4.2, explicit forms.

Setting (Sec. 2.2-2.4): the parameter is w (one scale-invariant block here, m = 1, no scale-variant g),
L(c w) = L(w) for c > 0, v = w/||w||, L^vv bounds ||hess L|| on the unit sphere (for SGD, L^vv_z bounds
every ||hess F_z||), L_min = inf L. (S)GD on w is projected WNGrad on v with effective learning rate
eta_w / ||w_t||^2 (Thm 2.5, L176-190); ||w_t|| never decreases (Lemma 2.4).

* **Theorem 3.1** (L200-206, proof L428-442), full-batch GD with *any* eta_w > 0: the paper states
  min_{t<T} ||grad L(V_t)|| = O~(T^(-1/2) (eta_w^(-1/2) + eta_w^2)). Its proof gives the explicit bound
  checked here: with C = L^vv/2, K = (C eta_w/||w_0||^2 + 1/2)(2C + (pi L^vv)^2 eta_w/||w_0||^2) and
  A = L(w_0) - L_min + K, for every T:  T min_{t<T} ||grad L(V_t)||^2 <= sum_{t<T} ||grad L(V_t)||^2
  <= 4 (A + ||w_0||^2/eta_w) A  (Lemmas 3.2, A.1, A.2 and eq. (11)).
* **Theorem 4.2** (L246-252, proof L446-559), SGD with eta_{w,t} = eta_w (t+1)^(-alpha): the paper
  states min_t E||grad L(V_t)||^2 = O~(log T / sqrt T) for alpha < 1/2. Its proof (Lemma B.2 and eq. 23)
  gives the explicit inequality checked here, for every T and any alpha >= 0:
  E[ sum_{t<T} (eta_{w,t}/||w_t||^2) ||grad L(V_t)||^2 - C log2(||w_T||^2/||w_0||^2) ]
  <= L(w_0) - L_min + C (1 + 2 eta_w^2 (pi L^vv_z)^2 / ||w_0||^4);
  the rate follows with Lemma B.3 (eta_{w,T}/||w_T||^2 = Omega~(T^(-1/2))).
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import PowerDecay, ScaleInvariantSGD
from ..problems import rayleigh_quotient
from .block import theorem
from .ec500_normalized import slack
from .measures import iterates, per_run
from .theorem import Instance

SOURCE = "Auto rate-tuning by batch normalization (seed 001)"


def _L_vv(p, per_sample=False):
    if per_sample and "L_vv_per_term" in p.extra:
        return float(p.extra["L_vv_per_term"])
    return float(p.extra["L_vv"])


def _sphere_grad_sq(p, W):
    """||grad L(V_t)||^2 at the normalised iterates v_t = w_t / ||w_t||."""
    return numpy.array([float(numpy.sum(numpy.asarray(p.grad(w / numpy.linalg.norm(w))) ** 2)) for w in W])


def _x0(problem, u):
    return numpy.asarray(problem.x0(seed=1 + int(u * 1000)))


class _ScaleInvariant:
    """What both blocks share: (S)GD on one scale-invariant block (not a theorem)."""
    algorithm = ScaleInvariantSGD
    requires, data = {"scale_invariant"}, ("eigenvalues", "f_star")

    def method(self, inst):
        return ScaleInvariantSGD(lr_w=inst.hyper["lr_w"], lr_g=1.0, blocks=(inst.problem.d,))


@theorem
class Paper001_Thm3_1(_ScaleInvariant):
    """GD on a scale-invariant loss converges for any learning rate (explicit form)

    Theorem 3.1 of seed 001 (L200-206, proof L338-442), full-batch GD with any eta_w > 0, in the explicit
    form its proof gives (C = L^vv/2; see the module docstring), for every T:

        sum_{t<T} ||grad L(V_t)||^2 (>= T min_t ||grad L(V_t)||^2)  <=  4 (A + ||w_0||^2/eta_w) A,
            A = L(w_0) - L_min + (C eta_w/||w_0||^2 + 1/2)(2C + (pi L^vv)^2 eta_w/||w_0||^2), C = L^vv/2

    With spectrum {0, 1} (L^vv = 2, C = 1, L_min = 0), w_0 the top eigenvector (L(w_0) = 1, ||w_0|| = 1)
    and eta_w = 1: A = 1 + (3/2)(2 + 4 pi^2) = 4 + 6 pi^2.

    >>> p = rayleigh_quotient(d=2, seed=0)
    >>> w0 = numpy.array([-p.x_star[1], p.x_star[0]])
    >>> b = Paper001_Thm3_1.theorem.bound(Instance(p, w0, T=1, hyper={"lr_w": 1.0}))
    >>> A = 4 + 6 * math.pi ** 2
    >>> bool(numpy.isclose(b[0], 4 * (A + 1) * A))
    True
    """
    id, source = "001-Thm3.1", f"{SOURCE} Thm 3.1, L200-206 (proof L338-442)"
    kind, rule = "every_step", "full-batch GD, any eta_w > 0"
    admissible = {"lr_w": (0.0, None)}
    note = ("Explicit constants read off the proof (the statement is O~): no scale-variant block (m = 1, "
            "L^vg = 0, so C = L^vv/2 and the g-terms vanish). The family certifies L^vv = 2 (lambda_max - "
            "lambda_min) for the Rayleigh quotient (its constant 'eigenvalues' is what the bound reads). "
            "Typos that do not change the statement: eq. (12) prints '=' for '<='; eta_g is (1 - c_g)/L^gg at "
            "L198 but 2(1 - c_g)/L^gg in the theorem (both satisfy the proof, since (1 + c_g/2)(1 - c_g) <= "
            "1 - c_g/2); L435 writes ||g_t||^2 for ||grad_g L||^2. A slightly tighter final constant is "
            "2A (2A + ||w_0||^2/eta_w).")

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(_sphere_grad_sq(inst.problem, iterates(r)[:-1])))

    def bound(self, inst):
        p, eta = inst.problem, inst.hyper["lr_w"]
        Lvv = _L_vv(p)
        C, n0 = Lvv / 2, float(inst.x0 @ inst.x0)
        K = (C * eta / n0 + 0.5) * (2 * C + (math.pi * Lvv) ** 2 * eta / n0)
        A = float(p.f(inst.x0)) - p.f_star + K
        return numpy.full(inst.T, 4 * (A + n0 / eta) * A)

    def default(self, seed):
        p = rayleigh_quotient(d=5, seed=seed)
        return Instance(p, p.x0(), T=200, hyper={"lr_w": 10.0}, oracle={"noise": "gaussian", "sigma": 0.0},
                        label="Rayleigh quotient, eta_w = 10")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=T, hyper={"lr_w": 10 ** (-2 + 4 * u[1])},
                        oracle={"noise": "gaussian", "sigma": 0.0})


@theorem
class Paper001_Thm4_2(_ScaleInvariant):
    """SGD on a scale-invariant loss: explicit form of the O~(log T / sqrt T) rate

    Theorem 4.2 of seed 001 (L246-252, proof L464-559), SGD with eta_{w,t} = eta_w (t+1)^(-alpha), any
    eta_w > 0 and alpha >= 0 (the rate needs alpha <= 1/2), in the explicit form of its proof, for every T:

        E[sum_{t<T} (eta_{w,t}/||w_t||^2) ||grad L(V_t)||^2 - C log2(||w_T||^2/||w_0||^2)]  <=  L(w_0)
            - L_min + C (1 + 2 eta_w^2 (pi L^vv_z)^2 / ||w_0||^4), C = L^vv/2

    With spectrum {0, 1} and no sampling (L^vv_z = L^vv = 2, C = 1), w_0 the top eigenvector and
    eta_w = 1 the bound is 1 + (1 + 8 pi^2):

    >>> p = rayleigh_quotient(d=2, seed=0)
    >>> w0 = numpy.array([-p.x_star[1], p.x_star[0]])
    >>> b = Paper001_Thm4_2.theorem.bound(Instance(p, w0, T=1, hyper={"lr_w": 1.0, "alpha": 0.25}))
    >>> bool(numpy.isclose(b[0], 2 + 8 * math.pi ** 2))
    True
    """
    id, source = "001-Thm4.2", f"{SOURCE} Thm 4.2, L246-252 (proof L464-559)"
    kind = "expectation"
    rule = "eta_{w,t} = eta_w (t+1)^(-alpha), any eta_w > 0, alpha >= 0 (the rate needs alpha <= 1/2)"
    admissible = {"lr_w": (0.0, None), "alpha": (0.0, None)}
    note = ("Derivation (the paper's Lemma B.2 and eq. 23 without g): conditioned on the past, the Taylor "
            "step with ||w'|| >= ||w_t|| on the segment gives E L_{t+1} <= L_t - eta_t ||grad_w L_t||^2 + "
            "C eta_t^2 E||grad_w F_t||^2 / ||w_t||^2; the last sum is <= C (log2(||w_T||^2/||w_0||^2) + 1 + "
            "2 eta_w^2 (pi L^vv_z)^2/||w_0||^4) pathwise (Lemma B.1 with a_0 = ||w_0||^2, a_{t+1} = eta_t^2 "
            "||grad_w F_t||^2 <= eta_w^2 (pi L^vv_z / ||w_0||)^2 by Lemma A.1). The random log term is moved to "
            "the left. L^vv_z is the per-term constant of the stochastic Rayleigh family. Typos: L470 writes "
            "U sum eta_g^2 G_g (G_g counted twice; L489 has U eta_g^2); eq. (14) writes eta/||w|| for eta/||w||^2.")

    def method(self, inst):
        lr_w = PowerDecay(inst.hyper["lr_w"], inst.hyper["alpha"])
        return ScaleInvariantSGD(lr_w=lr_w, lr_g=1.0, blocks=(inst.problem.d,))

    def measure(self, runs, inst):
        p, eta, a = inst.problem, inst.hyper["lr_w"], inst.hyper["alpha"]
        C = _L_vv(p) / 2
        steps = eta * numpy.arange(1, inst.T + 1) ** (-a)

        def one(r):
            W = iterates(r)
            n2 = numpy.sum(W ** 2, axis=1)
            s = numpy.cumsum(steps / n2[:-1] * _sphere_grad_sq(p, W[:-1]))
            return s - C * numpy.log2(n2[1:] / n2[0]) - slack(s)

        return per_run(runs, one)

    def bound(self, inst):
        p, eta = inst.problem, inst.hyper["lr_w"]
        C, n0 = _L_vv(p) / 2, float(inst.x0 @ inst.x0)
        LF = _L_vv(p, per_sample=True)
        return numpy.full(inst.T, float(p.f(inst.x0)) - p.f_star
                          + C * (1 + 2 * eta ** 2 * (math.pi * LF) ** 2 / n0 ** 2))

    def default(self, seed):
        p = rayleigh_quotient(d=4, n=6, seed=seed)
        return Instance(p, p.x0(), T=100, hyper={"lr_w": 1.0, "alpha": 0.25}, seeds=100,
                        label="stochastic Rayleigh quotient (n = 6), eta_w = 1, alpha = 1/4")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=T, seeds=24,
                        hyper={"lr_w": 10 ** (-1 + 2 * u[1]), "alpha": 0.5 * u[2]})


THEOREMS = (Paper001_Thm3_1.theorem, Paper001_Thm4_2.theorem)
