"""SGD in EC500 (seed 003): Theorems 3.2, 6.1, 6.2, Proposition 7.1 and Theorem 7.2.

Notation: Delta = L(w_1) - inf L, sigma^2 bounds E||g - grad L(w)||^2, the noise is additive
(``'gaussian'`` or ``'sphere'`` of radius sigma, both with covariance sigma^2/d I), B is the batch.
Every bound below also holds for every horizon t <= T (the proofs telescope up to t), so it is checked
at every t unless the step size depends on T.

* **Theorem 3.2** (L305-345). L convex, l(., z) G-Lipschitz (||g_t|| <= G a.s.), ||w_1 - w_*|| <= D:
  E sum_{s<=t} (L(w_s) - L_*) <= D^2/(2 eta) + eta t G^2/2, = D G sqrt(T) at t = T, eta = D/(G sqrt T)
  (the proof's any-eta form). With sphere noise on a G_L-Lipschitz L, G = G_L + sigma.
* **Theorem 6.1** (L1009-1071). L H-smooth, eta <= 1/H: (a) sum_{s<=t} E||grad L(w_s)||^2 <=
  2 Delta/eta + H t eta sigma^2; (b) with eta = min(1/H, sqrt(Delta)/(sigma sqrt(H T))) the sum to T is
  <= 2 Delta H + 3 sigma sqrt(Delta H T); (c) then E||grad L(w_hat)|| <= sqrt(2 Delta H)/sqrt(T) +
  sqrt(3 sigma sqrt(Delta H))/T^(1/4). (a) is checked by Monte Carlo on any smooth family and exactly on
  quadratics (``/exact``: the moment recursion of seed-notes part 1 §7.3, no sampling).
  Tight: 1-D (H/2) w^2, eta = 1/H: E sum = H^2 w_1^2 + (t-1) sigma^2 against H^2 w_1^2 + t sigma^2.
* **Theorem 6.2** (L1080-1118). L H-smooth, eta_1 >= ... >= eta_T deterministic. The hypothesis is
  printed E_z||grad l(w, z)|| <= G^2 (L1080); the proof (L1094) and the prose (L1078) use the second
  moment E_z||grad l(w, z)||^2 <= G^2. Then (1/t) sum_{s<=t} E||grad L(w_s)||^2 <=
  Delta/(t eta_t) + H G^2/(2 t eta_t) sum_{s<=t} eta_s^2 (corrected), and with eta_t = c/sqrt(t),
  E||grad L(w_hat)|| <= sqrt(Delta/c + G^2 c H (1 + log(T)/2))/T^(1/4) (``/c``, as printed: valid, the
  derivation gives the smaller (1 + log T)/2).
* **Proposition 7.1** (L1143-1153). Algorithm 6: E||g_t - grad L(w_t)||^2 <= sigma^2/B (equality for
  i.i.d. additive noise).
* **Theorem 7.2** (L1157-1163). Algorithm 6, eta <= 1/H: (a) sum_{s<=t} E||grad L(w_s)||^2 <= 2 Delta/eta
  + H t eta sigma^2/B (``/a``, exact on quadratics); (b) eta = 1/max(H, sigma sqrt(H T/B)) (the print's
  L is H): the derivation gives sum E||grad L||^2 <= 2 Delta H + (1 + 2 Delta) sigma sqrt(H T/B), hence
  E||grad L(w_hat)|| <= sqrt(2 Delta H)/sqrt(T) + sqrt((1 + 2 Delta) sigma) H^(1/4)/(B T)^(1/4). The print
  has H^(1/4) inside the square root (an H^(1/8)), which fails when H is large (counterexample below).
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import SGD, MinibatchSGD
from ..algorithms.base import lr_at
from ..algorithms.schedules import Constant, InverseSqrt, InverseTime, StepDecay
from ..problems import cosine_sum, norm_loss, quadratic
from .measures import dist, iterates, per_run
from .stochastic import MC_SEEDS, delta, exact_grad_sq, gnorm, horizon, noisy, sigma_of, start  # noqa: F401
from .theorem import Instance, Theorem

SOURCE = "EC500 notes (seed 003)"
# ---- Theorem 3.2 ----------------------------------------------------------------------------------------

def _G_ell(inst):
    return inst.problem.G + sigma_of(inst)           # ||grad L + xi|| <= G_L + sigma (sphere noise)


def _t32_lr(inst):
    D = dist(inst.x0, inst.problem.x_star)
    return inst.hyper.get("lr", D / (_G_ell(inst) * math.sqrt(inst.T)))


def _t32_bound(inst):
    eta, D = _t32_lr(inst), dist(inst.x0, inst.problem.x_star)
    return D ** 2 / (2 * eta) + eta * horizon(inst) * _G_ell(inst) ** 2 / 2


def _t32_default(seed):
    p = norm_loss(d=5, G=2.0, seed=seed)
    x0 = p.x_star + numpy.random.default_rng(seed).standard_normal(5)
    return Instance(p, x0, T=100, oracle=noisy(1.0), seeds=200, label="G||w - w*|| + <xi, w>, ||xi|| = 1")


def _t32_draw(problem, T, u):
    # sphere noise keeps ||g_t|| <= G_L + sigma surely (l(., z) Lipschitz); any eta up to twice the tuned one
    inst = Instance(problem, start(problem, u[0]), T=T, oracle=noisy(2 * u[1]), seeds=MC_SEEDS)
    return Instance(problem, inst.x0, T=T, hyper={"lr": _t32_lr(inst) * (0.1 + 1.9 * u[2])},
                    oracle=inst.oracle, seeds=MC_SEEDS)


THM_3_2 = Theorem(
    id="EC500-3.2", title="SGD on convex losses with G-Lipschitz samples: E regret <= D G sqrt(T)",
    source=f"{SOURCE} Thm 3.2, L305-345", algorithm="SGD",
    requires=frozenset({"convex", "lipschitz"}), constants=("G", "x_star", "f_star"),
    rule="eta = D/(G sqrt T) (any eta > 0 in the proof's form); G = G_L + sigma", kind="expectation",
    measured_text="E sum_{s<=t} (L(w_s) - L_*)", bound_text="D^2/(2 eta) + eta t G^2/2 (= D G sqrt(T) at t = T)",
    method=lambda inst: SGD(lr=_t32_lr(inst)),
    measure=lambda runs, inst: per_run(runs, lambda r: numpy.cumsum(r.loss[:inst.T] - inst.problem.f_star)),
    bound=_t32_bound, default=_t32_default, admissible={"lr": (0.0, None)}, draw=_t32_draw,
)


# ---- Theorem 6.1 ----------------------------------------------------------------------------------------

def _cum_sq(runs, inst):
    return numpy.cumsum(gnorm(runs, inst.T) ** 2, axis=1)


def _t61a_bound(inst):
    eta, B = inst.hyper["lr"], int(inst.hyper.get("B", 1))         # B = 1: Theorem 6.1; B > 1: Theorem 7.2(a)
    return 2 * delta(inst) / eta + inst.problem.H * horizon(inst) * eta * sigma_of(inst) ** 2 / B


def _t61_default(seed, T=100, seeds=100, sigma=1.0):
    p = cosine_sum(d=4, seed=seed)
    return Instance(p, numpy.full(4, 0.3), T=T, hyper={"lr": 1.0 / p.H}, oracle=noisy(sigma),
                    seeds=seeds, label="sum of cos, sphere noise, eta = 1/H")


def _t61_draw(problem, T, u, seeds=MC_SEEDS):
    kind = "gaussian" if u[3] < 0.5 else "sphere"
    return Instance(problem, start(problem, u[0]), T=T, hyper={"lr": (0.05 + 0.95 * u[1]) / problem.H},
                    oracle=noisy(2 * u[2], kind), seeds=seeds)


_T61 = dict(source=f"{SOURCE} Thm 6.1, L1009-1071", algorithm="SGD", requires=frozenset({"smooth"}),
            constants=("H", "f_star"), kind="expectation", admissible={"lr": (0.0, lambda p: 1 / p.H)})

THM_6_1 = Theorem(
    id="EC500-6.1", title="SGD on H-smooth losses, constant eta <= 1/H: sum E||grad||^2 <= 2 Delta/eta + H T eta sigma^2",
    rule="0 < eta <= 1/H", measured_text="sum_{s<=t} E||grad L(w_s)||^2",
    bound_text="2 Delta/eta + H t eta sigma^2", method=lambda inst: SGD(lr=inst.hyper["lr"]),
    measure=_cum_sq, bound=_t61a_bound, default=_t61_default, draw=_t61_draw, **_T61,
)


def _exact_cum(inst):
    B = int(inst.hyper.get("B", 1))
    return numpy.cumsum(exact_grad_sq(inst, [inst.hyper["lr"]] * inst.T, B))


def _exact_draw(problem, T, u, minibatch=False):
    hyper = {"lr": (0.02 + 0.98 * u[1]) / problem.H, **({"B": 1 + int(8 * u[3])} if minibatch else {})}
    return Instance(problem, start(problem, u[0]), T=T, oracle=noisy(3 * u[2], "gaussian"), hyper=hyper)


def _exact_tight():
    p = quadratic(d=1, mu=1.0, H=1.0, seed=0)
    return Instance(p, p.x_star + 10.0, T=100, hyper={"lr": 1.0}, oracle=noisy(1.0, "gaussian"), label="tight")


THM_6_1_EXACT = Theorem(
    id="EC500-6.1/exact", title="Theorem 6.1(a) with exact expectations on quadratics (moment recursion)",
    rule="0 < eta <= 1/H; L quadratic with Hessian A, additive isotropic noise",
    measured_text="sum_{s<=t} E||grad L(w_s)||^2 (exact)", bound_text="2 Delta/eta + H t eta sigma^2",
    method=lambda inst: SGD(lr=inst.hyper["lr"]), measure=lambda runs, inst: _exact_cum(inst),
    bound=_t61a_bound, exact=True, tight=True, tight_instance=_exact_tight, tight_factor=0.99,
    default=lambda seed: Instance(quadratic(d=5, mu=0.1, H=4.0, seed=seed), numpy.ones(5), T=100,
                                  hyper={"lr": 0.2}, oracle=noisy(1.0, "gaussian"), label="quadratic"),
    draw=_exact_draw, **{**_T61, "constants": ("H", "f_star", "A")},
)


def _tuned(inst):
    p, s = inst.problem, sigma_of(inst)
    cap = math.sqrt(max(delta(inst), 0.0)) / (s * math.sqrt(p.H * inst.T)) if s > 0 else math.inf
    return max(min(1 / p.H, cap), 1e-12 / p.H)


def _tuned_default(seed):
    inst = _t61_default(seed, T=200, seeds=100, sigma=2.0)
    return Instance(inst.problem, inst.x0, T=inst.T, oracle=inst.oracle, seeds=inst.seeds,
                    label="sum of cos, sphere noise, tuned eta")


def _tuned_draw(problem, T, u):
    inst = _t61_draw(problem, T, u)
    return Instance(problem, inst.x0, T=T, oracle=inst.oracle, seeds=MC_SEEDS)


def _t61b_bound(inst):
    dh, s = delta(inst) * inst.problem.H, sigma_of(inst)
    return numpy.array([2 * dh + 3 * s * math.sqrt(dh * inst.T)])


def _t61c_bound(inst):
    dh, s, T = delta(inst) * inst.problem.H, sigma_of(inst), inst.T
    return numpy.array([math.sqrt(2 * dh / T) + math.sqrt(3 * s * math.sqrt(dh)) / T ** 0.25])


_TUNED = dict(rule="eta = min(1/H, sqrt(Delta)/(sigma sqrt(H T)))", method=lambda inst: SGD(lr=_tuned(inst)),
              default=_tuned_default, draw=_tuned_draw, **{**_T61, "admissible": {}})

THM_6_1_B = Theorem(
    id="EC500-6.1/b", title="Theorem 6.1(b): tuned eta, sum E||grad||^2 <= 2 Delta H + 3 sigma sqrt(Delta H T)",
    measured_text="sum_{t<=T} E||grad L(w_t)||^2", bound_text="2 Delta H + 3 sigma sqrt(Delta H T)",
    measure=lambda runs, inst: _cum_sq(runs, inst)[:, -1:], bound=_t61b_bound, **_TUNED,
)

THM_6_1_C = Theorem(
    id="EC500-6.1/c", title="Theorem 6.1(c): tuned eta, E||grad L(w_hat)|| = O(1/sqrt T + sqrt(sigma)/T^(1/4))",
    measured_text="E||grad L(w_hat)||, w_hat uniform on w_1..w_T",
    bound_text="sqrt(2 Delta H)/sqrt(T) + sqrt(3 sigma sqrt(Delta H))/T^(1/4)",
    measure=lambda runs, inst: gnorm(runs, inst.T).mean(axis=1, keepdims=True), bound=_t61c_bound, **_TUNED,
)


# ---- Theorem 6.2 ----------------------------------------------------------------------------------------

def _schedule(inst):
    c, kind = inst.hyper["c"], int(inst.hyper.get("kind", 0))
    return (InverseSqrt(c), Constant(c), InverseTime(1 / c), StepDecay(c, every=max(1, inst.T // 4),
                                                                      factor=0.5))[kind]


def _lrs(inst):
    s = _schedule(inst)
    return numpy.array([lr_at(s, t) for t in horizon(inst)])


def _t62_bound(inst, G2):
    eta, t = _lrs(inst), horizon(inst)
    return delta(inst) / (t * eta) + inst.problem.H * G2 / (2 * t * eta) * numpy.cumsum(eta ** 2)


def _t62_measure(runs, inst):
    return _cum_sq(runs, inst) / horizon(inst)


def _t62_draw(problem, T, u):
    # c up to 3/H: no eta <= 1/H cap in Theorem 6.2; kind picks one of four non-increasing schedules
    return Instance(problem, start(problem, u[0]), T=T, oracle=noisy(2 * u[2]), seeds=MC_SEEDS,
                    hyper={"c": (0.02 + 2.98 * u[1]) / problem.H, "kind": int(4 * u[3])})


def _t62_default(seed):
    p = cosine_sum(d=4, seed=seed)
    return Instance(p, numpy.full(4, 0.3), T=200, hyper={"c": 0.5}, oracle=noisy(1.0), seeds=100,
                    label="sum of cos, sphere noise, eta_t = c/sqrt(t)")


def _t62_counterexample():
    # G_L = a = 10 > 1: the printed first-moment hypothesis admits G^2 = 10, the second moment needs 100
    p = cosine_sum(d=1, a=10.0, b=1.0)
    return Instance(p, p.Q.T @ numpy.array([math.pi / 2]), T=10, hyper={"c": 0.3}, oracle=noisy(0.0),
                    label="10 cos(w), w_1 = pi/2, noise-free, eta_t = 0.3/sqrt(t)")


_T62 = dict(source=f"{SOURCE} Thm 6.2, L1080-1118", algorithm="SGD",
            requires=frozenset({"smooth", "lipschitz"}), constants=("H", "G", "f_star"),
            rule="eta_1 >= ... >= eta_T > 0 deterministic (here c/sqrt t, c, c/t or step decay)",
            kind="expectation", method=lambda inst: SGD(lr=_schedule(inst)), measure=_t62_measure,
            admissible={"c": (0.0, None)}, measured_text="(1/t) sum_{s<=t} E||grad L(w_s)||^2")

THM_6_2 = Theorem(
    id="EC500-6.2", title="SGD with a non-increasing schedule on H-smooth losses (second-moment hypothesis)",
    bound_text="Delta/(t eta_t) + H G^2/(2 t eta_t) sum_{s<=t} eta_s^2, G^2 = sup E||grad l||^2 = G_L^2 + sigma^2",
    bound=lambda inst: _t62_bound(inst, inst.problem.G ** 2 + sigma_of(inst) ** 2),
    default=_t62_default, draw=_t62_draw, statement="corrected", **_T62,
)

THM_6_2_PRINTED = Theorem(
    id="EC500-6.2/printed", title="Theorem 6.2 as printed: first-moment hypothesis E||grad l|| <= G^2",
    bound_text="Delta/(t eta_t) + H G^2/(2 t eta_t) sum_{s<=t} eta_s^2, G^2 = sup_w E||grad l(w, z)|| = G_L + sigma",
    bound=lambda inst: _t62_bound(inst, inst.problem.G + sigma_of(inst)),
    default=_t62_counterexample, statement="printed", expect=False, counterexample=_t62_counterexample,
    note="L1080 prints the hypothesis E_z||grad l(w, z)|| <= G^2, a first moment: it is not even "
         "dimensionally consistent, and the proof (L1094) uses E||g_t||^2 <= G^2 (as the prose at L1078 "
         "says). On L(w) = 10 cos(w) without noise, sup_w E||grad l|| = G_L = 10 satisfies the printed "
         "hypothesis, but E||g||^2 reaches 100; with eta_t = 0.3/sqrt(t) the printed bound is exceeded "
         "2.5-fold at t = 2, while the corrected bound (G^2 = 100) holds with ratio 0.55.", **_T62,
)


def _t62c_bound(inst):
    p, c, t = inst.problem, inst.hyper["c"], horizon(inst)
    G2 = p.G ** 2 + sigma_of(inst) ** 2
    return numpy.sqrt(delta(inst) / c + G2 * c * p.H * (1 + numpy.log(t) / 2)) / t ** 0.25


THM_6_2_C = Theorem(
    id="EC500-6.2/c", title="Theorem 6.2 with eta_t = c/sqrt(t): E||grad L(w_hat)|| <= O(sqrt(log T)/T^(1/4))",
    bound_text="sqrt(Delta/c + G^2 c H (1 + log(t)/2))/t^(1/4), G^2 = G_L^2 + sigma^2", bound=_t62c_bound,
    default=_t62_default, draw=lambda problem, T, u: _t62_draw(problem, T, (u[0], u[1], u[2], 0.0)),
    note="As printed (L1090) this is valid but loose: the derivation gives (1 + log T)/2 in place of "
         "1 + log(T)/2, smaller by G^2 c H/2. The hypothesis is read as the second moment (see EC500-6.2).",
    **{**_T62, "rule": "eta_t = c/sqrt(t), any c > 0", "measured_text": "E||grad L(w_hat)||, w_hat uniform on w_1..w_t",
       "measure": lambda runs, inst: numpy.cumsum(gnorm(runs, inst.T), axis=1) / horizon(inst)},
)


# ---- Proposition 7.1 and Theorem 7.2 --------------------------------------------------------------------

def _p71_measure(runs, inst):
    p, eta = inst.problem, inst.hyper["lr"]

    def dev(r):
        W = iterates(r)
        g = (W[:-1] - W[1:]) / eta                      # g_t = (w_t - w_{t+1})/eta (constant eta)
        return numpy.sum((g - numpy.array([p.grad(w) for w in W[:-1]])) ** 2, axis=1)

    return per_run(runs, dev)


THM_7_1 = Theorem(
    id="EC500-7.1", title="minibatch of B samples: E||g_t - grad L(w_t)||^2 <= sigma^2/B",
    source=f"{SOURCE} Prop 7.1, L1143-1153", algorithm="MinibatchSGD",
    requires=frozenset({"smooth"}), constants=("H",),
    rule="any eta (smoothness only keeps the drawn eta <= 1/H stable); i.i.d. samples",
    kind="expectation", measured_text="E||g_t - grad L(w_t)||^2", bound_text="sigma^2/B",
    method=lambda inst: MinibatchSGD(lr=inst.hyper["lr"], batch_size=int(inst.hyper["B"])),
    measure=_p71_measure,
    bound=lambda inst: numpy.full(inst.T, sigma_of(inst) ** 2 / inst.hyper["B"]),
    default=lambda seed: Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=10,
                                  hyper={"lr": 0.1, "B": 4}, oracle=noisy(1.0, "gaussian"), seeds=500),
    tight=True, tight_factor=0.9,
    tight_instance=lambda: Instance(quadratic(d=3, mu=1.0, H=2.0), numpy.ones(3), T=10, label="tight",
                                    hyper={"lr": 0.2, "B": 4}, oracle=noisy(1.0, "gaussian"), seeds=400),
    draw=lambda problem, T, u: Instance(problem, start(problem, u[0]), T=T, seeds=MC_SEEDS,
                                        hyper={"lr": (0.05 + 0.95 * u[1]) / problem.H, "B": 1 + int(8 * u[3])},
                                        oracle=noisy(2 * u[2], "gaussian" if u[3] < 0.5 else "sphere")),
    note="Equality for i.i.d. additive noise, so the Monte Carlo mean sits on the bound.",
)

THM_7_2_A = Theorem(
    id="EC500-7.2/a", title="Theorem 7.2(a): minibatch SGD, sum E||grad||^2 <= 2 Delta/eta + H T eta sigma^2/B (exact)",
    rule="0 < eta <= 1/H; L quadratic with Hessian A, additive isotropic noise",
    measured_text="sum_{s<=t} E||grad L(w_s)||^2 (exact)", bound_text="2 Delta/eta + H t eta sigma^2/B",
    method=lambda inst: MinibatchSGD(lr=inst.hyper["lr"], batch_size=int(inst.hyper["B"])),
    measure=lambda runs, inst: _exact_cum(inst),
    bound=_t61a_bound, exact=True,
    default=lambda seed: Instance(quadratic(d=5, mu=0.1, H=4.0, seed=seed), numpy.ones(5), T=100,
                                  hyper={"lr": 0.25, "B": 8}, oracle=noisy(2.0, "gaussian"), label="quadratic, B = 8"),
    draw=lambda problem, T, u: _exact_draw(problem, T, u, minibatch=True),
    **{**_T61, "source": f"{SOURCE} Thm 7.2, L1157-1163", "algorithm": "MinibatchSGD",
                         "constants": ("H", "f_star", "A")},
)


def _t72_lr(inst):
    p, B = inst.problem, int(inst.hyper["B"])
    return 1 / max(p.H, sigma_of(inst) * math.sqrt(p.H * inst.T / B))


def _t72_bound(inst, printed=False):
    p, d, s, B, T = inst.problem, delta(inst), sigma_of(inst), int(inst.hyper["B"]), inst.T
    noise = math.sqrt(s * (1 + 2 * d) * p.H ** 0.25) if printed else math.sqrt((1 + 2 * d) * s) * p.H ** 0.25
    return numpy.array([math.sqrt(2 * d * p.H / T) + noise / (B * T) ** 0.25])


def _t72_counterexample():
    # H = 1e4: the printed H^(1/8) is 0.32 of the derived H^(1/4); started at w_* (Delta = 0) the noise term is all
    p = quadratic(d=1, mu=1e4, H=1e4, seed=0)
    return Instance(p, p.x_star.copy(), T=100, hyper={"B": 1}, oracle=noisy(100.0, "gaussian"), seeds=200,
                    label="1e4/2 w^2 from w_*, Gaussian noise sigma = 100, B = 1")


_T72 = dict(source=f"{SOURCE} Thm 7.2, L1157-1163", algorithm="MinibatchSGD", requires=frozenset({"smooth"}),
            constants=("H", "f_star"), rule="eta = 1/max(H, sigma sqrt(H T/B))", kind="expectation",
            method=lambda inst: MinibatchSGD(lr=_t72_lr(inst), batch_size=int(inst.hyper["B"])),
            measured_text="E||grad L(w_hat)||, w_hat uniform on w_1..w_T",
            measure=lambda runs, inst: gnorm(runs, inst.T).mean(axis=1, keepdims=True))

THM_7_2 = Theorem(
    id="EC500-7.2", title="minibatch SGD, eta = 1/max(H, sigma sqrt(HT/B)): E||grad L(w_hat)|| = O(1/(BT)^(1/4))",
    bound_text="sqrt(2 Delta H)/sqrt(T) + sqrt((1 + 2 Delta) sigma) H^(1/4)/(B T)^(1/4)", bound=_t72_bound,
    statement="corrected",
    default=lambda seed: Instance(cosine_sum(d=4, seed=seed), numpy.full(4, 0.3), T=100, hyper={"B": 4},
                                  oracle=noisy(2.0), seeds=100, label="sum of cos, sphere noise, B = 4"),
    draw=lambda problem, T, u: Instance(problem, start(problem, u[0]), T=T, hyper={"B": 1 + int(8 * u[1])},
                                        oracle=noisy(3 * u[2], "gaussian" if u[3] < 0.5 else "sphere"),
                                        seeds=MC_SEEDS),
    **_T72,
)

THM_7_2_PRINTED = Theorem(
    id="EC500-7.2/printed", title="Theorem 7.2 as printed: H^(1/4) inside the square root",
    bound_text="sqrt(2 Delta H)/sqrt(T) + sqrt(sigma (1 + 2 Delta) H^(1/4))/(B T)^(1/4)",
    bound=lambda inst: _t72_bound(inst, printed=True), statement="printed", expect=False,
    default=_t72_counterexample, counterexample=_t72_counterexample,
    note="Derivation: with eta = 1/max(H, sigma sqrt(HT/B)), 2 Delta/eta <= 2 Delta H + 2 Delta sigma "
         "sqrt(HT/B) and H T eta sigma^2/B <= sigma sqrt(HT/B), so sum E||grad||^2 <= 2 Delta H + (1 + 2 Delta) "
         "sigma sqrt(HT/B); dividing by T, Jensen and sqrt(a + b) <= sqrt a + sqrt b give sqrt((1 + 2 Delta) "
         "sigma) H^(1/4)/(BT)^(1/4). L1163 puts H^(1/4) under the root (H^(1/8) overall). On a stiff 1-D "
         "quadratic (H = 1e4) at its stationary noise level the measured E||grad L(w_hat)|| is about "
         "0.56 of the derived noise term and 1.7 times the printed one. (L1161's L is H.)",
    **_T72,
)

THEOREMS = (THM_3_2, THM_6_1, THM_6_1_EXACT, THM_6_1_B, THM_6_1_C, THM_6_2, THM_6_2_PRINTED, THM_6_2_C,
            THM_7_1, THM_7_2_A, THM_7_2, THM_7_2_PRINTED)
