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
* **001-Thm3.1/gain, 001-Thm4.2/gain**: the same two proofs with the scale-variant block g kept (m = 1), on
  :func:`~optlab.problems.batchnorm_gain` (one BN neuron with gain g), whose L^vv, L^vg, L^gg, G_g are exact
  or proved on the box |g| <= g_max that the run never leaves. With c_g = 1 - eta_g L^gg / 2 (the theorems'
  eta_g = 2 (1 - c_g)/L^gg, so any 0 < eta_g < 2/L^gg), C = L^vv/2 + (L^vg)^2/(c_g L^gg) (Lemma 3.2's C_i)
  and U = (1 + c_g/2) L^gg G_g^2 / 2 (Lemma B.2). The g-terms are 2A/(c_g eta_g) in 3.1 and
  (c_g/2) sum eta_{g,t} ||grad_g L||^2 (left), U sum eta_{g,t}^2 (right) in 4.2. Without g they reduce to
  the blocks above, which is how one formula serves both (see ``_thm31`` and ``_thm42_right``).
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import PowerDecay, ScaleInvariantSGD
from ..problems import batchnorm_gain, rayleigh_quotient
from .block import theorem
from .measures import iterates, per_run, slack
from .theorem import Instance

SOURCE = "Auto rate-tuning by batch normalization (seed 001)"


def _L_vv(p, per_sample=False):
    if per_sample and "L_vv_per_term" in p.extra:
        return float(p.extra["L_vv_per_term"])
    return float(p.extra["L_vv"])


def _on_sphere(p, W):
    """The iterates with every scale-invariant block normalised: (V_t; g_t) for each row of W."""
    V = numpy.array(W, dtype=float)
    for a, b in p.blocks:
        V[:, a:b] /= numpy.linalg.norm(V[:, a:b], axis=1, keepdims=True)
    return V


def _grad_sq(p, W):
    """(||grad_v L(V_t; g_t)||^2, ||grad_g L(V_t; g_t)||^2) for each row of W (the g part is 0 without g)."""
    G = numpy.asarray(p.grad(_on_sphere(p, W)))
    a, b = p.blocks[0]
    v = numpy.sum(G[:, a:b] ** 2, axis=1)
    return v, numpy.sum(G ** 2, axis=1) - v


def _sphere_grad_sq(p, W):
    """||grad L(V_t; g_t)||^2 at the normalised iterates v_t = w_t / ||w_t||."""
    return sum(_grad_sq(p, W))


def _w0_sq(inst):
    a, b = inst.problem.blocks[0]
    return float(inst.x0[a:b] @ inst.x0[a:b])


def _thm31(gap0, n0, eta_w, L_vv, L_vg=0.0, L_gg=None, eta_g=None):
    """Theorem 3.1's explicit bound (Lemmas 3.2, A.1, A.2, eq. 11); the g-terms vanish without g (L_gg None)."""
    c_g = None if L_gg is None else 1 - eta_g * L_gg / 2
    C = L_vv / 2 + (0.0 if L_gg is None else L_vg ** 2 / (c_g * L_gg))
    K = (C * eta_w / n0 + 0.5) * (2 * C + (math.pi * L_vv) ** 2 * eta_w / n0)
    A = gap0 + K
    return 4 * (A + n0 / eta_w) * A + (0.0 if L_gg is None else 2 * A / (c_g * eta_g))


def _thm42_C(L_vv, L_vg=0.0, L_gg=None, eta_g=None):
    """Lemma B.2's C (and c_g): L^vv/2 + (L^vg)^2/(c_g L^gg), c_g = 1 - eta_g L^gg/2; L^vv/2 without g."""
    if L_gg is None:
        return L_vv / 2, None
    c_g = 1 - eta_g * L_gg / 2
    return L_vv / 2 + L_vg ** 2 / (c_g * L_gg), c_g


def _thm42_right(gap0, n0, eta_w, C, L_vv_z, U=0.0, eta_g_sq=0.0):
    """Theorem 4.2's right side: L(w_0) - L_min + C (1 + 2 eta_w^2 (pi L^vv_z)^2/||w_0||^4) + U sum eta_{g,t}^2."""
    return gap0 + C * (1 + 2 * eta_w ** 2 * (math.pi * L_vv_z) ** 2 / n0 ** 2) + U * eta_g_sq


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
        p = inst.problem
        return numpy.full(inst.T, _thm31(float(p.f(inst.x0)) - p.f_star, _w0_sq(inst), inst.hyper["lr_w"], _L_vv(p)))

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
        p = inst.problem
        return numpy.full(inst.T, _thm42_right(float(p.f(inst.x0)) - p.f_star, _w0_sq(inst), inst.hyper["lr_w"],
                                               _L_vv(p) / 2, _L_vv(p, per_sample=True)))

    def default(self, seed):
        p = rayleigh_quotient(d=4, n=6, seed=seed)
        return Instance(p, p.x0(), T=100, hyper={"lr_w": 1.0, "alpha": 0.25}, seeds=100,
                        label="stochastic Rayleigh quotient (n = 6), eta_w = 1, alpha = 1/4")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=T, seeds=24,
                        hyper={"lr_w": 10 ** (-1 + 2 * u[1]), "alpha": 0.5 * u[2]})


