"""Acceleration in EC500 (seed 003) sections 14-15: Theorem 15.1, Theorem 15.2, Proposition 15.3 and
the sign of Algorithm 10.

* **Theorem 15.1** (L2061-2079). For *any* vectors g_t and w_{t+1} = w_t - eta g_t, and any w_*:
  sum_{t<=T} <g_t, w_t - w_*> <= ||w_* - w_1||^2/(2 eta) + (eta/2) sum ||g_t||^2. Checked on SGD runs with
  heavy additive noise (g_t read back from the iterates, g_t = (w_t - w_{t+1})/eta), gradient term moved
  left as in EC500-13.1; attained when w_* is the last iterate.
* **Theorem 15.2** (L2157-2263). L H-smooth and convex, eta <= 1/H, Algorithm 11:
  L(w_{T+1}) - L_* <= 9 ||w_* - w_1||^2 / (2 T^2 eta) (printed with w_0 for w_1, and the proof's last
  line with L(x_T) for L(w_{T+1}): E3 of the seed notes; harmless, no run can tell). The proof shows the
  sharper S_T (L(w_{T+1}) - L_*) <= ||w_* - w_1||^2/(2 eta), S_T = sum_{t<=T} alpha_t = alpha_T^2
  (L2249-2257): EC500-15.2-alpha. Algorithm 11 does not depend on T, so both hold at every t.
  Rate-tightness (external, Nesterov 2004 Thm 2.1.7): on nesterov_worst_case of dimension 2T + 1 every
  method in the span of past gradients has L(w_{T+1}) - L_* >= 3H ||w_*||^2 / (32 (T+1)^2)
  (EC500-15.2-lower); Algorithm 11 sits within a factor 3.3 of it and reaches 0.156 of the alpha form.
* **Proposition 15.3** (L2167-2197). t^2/9 <= S_t <= t^2 (equality at t = 1); "further alpha_t = S_t"
  (L2171) is a misprint for alpha_t^2 = S_t (E2; stated correctly at L2251): alpha_2 = 1.618 while
  S_2 = 2.618.
* **Algorithm 10** (L2003-2019, eqs (5)-(6) at L1991-1993). As printed, v_t = beta_t v_{t-1} - eta g_t
  then w_{t+1} = w_t - v_t (lookahead w_t - beta_t v_{t-1}): the first step is w_2 = w_1 + eta g_1, gradient
  *ascent* (E1). L2153 says Algorithm 11 "is exactly the form of the two-step momentum integrator used
  in Algorithm 10", so Algorithm 10 with beta_t = alpha_{t-2}^2/(alpha_t alpha_{t-1}) should inherit
  Theorem 15.2; as printed it ascends and fails; with the signs of L2149-2151 (w_{t+1} = w_t + v_t,
  lookahead w_t + beta_t v_{t-1}; optlab's ``Momentum``) it is Algorithm 11 and satisfies the bound.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..algorithms import SGD, AcceleratedGD, Momentum, NesterovMomentum, agd_alphas
from ..problems import (
    Oracle, logistic_regression, nesterov_lower_bound, nesterov_worst_case, quadratic,
)
from .ec500_convex import gaps, rerun, start, ts
from .measures import dist, iterates, per_run
from .theorem import Instance, Theorem

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


def _thm151_measure(runs, inst):
    eta = inst.hyper["lr"]

    def lhs(r):
        W = iterates(r)
        g = (W[:-1] - W[1:]) / eta                                 # the vectors g_t actually used
        inner = numpy.einsum("ij,ij->i", g, W[:-1] - _ref(inst, W))
        return numpy.cumsum(inner - eta / 2 * numpy.sum(g * g, axis=1))

    return per_run(runs, lhs)


def _thm151_bound(inst):
    W = rerun(SGD(lr=inst.hyper["lr"]), inst) if inst.hyper.get("ref", 0) < 0 else None
    return numpy.full(inst.T, dist(inst.x0, _ref(inst, W)) ** 2 / (2 * inst.hyper["lr"]))


THM_15_1 = Theorem(
    id="EC500-15.1", title="gradient steps on arbitrary vectors g_t: the online-learning regret bound",
    source=f"{SOURCE} Thm 15.1, L2061-2079", algorithm="SGD",
    requires=frozenset({"smooth"}), constants=("H",), rule="any eta > 0, any vectors g_t, any w_*",
    kind="every_step",
    measured_text="sum_{s<=t} <g_s, w_s - w_*> - (eta/2) sum_{s<=t} ||g_s||^2",
    bound_text="||w_* - w_1||^2 / (2 eta)",
    method=lambda inst: SGD(lr=inst.hyper["lr"]), measure=_thm151_measure, bound=_thm151_bound,
    default=lambda seed: Instance(quadratic(d=5, mu=0.1, H=2.0, seed=seed), numpy.ones(5), T=200,
                                  hyper={"lr": 0.3, "ref": 3}, oracle={"noise": "gaussian", "sigma": 5.0},
                                  label="noisy gradients (sigma = 5), random w_*"),
    admissible={"lr": (0.0, None)}, tight=True,
    tight_instance=lambda: Instance(quadratic(d=3, mu=1.0, H=2.0, seed=1), numpy.ones(3), T=50,
                                    hyper={"lr": 0.2, "ref": -1},
                                    oracle={"noise": "gaussian", "sigma": 3.0}, label="tight"),
    tight_factor=0.999999,
    note="g_t are read back from the iterates, so the check covers whatever vectors the run used.",
    draw=lambda problem, T, u: Instance(
        problem, start(problem, u[0]), T=T, hyper={"lr": _eta_draw(problem, u[1]),
                                                   "ref": -1 if u[2] < 0.25 else int(u[2] * 1000)},
        oracle={"noise": "gaussian", "sigma": 5 * u[3]}),
)


# ---- Theorem 15.2: printed form, proof's form, lower bound --------------------------------------------

def _agd_gap(runs, inst):
    return per_run(runs, lambda r: gaps(inst.problem, iterates(r)[1:]))   # L(w_{t+1}) - L_*, t = 1..T


def _alpha_measure(runs, inst):
    return S(inst.T) * _agd_gap(runs, inst)


def _alpha_bound(inst):
    return numpy.full(inst.T, dist(inst.problem.x_star, inst.x0) ** 2 / (2 * inst.hyper["lr"]))


def _printed_bound(inst):
    return 9 * dist(inst.problem.x_star, inst.x0) ** 2 / (2 * ts(inst.T) ** 2 * inst.hyper["lr"])


def _nesterov(T, label="tight"):
    return Instance(nesterov_worst_case(d=2 * T + 1, H=1.0), numpy.zeros(2 * T + 1), T=T,
                    hyper={"lr": 1.0}, label=label)


def _default152(seed):
    p = logistic_regression(n=100, d=5, seed=seed)
    return Instance(p, numpy.zeros(5), T=200, hyper={"lr": 1 / p.H}, label="logistic, eta = 1/H")


def _draw152(problem, T, u):
    return Instance(problem, start(problem, u[0]), T=T, hyper={"lr": _eta_draw(problem, u[1])})


_COMMON = dict(source=f"{SOURCE} Thm 15.2, L2157-2263", algorithm="accelerated_gd",
               requires=frozenset({"convex", "smooth"}), constants=("H", "x_star", "f_star"),
               rule="0 < eta <= 1/H", kind="every_step", admissible={"lr": (0.0, lambda p: 1 / p.H)},
               method=lambda inst: AcceleratedGD(lr=inst.hyper["lr"]), default=_default152, draw=_draw152)

THM_15_2 = Theorem(
    id="EC500-15.2", title="accelerated GD (Algorithm 11): L(w_{T+1}) - L_* <= 9 ||w_* - w_1||^2 / (2 T^2 eta)",
    measured_text="L(w_{t+1}) - L_*", bound_text="9 ||w_* - w_1||^2 / (2 t^2 eta)",
    measure=_agd_gap, bound=_printed_bound,
    note="As printed, reading w_0 as w_1 and the proof's L(x_T) as L(w_{T+1}) (E3); both readings are "
         "forced by the proof and no run can distinguish them. It follows from EC500-15.2-alpha and "
         "S_t >= t^2/9 (Prop 15.3). On Nesterov's worst case the ratio is 0.067 (T = 200).", **_COMMON)

THM_15_2_ALPHA = Theorem(
    id="EC500-15.2-alpha", title="accelerated GD: S_t (L(w_{t+1}) - L_*) <= ||w_* - w_1||^2/(2 eta), S_t = alpha_t^2",
    measured_text="S_t (L(w_{t+1}) - L_*), S_t = sum_{i<=t} alpha_i",
    bound_text="||w_* - w_1||^2 / (2 eta)", measure=_alpha_measure, bound=_alpha_bound, tight=True,
    tight_instance=lambda: _nesterov(50), tight_factor=0.15,
    note="The inequality the proof establishes (L2249-2257), sharper than the printed 9/(2 T^2 eta) since "
         "S_t ~ (t+1)^2/4. Tight up to a constant: on Nesterov's worst case (d = 2T + 1) the ratio is "
         "0.158 at T = 50 and 0.156 at T = 200, and no first-order method can do more than ~21 times "
         "better (EC500-15.2-lower).", **_COMMON)


def _lower_measure(runs, inst):
    p = inst.problem
    return numpy.full((len(runs), 1), nesterov_lower_bound(p.H, float(numpy.sum(p.x_star ** 2)), inst.T))


def _lower_bound(inst):
    W = rerun(AcceleratedGD(lr=inst.hyper["lr"]), inst)
    return numpy.array([gaps(inst.problem, W[-1:])[0]])


THM_15_2_LOWER = Theorem(
    id="EC500-15.2-lower", title="acceleration is optimal: Nesterov's lower bound on his worst-case quadratic",
    source="Nesterov, Introductory Lectures (2004) Thm 2.1.7 (external); EC500 L1981", algorithm="accelerated_gd",
    requires=frozenset({"convex", "smooth"}), constants=("H", "x_star", "f_star"),
    rule="nesterov_worst_case(d = 2T + 1), w_1 = 0, eta = 1/H", kind="every_step",
    measured_text="3 H ||w_*||^2 / (32 (T+1)^2)", bound_text="L(w_{T+1}) - L_*",
    method=lambda inst: AcceleratedGD(lr=inst.hyper["lr"]), measure=_lower_measure, bound=_lower_bound,
    default=lambda seed: _nesterov(50 + 10 * seed, "Nesterov's worst case, d = 2T + 1"),
    admissible={"lr": (0.0, lambda p: 1 / p.H)},
    note="A lower bound (measured is the bound's value, 'bound' the gap the run reaches), external to the "
         "notes, which only say O(1/T^2) is optimal (L1981). Only on the instance of dimension 2T + 1 at "
         "step T (not for every t on one instance), hence no draw. Ratio 0.31-0.34: Algorithm 11 is within "
         "a factor 3.3 of the best possible span method.",
)


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


def _prop_default(seed):
    return Instance(quadratic(d=2, mu=1.0, H=1.0, seed=seed), numpy.ones(2), T=1000, hyper={"lr": 1.0},
                    label="Algorithm 11's alpha_t (independent of the loss)")


def _prop153_measure(runs, inst):
    _, s = _alphas_from_run(inst)
    return numpy.concatenate([s, ts(inst.T) ** 2 / 9])[None, :]


def _prop153_bound(inst):
    _, s = _alphas_from_run(inst)
    return numpy.concatenate([ts(inst.T) ** 2, s])


_PROP = dict(algorithm="accelerated_gd", requires=frozenset(), constants=(), kind="every_step",
             method=lambda inst: AcceleratedGD(lr=inst.hyper.get("lr", 1.0)), default=_prop_default)

PROP_15_3 = Theorem(
    id="EC500-15.3", title="Algorithm 11's weights: t^2/9 <= S_t <= t^2",
    source=f"{SOURCE} Prop 15.3, L2167-2197", rule="alpha_1 = 1, alpha_{t+1}^2 - alpha_{t+1} = S_t",
    measured_text="[S_t, t^2/9]", bound_text="[t^2, S_t]", measure=_prop153_measure, bound=_prop153_bound,
    tight=True, tight_instance=lambda: Instance(quadratic(d=1, mu=1.0, H=1.0), numpy.ones(1), T=5,
                                                hyper={"lr": 1.0}, label="tight"),
    tight_factor=0.999999,
    note="Equality S_1 = 1 at t = 1; in fact S_t / (t+1)^2 lies in [0.25, 0.3025], so the lower constant "
         "1/9 is loose. The proof writes sum_{i<=t-1} where sum_{i<=t} is meant (L2175).", **_PROP)


def _alpha_pair(printed):
    def measure(runs, inst):
        a, s = _alphas_from_run(inst)
        return numpy.concatenate([s, a if printed else a ** 2])[None, :]

    def bound(inst):
        a, s = _alphas_from_run(inst)
        return numpy.concatenate([a if printed else a ** 2, s])

    return measure, bound


PROP_15_3_ID = Theorem(
    id="EC500-15.3-identity", title="Algorithm 11's weights satisfy alpha_t^2 = S_t",
    source=f"{SOURCE} Prop 15.3, L2171 (correctly at L2251)", rule="alpha_{t+1}^2 - alpha_{t+1} = S_t",
    measured_text="[S_t, alpha_t^2]", bound_text="[alpha_t^2, S_t] (both sides of the equality)",
    measure=_alpha_pair(False)[0], bound=_alpha_pair(False)[1], statement="corrected", tight=True,
    tight_instance=lambda: Instance(quadratic(d=1, mu=1.0, H=1.0), numpy.ones(1), T=50, hyper={"lr": 1.0},
                                    label="tight"),
    tight_factor=0.999999,
    note="alpha_t^2 - alpha_t = S_{t-1} gives alpha_t^2 = S_t, the identity the proof of Thm 15.2 uses "
         "(L2251) to cancel the gradient terms.", **_PROP)

PROP_15_3_ID_PRINTED = Theorem(
    id="EC500-15.3-identity/printed", title="Algorithm 11's weights satisfy alpha_t = S_t (as printed)",
    source=f"{SOURCE} Prop 15.3, L2171", rule="alpha_{t+1}^2 - alpha_{t+1} = S_t",
    measured_text="[S_t, alpha_t]", bound_text="[alpha_t, S_t] (both sides of the equality)",
    measure=_alpha_pair(True)[0], bound=_alpha_pair(True)[1], statement="printed", expect=False,
    counterexample=lambda: Instance(quadratic(d=1, mu=1.0, H=1.0), numpy.ones(1), T=5, hyper={"lr": 1.0},
                                    label="t = 1..5: alpha_2 = 1.618 but S_2 = 2.618"),
    note="Erratum E2: 'alpha_t = sum_{i<=t} alpha_i' fails from t = 2 on (alpha_2 = 1.618, S_2 = 2.618; "
         "S_t/alpha_t = alpha_t grows like t/2). The definition gives alpha_t^2 = S_t, which L2251 states.",
    **_PROP)


# ---- Algorithm 10: the printed sign versus L2149-2151 -------------------------------------------------

class _PState(NamedTuple):
    x: Any
    v: Any
    t: int


@dataclass(frozen=True)
class PrintedMomentum:
    """Algorithm 10 exactly as printed (L2003-2019), two-step integrator: ascends (erratum E1)."""
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


def _alg10_default(seed):
    p = quadratic(d=6, mu=0.01, H=1.0, seed=seed)
    return Instance(p, numpy.zeros(6), T=200, hyper={"lr": 1.0}, label="quadratic, eta = 1/H")


_ALG10 = dict(requires=frozenset({"convex", "smooth"}), constants=("H", "x_star", "f_star"),
              rule="beta_1 = 0, beta_t = alpha_{t-2}^2/(alpha_t alpha_{t-1}); 0 < eta <= 1/H", kind="every_step",
              bound_text="||w_* - w_1||^2 / (2 eta)",
              measure=_alpha_measure, bound=_alpha_bound, admissible={"lr": (0.0, lambda p: 1 / p.H)})

ALG_10 = Theorem(
    id="EC500-Alg10", title="Algorithm 10 (two-step, Nesterov's beta_t), signs of L2149-2151: Theorem 15.2's bound",
    source=f"{SOURCE} Alg 10, L2003-2019; L2149-2153", algorithm="momentum", statement="corrected",
    measured_text="S_t (L(w_{t+1}) - L_*) for x_t = w_t + beta_t v_{t-1}, w_{t+1} = w_t + v_t",
    method=lambda inst: Momentum(lr=inst.hyper["lr"], momentum=NesterovMomentum(), two_step=True),
    default=_alg10_default, draw=_draw152,
    note="x_t = w_t + beta_t v_{t-1}, v_t = beta_t v_{t-1} - eta grad L(x_t), w_{t+1} = w_t + v_t: "
         "Algorithm 11 rewritten (equal to it up to rounding), so Thm 15.2's bound holds.", **_ALG10)

ALG_10_PRINTED = Theorem(
    id="EC500-Alg10/printed",
    title="Algorithm 10 as printed (w_{t+1} = w_t - v_t), Nesterov's beta_t: Thm 15.2's bound",
    source=f"{SOURCE} Alg 10, L2003-2019; eqs (5)-(6) L1991-1993", algorithm="momentum (as printed)",
    measured_text="S_t (L(w_{t+1}) - L_*) for w_{t+1/2} = w_t - beta_t v_{t-1}, w_{t+1} = w_t - v_t",
    statement="printed", expect=False,
    method=lambda inst: PrintedMomentum(lr=inst.hyper["lr"], momentum=NesterovMomentum()),
    default=_alg10_default, counterexample=lambda: Instance(
        quadratic(d=6, mu=0.01, H=1.0, seed=0), numpy.zeros(6), T=20, hyper={"lr": 1.0},
        label="quadratic (mu = 0.01, H = 1), eta = 1/H: the gap climbs 0.76, 2.60, 9.66, 48.1, ..."),
    note="Erratum E1: with v_t = beta_t v_{t-1} - eta g_t, w_{t+1} = w_t - v_t the first step is "
         "w_2 = w_1 + eta grad L(w_1), and the run climbs (L(w_2) > L(w_1), then diverges). The "
         "derivation at L2149-2151 has w_{t+1} = w_t + v_t and lookahead w_t + beta_t v_{t-1}; optlab's "
         "Momentum implements that form (EC500-Alg10). The ODE at L2027 has the same sign slip "
         "(+eta grad L should be -eta grad L).", **_ALG10)

THEOREMS = (THM_15_1, THM_15_2, THM_15_2_ALPHA, THM_15_2_LOWER, PROP_15_3, PROP_15_3_ID,
            PROP_15_3_ID_PRINTED, ALG_10, ALG_10_PRINTED)
