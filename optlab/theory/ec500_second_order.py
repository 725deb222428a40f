"""Second-order smoothness, the negative-curvature step and cubic-regularized Newton, EC500 section 25 (seed 003).

L is J-second-order smooth (Def 25.1, L3734: ||hess L(x) - hess L(y)|| <= J ||x - y||, optlab's ``rho``);
lambda(w) = -lambda_min(hess L(w)); Delta = L(w_1) - L_*; cubic Newton is w_{t+1} = w_t + delta_t^* with
delta_t^* the global minimiser of P_t(delta) = <grad L(w_t), delta> + delta^T hess L(w_t) delta / 2
+ J ||delta||^3 / 6 (L3859-3867).

* **Lemma 25.4** (L3782-3784): L(x + delta) <= L(x) + <grad L(x), delta> + delta^T hess L(x) delta / 2
  + J ||delta||^3 / 6; checked at every cubic-Newton step (x = w_t, delta = delta_t^*). Equality on the
  cubic model f(x) = x^T A x / 2 + c^T x + rho ||x||^3 / 6 from x = 0.
* **Lemma 25.5** (L3794-3796): ||grad L(x + delta) - grad L(x) - hess L(x) delta|| <= J ||delta||^2 / 2,
  at every cubic-Newton step; equality on the same model from 0.
* **Theorem 25.7** (L3847-3849): if v^T hess L(w) v = -lambda < 0 for the unit bottom eigenvector v, the
  step delta = -(2 lambda / J) v sign(<v, grad L(w)>) gives L(w + delta) <= L(w) - 2 lambda^3 / (3 J^2);
  equality on the cubic model with c = 0 from its strict saddle 0.
* **Theorem 25.8** (L3879-3937): printed, some t <= T has ||grad L(w_{t+1})|| <= 6^(2/3) Delta^(2/3)
  J^(4/3) / T^(2/3) and lambda(w_{t+1}) <= 2 6^(1/3) Delta^(1/3) J^(2/3) / T^(1/3). Dimensionally wrong
  and false on a real run (erratum E16). Corrected (derived below): some t <= T has
  ||grad L(w_{t+1})|| <= J^(1/3) (12 Delta/T)^(2/3) and lambda(w_{t+1}) <= (3/2) J^(2/3) (12 Delta/T)^(1/3).

Both forms of Theorem 25.8 are checked for every horizon T' <= T (a run of T steps contains the runs of
T' steps), through the existence statement's ratio
min_{t<=T'} max(||grad L(w_{t+1})|| / eps_g(T'), lambda_+(w_{t+1}) / eps_lambda(T')) <= 1.
"""
from __future__ import annotations


import numpy

from ..algorithms import CubicNewton, NegativeCurvature
from ..problems import cubic_test, strict_saddle
from .ec500_normalized import grads, slack
from .measures import iterates, losses, per_run
from .theorem import Instance, Theorem

SOURCE = "EC500 notes (seed 003)"


def hessians(problem, W):
    """Symmetrised Hessians (from d Hessian-vector products, as the algorithms assemble them)."""
    out = []
    for w in W:
        A = numpy.asarray(problem.hessian(w), dtype=float)
        out.append((A + A.T) / 2)
    return numpy.array(out)


def _J(inst):
    return float(inst.hyper["J"])


def _draw_J(problem, u):
    """J >= rho (J > 0 for the algorithms): rho (1 + 3u), or in [0.05, 0.2] where rho = 0."""
    return max(problem.rho, 0.05) * (1 + 3 * u)


def _x0(problem, u):
    return numpy.asarray(problem.x0(seed=1 + int(u * 1000)))


# ---- Lemmas 25.4 and 25.5 along cubic-Newton steps -------------------------------------------------