class _Gain:
    """What both gain variants share: batchnorm_gain's constants on its certified box (not a theorem)."""
    data = ("kappa", "c", "f_star")

    def method(self, inst):
        return ScaleInvariantSGD(lr_w=inst.hyper["lr_w"], lr_g=inst.hyper["lr_g"], blocks=(inst.problem.d - 1,))

    def _sphere(self, inst, per_sample=False):
        return inst.problem.sphere_constants(g0=inst.x0[-1], lr_g=inst.hyper["lr_g"], per_sample=per_sample)


def _L_gg(p, per_sample=False):
    """batchnorm_gain's L^gg (of L, or of every term): the admissible eta_g are below 2 / L^gg."""
    return p.sphere_constants(0.0, 1e-9, per_sample)["L_gg_z" if per_sample else "L_gg"]


@theorem
class Paper001_Thm3_1_gain(_Gain, Paper001_Thm3_1):
    """GD with a scale-invariant block and a gain block converges for any eta_w (explicit form)

    Theorem 3.1 of seed 001 (L200-206, proof L338-442) with the scale-variant block g kept (m = 1): full-batch
    GD, any eta_w > 0, eta_g = 2 (1 - c_g)/L^gg with c_g in (0, 1); for every T:

        sum_{t<T} ||grad L(V_t; g_t)||^2  <=  4 (A + ||w_0||^2/eta_w) A + 2 A / (c_g eta_g),
            A = L(theta_0) - L_min + (C eta_w/||w_0||^2 + 1/2)(2C + (pi L^vv)^2 eta_w/||w_0||^2),
            C = L^vv/2 + (L^vg)^2/(c_g L^gg)

    The constants are batchnorm_gain's on the box |g| <= g_max(g_0, eta_g) (L^vv = 2 g_max ||c||/sqrt 3,
    L^vg = ||c||, L^gg = kappa + lam). Without g (L^vg = 0, no g-term) this is 001-Thm3.1. One worked
    point: L^vv = 2, L^vg = 1, L^gg = 1, eta_g = 1 (c_g = 1/2, C = 3), ||w_0|| = 1, eta_w = 1, L(theta_0) -
    L_min = 1: A = 1 + (7/2)(6 + 4 pi^2), and the bound is 4 (A + 1) A + 4 A.

    >>> A = 1 + 3.5 * (6 + 4 * math.pi ** 2)
    >>> bool(numpy.isclose(_thm31(1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0), 4 * (A + 1) * A + 4 * A))
    True
    """
    id, source = "001-Thm3.1/gain", f"{SOURCE} Thm 3.1, L200-206 (proof L338-442), with the g block"
    rule = "full-batch GD, any eta_w > 0, 0 < eta_g < 2/L^gg (c_g = 1 - eta_g L^gg/2)"
    admissible = {"lr_w": (0.0, None), "lr_g": (0.0, lambda p: 2 / _L_gg(p))}
    note = ("Explicit constants of the proof with m = 1 and the g block kept, on batchnorm_gain (its "
            "L^vv, L^vg, L^gg are exact on the box |g| <= g_max that GD with this eta_g never leaves; see "
            "optlab.problems.batchnorm_gain). The theorem prints eta_g = 2(1 - c_g)/L^gg (L200) while the "
            "settings say (1 - c_g)/L^gg (L198); both satisfy the proof's step (1 + c_g/2)(1 - c_g) <= 1 - "
            "c_g/2, so any eta_g < 2/L^gg is covered with c_g = 1 - eta_g L^gg/2. The proof's final line writes "
            "||g_t||^2 for ||grad_g L||^2 (L540). The hypothesis on eta_g matters: above 2/L^gg the gain "
            "diverges geometrically (lecture 18).")

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(_sphere_grad_sq(inst.problem, iterates(r)[:-1])))

    def bound(self, inst):
        p, k = inst.problem, self._sphere(inst)
        return numpy.full(inst.T, _thm31(float(p.f(inst.x0)) - p.f_star, _w0_sq(inst), inst.hyper["lr_w"],
                                         k["L_vv"], k["L_vg"], k["L_gg"], inst.hyper["lr_g"]))

    def default(self, seed):
        p = batchnorm_gain(n=16, k=3, seed=seed)
        return Instance(p, p.x0(), T=200, hyper={"lr_w": 10.0, "lr_g": 1 / _L_gg(p)},
                        oracle={"noise": "gaussian", "sigma": 0.0},
                        label="BN neuron with gain, eta_w = 10, eta_g = 1/L^gg")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=T, oracle={"noise": "gaussian", "sigma": 0.0},
                        hyper={"lr_w": 10 ** (-2 + 4 * u[1]), "lr_g": (0.05 + 1.9 * u[2]) / _L_gg(problem)})


