"""Acceleration in EC500 (seed 003) sections 14-15: Theorem 15.1, Theorem 15.2 and Proposition 15.3, one
block each; the sign of Algorithm 10 is checked in :mod:`.ec500_accel_alg10`, which runs
:class:`PrintedMomentum` (kept here, beside Algorithm 11's theorems).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..algorithms import SGD, AcceleratedGD, agd_alphas
from ..problems import (
    Oracle, logistic_regression, nesterov_lower_bound, nesterov_worst_case, quadratic,
)
from .block import theorem
from .ec500_convex import gaps, rerun, start, ts
from .measures import dist, iterates, per_run
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def S(T):
    """S_t = sum_{i<=t} alpha_i for t = 1..T (Algorithm 11's weights)."""
    return numpy.cumsum(agd_alphas(T)[1:])


def _eta_draw(problem, u):
    return (0.05 + 0.95 * u) / problem.H


# ---- Theorem 15.1 -------------------------------------------------------------------------------------

def _ref(inst, W):
    ref = inst.hyper.get("ref", 0)
    if ref < 0:
        return W[-1]
    return numpy.asarray(inst.x0) + numpy.random.default_rng(int(ref)).standard_normal(len(inst.x0))


@theorem
class EC500_15_1:
    """gradient steps on arbitrary vectors g_t: the online-learning regret bound

    EC500 Theorem 15.1 (L2061-2079). For *any* vectors g_t and w_{t+1} = w_t - eta g_t, and any w_*:
    sum_{t<=T} <g_t, w_t - w_*> <= ||w_* - w_1||^2/(2 eta) + (eta/2) sum ||g_t||^2. Checked on SGD runs with
    heavy additive noise (g_t read back from the iterates, g_t = (w_t - w_{t+1})/eta), gradient term moved
    left as in EC500-13.1:

        sum_{s<=t} <g_s, w_s - w_*> - (eta/2) sum_{s<=t} ||g_s||^2  <=  ||w_* - w_1||^2 / (2 eta)

    Attained when w_* is the last iterate (``ref = -1``): one noise-free step on w^2 from 1 with eta = 1/4
    ends at 1/2, so the bound is (1/2)^2/(1/2):

    >>> inst = Instance(quadratic(d=1, mu=2.0, H=2.0, x_star=[0.0]), [1.0], T=1, hyper={"lr": 0.25, "ref": -1},
    ...                 oracle={"noise": "gaussian", "sigma": 0.0})
    >>> EC500_15_1.theorem.bound(inst)
    array([0.5])
    """
    id, source = "EC500-15.1", f"{SOURCE} Thm 15.1, L2061-2079"
    algorithm, kind = SGD, "every_step"
    requires, constants = {"smooth"}, ("H",)
    rule, admissible = "any eta > 0, any vectors g_t, any w_*", {"lr": (0.0, None)}
    tight_factor = 0.999999
    note = "g_t are read back from the iterates, so the check covers whatever vectors the run used."

    def method(self, inst):
        return SGD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        eta = inst.hyper["lr"]

        def lhs(r):
            W = iterates(r)
            g = (W[:-1] - W[1:]) / eta                                 # the vectors g_t actually used
            inner = numpy.einsum("ij,ij->i", g, W[:-1] - _ref(inst, W))
            return numpy.cumsum(inner - eta / 2 * numpy.sum(g * g, axis=1))

        return per_run(runs, lhs)

    def bound(self, inst):
        W = rerun(SGD(lr=inst.hyper["lr"]), inst) if inst.hyper.get("ref", 0) < 0 else None
        return numpy.full(inst.T, dist(inst.x0, _ref(inst, W)) ** 2 / (2 * inst.hyper["lr"]))

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.1, H=2.0, seed=seed), numpy.ones(5), T=200,
                        hyper={"lr": 0.3, "ref": 3}, oracle={"noise": "gaussian", "sigma": 5.0},
                        label="noisy gradients (sigma = 5), random w_*")

    def tight(self):
        return Instance(quadratic(d=3, mu=1.0, H=2.0, seed=1), numpy.ones(3), T=50, hyper={"lr": 0.2, "ref": -1},
                        oracle={"noise": "gaussian", "sigma": 3.0}, label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T,
                        hyper={"lr": _eta_draw(problem, u[1]), "ref": -1 if u[2] < 0.25 else int(u[2] * 1000)},
                        oracle={"noise": "gaussian", "sigma": 5 * u[3]})


# ---- Theorem 15.2: printed form, proof's form, lower bound --------------------------------------------

def _agd_gap(runs, inst):
    return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[1:]))   # L(w_{t+1}) - L_*, t = 1..T