def _taylor_measure(order):
    def measure(runs, inst):
        p = inst.problem

        def one(r):
            W = iterates(r)
            D = W[1:] - W[:-1]
            G, A = grads(p, W[:-1]), hessians(p, W[:-1])
            AD = numpy.einsum("tij,tj->ti", A, D)
            if order == 3:          # Lemma 25.4: remainder of the second-order Taylor model of L
                f = losses(p, W)
                lin, quad = numpy.sum(G * D, axis=1), 0.5 * numpy.sum(D * AD, axis=1)
                return f[1:] - f[:-1] - lin - quad - slack(f[1:], f[:-1], lin, quad)
            G1 = grads(p, W[1:])    # Lemma 25.5: remainder of the first-order model of grad L
            err = numpy.linalg.norm(G1 - G - AD, axis=1)
            return err - slack(numpy.linalg.norm(G1, axis=1), numpy.linalg.norm(G, axis=1),
                               numpy.linalg.norm(AD, axis=1))

        return per_run(runs, one)
    return measure


def _taylor_bound(order):
    def bound(inst):
        from ..algorithms import run

        W = iterates(run(CubicNewton(J=_J(inst)), inst.problem, steps=inst.T, x0=inst.x0, progress=False))
        r = numpy.linalg.norm(W[1:] - W[:-1], axis=1)
        rho = inst.problem.rho
        return rho * r ** 3 / 6 if order == 3 else rho * r ** 2 / 2
    return bound


def _cubic_tight():
    p = cubic_test(d=3, rho=2.0, lam_min=-1.0, lam_max=1.0, c_norm=1.0, seed=0)
    return Instance(p, numpy.zeros(3), T=1, hyper={"J": 2.0}, label="tight")


def _cubic_draw(problem, T, u):
    return Instance(problem, _x0(problem, u[0]), T=min(T, 12), hyper={"J": _draw_J(problem, u[1])})


def _strict_saddle_default(seed):
    p = strict_saddle(d=3, k=1)
    x0 = numpy.array([1.0, -0.5, 1e-3]) + 0.1 * seed
    return Instance(p, x0, T=20, hyper={"J": p.rho}, label="strict saddle, J = rho")


def _lemma(order, number, lines, measured_text, bound_text):
    return Theorem(
        id=f"EC500-{number}", title=f"second-order smoothness: Taylor remainder of {'L' if order == 3 else 'grad L'}",
        source=f"{SOURCE} Lemma {number}, {lines}", algorithm="cubic_newton",
        requires=frozenset({"second_order_smooth"}), constants=("rho",),
        rule="any x, delta (checked at the steps of cubic Newton with any J >= rho)", kind="every_step",
        measured_text=measured_text, bound_text=bound_text,
        method=lambda inst: CubicNewton(J=_J(inst)), measure=_taylor_measure(order), bound=_taylor_bound(order),
        default=_strict_saddle_default, admissible={"J": (lambda p: p.rho, None)}, tight=True,
        tight_instance=_cubic_tight, tight_factor=0.999999, draw=_cubic_draw,
        note="J in the bound is the problem's rho (the tightest constant the family certifies). Equality "
             "holds on optlab's cubic_test family from x = 0, where L is its own cubic model.")


LEMMA_25_4 = _lemma(3, "25.4", "L3782-3790",
                    "L(w_{t+1}) - L(w_t) - <grad L(w_t), delta_t> - delta_t^T hess L(w_t) delta_t / 2",
                    "J ||delta_t||^3 / 6")
LEMMA_25_5 = _lemma(2, "25.5", "L3794-3810",
                    "||grad L(w_{t+1}) - grad L(w_t) - hess L(w_t) delta_t||", "J ||delta_t||^2 / 2")


# ---- Theorem 25.7: the negative-curvature step -----------------------------------------------------

def _nc_lambdas(p, W, J):
    lam = numpy.array([numpy.linalg.eigvalsh(A)[0] for A in hessians(p, W)])
    return numpy.where(lam < 0, 2 * (-lam) ** 3 / (3 * J ** 2), 0.0), lam < 0


def _thm257_measure(runs, inst):
    return per_run(runs, lambda r: _nc_lambdas(inst.problem, iterates(r)[:-1], _J(inst))[0])