@theorem
class Paper001_Thm4_2_gain(_Gain, Paper001_Thm4_2):
    """SGD with a scale-invariant block and a gain block: explicit form of Theorem 4.2

    Theorem 4.2 of seed 001 (L246-252, proof L464-559) with the g block kept (m = 1): SGD with eta_{w,t} =
    eta_w (t+1)^(-alpha), eta_{g,t} = eta_g (t+1)^(-1/2), any eta_w > 0, alpha >= 0, eta_g = 2 (1 - c_g)/L^gg
    (and below 2/L^gg_z, so that g stays bounded); for every T, with C = L^vv/2 + (L^vg)^2/(c_g L^gg) and
    U = (1 + c_g/2) L^gg G_g^2 / 2:

        E[sum_{t<T} (eta_{w,t}/||w_t||^2) ||grad_v L(V_t; g_t)||^2 + (c_g/2) sum_{t<T} eta_{g,t} ||grad_g L(V_t;
            g_t)||^2 - C log2(||w_T||^2/||w_0||^2)]  <=  L(theta_0) - L_min + C (1 + 2 eta_w^2 (pi L^vv_z)^2
            / ||w_0||^4) + U sum_{t<T} eta_{g,t}^2

    L^vv, L^vg, L^gg are batchnorm_gain's constants of L and L^vv_z, G_g its per-sample ones, all on the box
    |g| <= g_max that SGD with these steps never leaves. Without g (U = 0, L^vg = 0) this is 001-Thm4.2.
    One worked point: C = 3, L^vv_z = 2, eta_w = 1, ||w_0|| = 1, gap 1, U = 2, sum eta_g^2 = 1.5:
    1 + 3 (1 + 8 pi^2) + 3.

    >>> bool(numpy.isclose(_thm42_right(1.0, 1.0, 1.0, 3.0, 2.0, 2.0, 1.5), 7 + 24 * math.pi ** 2))
    True
    """
    id, source = "001-Thm4.2/gain", f"{SOURCE} Thm 4.2, L246-252 (proof L464-559), with the g block"
    rule = ("eta_{w,t} = eta_w (t+1)^(-alpha), eta_{g,t} = eta_g (t+1)^(-1/2), any eta_w > 0, alpha >= 0, "
            "0 < eta_g < 2/L^gg_z (c_g = 1 - eta_g L^gg/2)")
    admissible = {"lr_w": (0.0, None), "alpha": (0.0, None), "lr_g": (0.0, lambda p: 2 / _L_gg(p, True))}
    note = ("Derivation: Lemma B.2 with m = 1 (C and U as stated; the AM-GM split of the L^vg cross term), "
            "the g terms bounded with eta_{g,t} <= eta_g = 2(1 - c_g)/L^gg, and eq. (23) (Lemma B.1) for the "
            "w noise term, the random log moved to the left as in 001-Thm4.2. L^vv, L^vg, L^gg in C, c_g and U "
            "are the constants of L (the Taylor step is on L); L^vv_z (Lemma A.1 on each F_z) and G_g are "
            "per-sample; all on the box |g| <= g_max(g_0, eta_g) for per-sample steps. Typos: L470/L484 write "
            "U sum eta_g^2 G_g (G_g counted twice; U already holds G_g^2); eta_g is (1 - c_g)/L^gg at L238 but "
            "2(1 - c_g)/L^gg in the theorem (both fine, as in 001-Thm3.1/gain).")

    def method(self, inst):
        h = inst.hyper
        return ScaleInvariantSGD(lr_w=PowerDecay(h["lr_w"], h["alpha"]), lr_g=PowerDecay(h["lr_g"], 0.5),
                                 blocks=(inst.problem.d - 1,))

    def _C(self, inst):
        k = self._sphere(inst, per_sample=True)
        C, c_g = _thm42_C(k["L_vv"], k["L_vg"], k["L_gg"], inst.hyper["lr_g"])
        return C, c_g, k

    def measure(self, runs, inst):
        p, h = inst.problem, inst.hyper
        C, c_g, _ = self._C(inst)
        t = numpy.arange(1, inst.T + 1)
        eta_w, eta_g = h["lr_w"] * t ** (-h["alpha"]), h["lr_g"] * t ** -0.5

        def one(r):
            W = iterates(r)
            n2 = numpy.sum(W[:, :-1] ** 2, axis=1)
            gv, gg = _grad_sq(p, W[:-1])
            s = numpy.cumsum(eta_w / n2[:-1] * gv + c_g / 2 * eta_g * gg)
            return s - C * numpy.log2(n2[1:] / n2[0]) - slack(s)

        return per_run(runs, one)

    def bound(self, inst):
        p = inst.problem
        C, c_g, k = self._C(inst)
        U = (1 + c_g / 2) * k["L_gg"] * k["G_g"] ** 2 / 2
        eta_g_sq = numpy.cumsum(inst.hyper["lr_g"] ** 2 / numpy.arange(1, inst.T + 1))
        return _thm42_right(float(p.f(inst.x0)) - p.f_star, _w0_sq(inst), inst.hyper["lr_w"], C, k["L_vv_z"],
                            U, eta_g_sq)

    def default(self, seed):
        p = batchnorm_gain(n=16, k=3, lam=1.0, seed=seed)
        return Instance(p, p.x0(), T=100, hyper={"lr_w": 0.1, "alpha": 0.25, "lr_g": 1 / _L_gg(p, True)},
                        seeds=100, label="BN neuron with gain (lam = 1), SGD, eta_w = 0.1, alpha = 1/4, "
                                         "eta_g = 1/L^gg_z")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=T, seeds=24,
                        hyper={"lr_w": 10 ** (-1 + 2 * u[1]), "alpha": 0.5 * u[2],
                               "lr_g": (0.05 + 1.9 * u[3]) / _L_gg(problem, True)})


THEOREMS = (Paper001_Thm3_1.theorem, Paper001_Thm3_1_gain.theorem, Paper001_Thm4_2.theorem,
            Paper001_Thm4_2_gain.theorem)