def _nesterov(T, label="tight"):
    return Instance(nesterov_worst_case(d=2 * T + 1, H=1.0), numpy.zeros(2 * T + 1), T=T,
                    hyper={"lr": 1.0}, label=label)


class _Theorem152:
    """Theorem 15.2's setting: Algorithm 11 on H-smooth convex losses (not a theorem itself)."""
    source = f"{SOURCE} Thm 15.2, L2157-2263"
    algorithm, kind = AcceleratedGD, "every_step"
    requires, constants, data = {"convex", "smooth"}, ("H",), ("x_star", "f_star")
    rule, admissible = "0 < eta <= 1/H", {"lr": (0.0, lambda p: 1 / p.H)}

    def method(self, inst):
        return AcceleratedGD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        return _agd_gap(runs, inst)

    def default(self, seed):
        p = logistic_regression(n=100, d=5, seed=seed)
        return Instance(p, numpy.zeros(5), T=200, hyper={"lr": 1 / p.H}, label="logistic, eta = 1/H")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, hyper={"lr": _eta_draw(problem, u[1])})


@theorem
class EC500_15_2(_Theorem152):
    """accelerated GD (Algorithm 11): L(w_{T+1}) - L_* <= 9 ||w_* - w_1||^2 / (2 T^2 eta)

    EC500 Theorem 15.2 (L2157-2263). L H-smooth and convex, eta <= 1/H, Algorithm 11 (which does not
    depend on T, so the bound holds at every t):

        L(w_{t+1}) - L_*  <=  9 ||w_* - w_1||^2 / (2 t^2 eta)

    Printed with w_0 for w_1, and the proof's last line with L(x_T) for L(w_{T+1}): E3 of the seed notes;
    harmless, no run can tell. With w_1 - w_* = (3, 4) and eta = 1/2: 225/t^2.

    >>> EC500_15_2.theorem.bound(Instance(quadratic(d=2, mu=1.0, H=2.0, x_star=[0.0, 0.0]), [3.0, 4.0], T=3,
    ...                                   hyper={"lr": 0.5}))
    array([225.  ,  56.25,  25.  ])
    """
    id = "EC500-15.2"
    note = ("As printed, reading w_0 as w_1 and the proof's L(x_T) as L(w_{T+1}) (E3); both readings are "
            "forced by the proof and no run can distinguish them. It follows from EC500-15.2-alpha and "
            "S_t >= t^2/9 (Prop 15.3). On Nesterov's worst case the ratio is 0.067 (T = 200).")

    def bound(self, inst):
        return 9 * dist(inst.problem.x_star, inst.x0) ** 2 / (2 * ts(inst.T) ** 2 * inst.hyper["lr"])


@theorem
class EC500_15_2_alpha(_Theorem152):
    """accelerated GD: S_t (L(w_{t+1}) - L_*) <= ||w_* - w_1||^2/(2 eta), S_t = alpha_t^2

    The inequality the proof of EC500 Theorem 15.2 establishes (L2249-2257), for every t:

        S_t (L(w_{t+1}) - L_*), S_t = sum_{i<=t} alpha_i  <=  ||w_* - w_1||^2 / (2 eta)

    Tight up to a constant on Nesterov's worst case. With w_1 - w_* = (3, 4) and eta = 1/2: 25.

    >>> EC500_15_2_alpha.theorem.bound(Instance(quadratic(d=2, mu=1.0, H=2.0, x_star=[0.0, 0.0]), [3.0, 4.0],
    ...                                         T=2, hyper={"lr": 0.5}))
    array([25., 25.])
    """
    id, tight_factor = "EC500-15.2-alpha", 0.15
    note = ("The inequality the proof establishes (L2249-2257), sharper than the printed 9/(2 T^2 eta) since "
            "S_t ~ (t+1)^2/4. Tight up to a constant: on Nesterov's worst case (d = 2T + 1) the ratio is "
            "0.158 at T = 50 and 0.156 at T = 200, and no first-order method can do more than ~21 times "
            "better (EC500-15.2-lower).")

    def measure(self, runs, inst):
        return S(inst.T) * _agd_gap(runs, inst)

    def bound(self, inst):
        return numpy.full(inst.T, dist(inst.problem.x_star, inst.x0) ** 2 / (2 * inst.hyper["lr"]))

    def tight(self):
        return _nesterov(50)