def _thm257_bound(inst):
    from ..algorithms import run

    p = inst.problem
    W = iterates(run(_thm257_method(inst), p, steps=inst.T, x0=inst.x0, progress=False))
    f = losses(p, W)
    _, nc = _nc_lambdas(p, W[:-1], _J(inst))
    return numpy.where(nc, f[:-1] - f[1:] + slack(f[:-1], f[1:]), 0.0)   # the decrease, on NC steps


def _thm257_method(inst):
    return NegativeCurvature(J=_J(inst), lr=inst.hyper.get("lr", 0.1))


THM_25_7 = Theorem(
    id="EC500-25.7", title="negative-curvature step: L decreases by at least 2 lambda^3 / (3 J^2)",
    source=f"{SOURCE} Thm 25.7, L3847-3855", algorithm="negative_curvature",
    requires=frozenset({"second_order_smooth"}), constants=("rho",),
    rule="J >= rho; delta = -(2 lambda/J) v sign(<v, grad L(w)>)", kind="every_step",
    measured_text="2 lambda_t^3 / (3 J^2) on steps with lambda_t = -lambda_min(hess L(w_t)) > 0 (else 0)",
    bound_text="L(w_t) - L(w_{t+1}) (else 0)",
    method=_thm257_method, measure=_thm257_measure, bound=_thm257_bound,
    default=lambda seed: Instance(cubic_test(d=4, rho=2.0, lam_min=-1.0, seed=seed), numpy.zeros(4), T=10,
                                  hyper={"J": 2.0, "lr": 0.1}, label="cubic test, from its saddle region"),
    admissible={"J": (lambda p: p.rho, None), "lr": (0.0, None)}, tight=True,
    tight_instance=lambda: Instance(cubic_test(d=3, rho=2.0, lam_min=-1.0, c_norm=0.0, seed=0), numpy.zeros(3),
                                    T=1, hyper={"J": 2.0, "lr": 0.1}, label="tight"),
    tight_factor=0.999999,
    draw=lambda problem, T, u: Instance(problem, _x0(problem, u[0]), T=min(T, 12),
                                        hyper={"J": _draw_J(problem, u[1]), "lr": 0.02 + 0.2 * u[2]}),
    note="Steps without negative curvature are gradient steps, outside the theorem (both sides 0). The "
         "bound is attained on the cubic model x^T A x/2 + rho ||x||^3/6 from its saddle x = 0, whose "
         "minimum value is exactly 2 lambda_min^3 / (3 rho^2).",
)


# ---- Theorem 25.8: cubic Newton finds an approximate second-order stationary point ------------------

def _sosp_ratio(printed):
    def eps(inst, Tp):
        D, J = float(inst.problem.f(inst.x0)) - inst.problem.f_star, _J(inst)
        if printed:
            return (6 ** (2 / 3) * D ** (2 / 3) * J ** (4 / 3) / Tp ** (2 / 3),
                    2 * 6 ** (1 / 3) * D ** (1 / 3) * J ** (2 / 3) / Tp ** (1 / 3))
        return J ** (1 / 3) * (12 * D / Tp) ** (2 / 3), 1.5 * J ** (2 / 3) * (12 * D / Tp) ** (1 / 3)

    def measure(runs, inst):
        p = inst.problem

        def one(r):
            W = iterates(r)[1:]                                   # w_2 .. w_{T+1}
            g = numpy.linalg.norm(grads(p, W), axis=1)
            lam = numpy.maximum(-numpy.array([numpy.linalg.eigvalsh(A)[0] for A in hessians(p, W)]), 0.0)
            out = []
            for Tp in range(1, inst.T + 1):
                eg, el = eps(inst, Tp)
                out.append(numpy.min(numpy.maximum(g[:Tp] / eg, lam[:Tp] / el)))
            return out

        return per_run(runs, one)
    return measure