@theorem
class EC500_15_2_lower(_Theorem152):
    """acceleration is optimal: Nesterov's lower bound on his worst-case quadratic

    Nesterov's lower bound (Introductory Lectures 2004, Thm 2.1.7; the notes only say O(1/T^2) is optimal,
    L1981): on nesterov_worst_case of dimension 2T + 1, every method in the span of past gradients has

        3 H ||w_*||^2 / (32 (T+1)^2)  <=  L(w_{T+1}) - L_*

    (the measured side is the lower bound's value, the 'bound' the gap Algorithm 11 reaches). For T = 1
    (d = 3, H = 1): the first step from 0 reaches w_2 = (1/4, 0, 0), a gap of -3/64 + 3/32 = 3/64, above
    3 * (14/16)/128 = 0.0205:

    >>> inst = Instance(nesterov_worst_case(d=3, H=1.0), numpy.zeros(3), T=1, hyper={"lr": 1.0})
    >>> EC500_15_2_lower.theorem.bound(inst), EC500_15_2_lower.theorem.measure([None], inst)
    (array([0.046875]), array([[0.02050781]]))
    """
    id = "EC500-15.2-lower"
    source = "Nesterov, Introductory Lectures (2004) Thm 2.1.7 (external); EC500 L1981"
    rule = "nesterov_worst_case(d = 2T + 1), w_1 = 0, eta = 1/H"
    draw = None
    note = ("A lower bound (measured is the bound's value, 'bound' the gap the run reaches), external to the "
            "notes, which only say O(1/T^2) is optimal (L1981). Only on the instance of dimension 2T + 1 at "
            "step T (not for every t on one instance), hence no draw. Ratio 0.31-0.34: Algorithm 11 is within "
            "a factor 3.3 of the best possible span method.")

    def measure(self, runs, inst):
        p = inst.problem
        return numpy.full((len(runs), 1), nesterov_lower_bound(p.H, float(numpy.sum(p.x_star ** 2)), inst.T))

    def bound(self, inst):
        W = rerun(AcceleratedGD(lr=inst.hyper["lr"]), inst)
        return numpy.array([gaps(inst.problem, W[-1:])[0]])

    def default(self, seed):
        return _nesterov(50 + 10 * seed, "Nesterov's worst case, d = 2T + 1")


# ---- Proposition 15.3 ---------------------------------------------------------------------------------

def _alphas_from_run(inst):
    """(alpha_t, S_t) for t = 1..T, read from Algorithm 11's own state while it runs."""
    method, o = AcceleratedGD(lr=inst.hyper.get("lr", 1.0)), Oracle(inst.problem, seed=0)
    s = method.init(inst.x0, o)
    alpha, S_ = [], []
    for _ in range(inst.T):
        alpha.append(s.alpha)                                     # alpha_t before step t
        s = method.step(s, o)
        S_.append(s.S)                                            # S_t after step t
    return numpy.array(alpha), numpy.array(S_)


def _weights_instance(T, label="tight"):
    return Instance(quadratic(d=1, mu=1.0, H=1.0), numpy.ones(1), T=T, hyper={"lr": 1.0}, label=label)


class _Weights:
    """Facts about Algorithm 11's weights alpha_t, S_t (independent of the loss; not a theorem itself)."""
    source, algorithm, kind = f"{SOURCE} Prop 15.3, L2167-2197", AcceleratedGD, "every_step"
    rule = "alpha_{t+1}^2 - alpha_{t+1} = S_t"
    tight_factor = 0.999999

    def method(self, inst):
        return AcceleratedGD(lr=inst.hyper.get("lr", 1.0))

    def default(self, seed):
        return Instance(quadratic(d=2, mu=1.0, H=1.0, seed=seed), numpy.ones(2), T=1000, hyper={"lr": 1.0},
                        label="Algorithm 11's alpha_t (independent of the loss)")


@theorem
class EC500_15_3(_Weights):
    """Algorithm 11's weights: t^2/9 <= S_t <= t^2

    EC500 Proposition 15.3 (L2167-2197), both inequalities at once (equality S_1 = 1 at t = 1):

        [S_t, t^2/9]  <=  [t^2, S_t]

    alpha_1 = 1 and alpha_2^2 - alpha_2 = S_1 = 1 give alpha_2 = 1.618, S_2 = 2.618, so for t = 1, 2 the
    bound is [1, 4, 1, 2.618]:

    >>> EC500_15_3.theorem.bound(_weights_instance(2))
    array([1.        , 4.        , 1.        , 2.61803399])
    """
    id, rule = "EC500-15.3", "alpha_1 = 1, alpha_{t+1}^2 - alpha_{t+1} = S_t"
    note = ("Equality S_1 = 1 at t = 1; in fact S_t / (t+1)^2 lies in [0.25, 0.3025], so the lower constant "
            "1/9 is loose. The proof writes sum_{i<=t-1} where sum_{i<=t} is meant (L2175).")

    def measure(self, runs, inst):
        _, s = _alphas_from_run(inst)
        return numpy.concatenate([s, ts(inst.T) ** 2 / 9])[None, :]

    def bound(self, inst):
        _, s = _alphas_from_run(inst)
        return numpy.concatenate([ts(inst.T) ** 2, s])

    def tight(self):
        return _weights_instance(5)


class _Identity(_Weights):
    """alpha_t^p = S_t, both sides of the equality as two inequalities (p = 2 corrected, p = 1 printed)."""
    _power = 2

    def measure(self, runs, inst):
        a, s = _alphas_from_run(inst)
        return numpy.concatenate([s, a ** self._power])[None, :]

    def bound(self, inst):
        a, s = _alphas_from_run(inst)
        return numpy.concatenate([a ** self._power, s])


@theorem
class EC500_15_3_identity(_Identity):
    """Algorithm 11's weights satisfy alpha_t^2 = S_t

    EC500 Proposition 15.3 (stated correctly at L2251): alpha_t^2 - alpha_t = S_{t-1} gives

        [S_t, alpha_t^2]  <=  [alpha_t^2, S_t] (both sides of the equality)

    For t = 1, 2: alpha^2 = (1, 2.618) and S = (1, 2.618):

    >>> EC500_15_3_identity.theorem.bound(_weights_instance(2))
    array([1.        , 2.61803399, 1.        , 2.61803399])
    """
    id, statement = "EC500-15.3-identity", "corrected"
    source = f"{SOURCE} Prop 15.3, L2171 (correctly at L2251)"
    note = ("alpha_t^2 - alpha_t = S_{t-1} gives alpha_t^2 = S_t, the identity the proof of Thm 15.2 uses "
            "(L2251) to cancel the gradient terms.")

    def tight(self):
        return _weights_instance(50)


@theorem
class EC500_15_3_identity_printed(_Identity):
    """Algorithm 11's weights satisfy alpha_t = S_t (as printed)

    EC500 Proposition 15.3 as printed at L2171 ("further alpha_t = S_t"):

        [S_t, alpha_t]  <=  [alpha_t, S_t] (both sides of the equality)

    For t = 1, 2: alpha = (1, 1.618) but S = (1, 2.618):

    >>> EC500_15_3_identity_printed.theorem.bound(_weights_instance(2))
    array([1.        , 1.61803399, 1.        , 2.61803399])
    """
    id, statement = "EC500-15.3-identity/printed", "printed"
    source = f"{SOURCE} Prop 15.3, L2171"
    _power = 1
    tight_factor = None
    note = ("Erratum E2: 'alpha_t = sum_{i<=t} alpha_i' fails from t = 2 on (alpha_2 = 1.618, S_2 = 2.618; "
            "S_t/alpha_t = alpha_t grows like t/2). The definition gives alpha_t^2 = S_t, which L2251 states.")

    def counterexample(self):
        return _weights_instance(5, "t = 1..5: alpha_2 = 1.618 but S_2 = 2.618")


# ---- Algorithm 10: the printed sign versus L2149-2151 -------------------------------------------------

class _PState(NamedTuple):
    x: Any
    v: Any
    t: int


@dataclass(frozen=True)
class PrintedMomentum:
    """Algorithm 10 exactly as printed (L2003-2019), two-step integrator: ascends (erratum E1).

    A theory-local method: the misprinted algorithm, kept only to show that it fails; the corrected
    form is :class:`optlab.algorithms.Momentum` with ``two_step=True``.
    Theorems: EC500-Alg10/printed.
    """
    lr: float
    momentum: Any

    def init(self, x0, oracle):
        x = numpy.array(x0, dtype=float)
        return _PState(x=x, v=x * 0, t=0)                          # v_0 = 0

    def step(self, s, oracle):
        t = s.t + 1
        beta = self.momentum(t)
        half = beta * s.v                                          # v_{t-1/2} = beta_t v_{t-1}
        g = oracle.full_grad(s.x - half)                           # g_t = grad L(w_t - v_{t-1/2})
        v = half - self.lr * g                                     # v_t = beta_t v_{t-1} - eta_t g_t
        return _PState(x=s.x - v, v=v, t=t)                        # w_{t+1} = w_t - v_t


THEOREMS = tuple(block.theorem for block in (
    EC500_15_1, EC500_15_2, EC500_15_2_alpha, EC500_15_2_lower, EC500_15_3, EC500_15_3_identity,
    EC500_15_3_identity_printed))