def _thm258(printed, **kw):
    eg = "6^(2/3) Delta^(2/3) J^(4/3) / T^(2/3)" if printed else "J^(1/3) (12 Delta / T)^(2/3)"
    el = "2 6^(1/3) Delta^(1/3) J^(2/3) / T^(1/3)" if printed else "(3/2) J^(2/3) (12 Delta / T)^(1/3)"
    return Theorem(
        id="EC500-25.8" + ("/printed" if printed else ""),
        title="cubic-regularized Newton reaches an approximate second-order stationary point",
        source=f"{SOURCE} Thm 25.8, L3879-3937", algorithm="cubic_newton",
        requires=frozenset({"second_order_smooth"}), constants=("rho", "f_star"), rule="J >= rho, exact cubic steps",
        kind="every_step",
        measured_text=f"min_(t<=T) max(||grad L(w_(t+1))|| / eps_g, lambda_+(w_(t+1)) / eps_lambda), eps_g = {eg}, "
                      f"eps_lambda = {el}",
        bound_text="1", method=lambda inst: CubicNewton(J=_J(inst)), measure=_sosp_ratio(printed),
        bound=lambda inst: numpy.ones(inst.T), default=_strict_saddle_default,
        admissible={"J": (lambda p: p.rho, None)}, **kw)


def _thm258_counterexample():
    p = strict_saddle(d=3, k=1, a=1.0, b=10.0)                 # J = a/b^3 = 1e-3
    return Instance(p, numpy.asarray(p.x0()), T=5, hyper={"J": p.rho},
                    label="strict saddle a = 1, b = 10 (J = 1e-3), from its default start")


THM_25_8_PRINTED = _thm258(
    True, statement="printed", expect=False, counterexample=_thm258_counterexample,
    note="E16. (1) Units: under L -> a L(./b) the gradient scales as a/b and J as a/b^3, but the printed "
         "gradient bound as a^2/b^4. (2) The proof's case ||delta*|| > sqrt(eps)/J ends with P_t(delta*) < "
         "+eps^(3/2)/(6 J^2), which is no decrease (sqrt(eps) r^2/2 - J r^3/3 is positive at r = "
         "sqrt(eps)/J). (3) Case 2 writes 2 eps^(3/2)/(3J) for 2 eps^(3/2)/(3 J^2). (4) ||grad L(w_{t+1})|| "
         "<= J r^2 with r <= sqrt(eps)/J gives eps/J, not eps. Corrected proof: from (11), P_t(delta*) = "
         "-delta*^T A delta*/2 - J r^3/3, and the global minimiser satisfies A + (J r/2) I >= 0, so "
         "delta*^T A delta* >= -J r^3/2 and (i) L(w_{t+1}) <= L(w_t) + P_t(delta*) <= L(w_t) - J r^3/12; "
         "(ii) ||grad L(w_{t+1})|| <= J r^2/2 + J r^2/2 = J r^2 (Lemma 25.5 and (11)); (iii) hess L(w_{t+1}) "
         ">= hess L(w_t) - J r I >= -(3/2) J r I. Summing (i), some t <= T has r_t^3 <= 12 Delta/(J T).")

THM_25_8 = _thm258(
    False, statement="corrected",
    draw=lambda problem, T, u: Instance(problem, _x0(problem, u[0]), T=min(T, 12),
                                        hyper={"J": _draw_J(problem, u[1])}),
    note="Derived in the note of EC500-25.8/printed (the catalogue's corrected theorem, re-derived): with "
         "r_t = ||delta_t*||, L(w_{t+1}) <= L(w_t) - J r_t^3/12, ||grad L(w_{t+1})|| <= J r_t^2 and "
         "lambda(w_{t+1}) <= (3/2) J r_t, hence some t <= T has r_t <= (12 Delta/(J T))^(1/3). Equivalently "
         "T >= 12 Delta sqrt(J)/eps^(3/2) steps give an (eps, (3/2) sqrt(J eps)) second-order stationary "
         "point. The ratio is invariant under L -> a L(./b), as it must be.")

THEOREMS = (LEMMA_25_4, LEMMA_25_5, THM_25_7, THM_25_8_PRINTED, THM_25_8)
