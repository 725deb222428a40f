"""EC500 sections 21-22: Lemma 21.1's regularisation path, the almost-convexity flag (Def 22.2) and the inner
solver of the almost-convex loop (Theorem 22.3).

* The flag: every family claiming ``almost_convex`` states extra['gamma'], the engine's Hessian (reverse over
  reverse, not the family's analytic hvp) has lambda_min >= -gamma at random points, and -gamma is attained at
  the witness its docstring names (so gamma cannot be lowered: the random check fails at 0.999 gamma there).
* Theorems requiring the flag pair with the flagged families only and refuse others by name.
* Each new theorem fails when the thing it checks is broken (a reversed lambda grid, an over-large momentum).
"""
import dataclasses
import math

import numpy as np
import pytest

from optlab.algorithms import AlmostConvexProx
from optlab.problems import FAMILIES, Oracle, cosine_sum, least_squares, log_sum, pl_sine, quadratic
from optlab.theory import AssumptionError, Instance, check, compatible_families, get
from optlab.theory.ec500_almost_convex import inner_steps_guaranteed
from optlab.theory.ec500_regularization import EC500_21_1, ridge_minimiser

FLAGGED = [f for f in FAMILIES if "almost_convex" in f.assumptions]


def engine_hessian(p, x):
    """The dense Hessian from the engine's Hessian-vector products (independent of the analytic hvp)."""
    eye = np.eye(p.d)
    M = np.stack([np.asarray(p.engine_hvp(np.asarray(x, dtype=float), e), dtype=float) for e in eye], axis=1)
    return (M + M.T) / 2


def lambda_min(p, x):
    return float(np.linalg.eigvalsh(engine_hessian(p, x))[0])


# ---- the flag ------------------------------------------------------------------------------------------

def test_the_flagged_families_state_gamma_and_gamma_is_at_most_H():
    assert sorted(f.name for f in FLAGGED) == ["cosine_sum", "log_sum", "pl_sine"]
    for f in FLAGGED:
        p = f.make()
        assert "almost_convex" in p.assumptions and 0 <= p.extra["gamma"] <= p.H, f.name


@pytest.mark.parametrize("family", FLAGGED, ids=lambda f: f.name)
def test_gamma_bounds_the_engine_hessian_from_below_at_random_points(family):
    rng = np.random.default_rng(0)
    for d, seed in ((1, 0), (3, 1), (4, 2)):
        p = family.make(d=d, **({"seed": seed} if family.name != "pl_sine" else {}))
        gamma = p.extra["gamma"]
        points = [np.asarray(p.x0(), dtype=float) + s * rng.standard_normal(d) for s in (0.3, 1.0, 3.0, 10.0)
                  for _ in range(25)]
        worst = min(lambda_min(p, x) for x in points)
        assert worst >= -gamma * (1 + 1e-9) - 1e-12, (family.name, d, worst, -gamma)


@pytest.mark.parametrize("name, make", [
    ("cosine_sum", lambda: cosine_sum(d=3, a=2.0, b=0.5, seed=1)),
    ("log_sum", lambda: log_sum(d=3, seed=1)),                        # rotate=False: u = w - c
    ("pl_sine", lambda: pl_sine(d=3)),
])
def test_gamma_is_attained_so_it_cannot_be_lowered(name, make):
    p = make()
    gamma = p.extra["gamma"]
    x = {"cosine_sum": np.zeros(p.d), "log_sum": p.x_star + math.sqrt(3.0),
         "pl_sine": np.full(p.d, math.pi / 2)}[name]
    assert lambda_min(p, x) == pytest.approx(-gamma, rel=1e-9)
    assert lambda_min(p, x) < -0.999 * gamma          # the random-point check would fail at 0.999 gamma


def test_theorems_needing_the_flag_pair_with_the_flagged_families_only():
    flagged = {f.name for f in FLAGGED}
    for tid in ("EC500-22.3", "EC500-22.3-gap", "EC500-22-almost-convex"):
        t = get(tid)
        assert "almost_convex" in t.requires
        assert {f.name for f in compatible_families(t)} == flagged, tid


@pytest.mark.parametrize("tid, hyper", [("EC500-22-almost-convex", {"gamma": 0.5, "eps": 0.1}),
                                        ("EC500-22.3", {"gamma": 0.5})])
def test_a_problem_without_the_flag_is_refused_by_name(tid, hyper):
    p = quadratic(d=2, mu=1.0, H=1.0, x_star=[0.0, 0.0])            # convex, but no certified flag
    with pytest.raises(AssumptionError, match="almost_convex"):
        check(get(tid), Instance(p, [3.0, 4.0], T=2, hyper=hyper))


def test_gamma_below_the_certified_constant_is_refused():
    p = log_sum(d=2)
    with pytest.raises(ValueError, match="gamma"):
        check(get("EC500-22.3"), Instance(p, p.x_star + 3.0, T=2, hyper={"gamma": 0.2}))


# ---- Lemma 21.1 ----------------------------------------------------------------------------------------

def test_the_certified_newton_solve_matches_the_closed_form_on_least_squares():
    p = least_squares(n=30, d=4, seed=2)
    M, b = p.hessian(np.zeros(4)), -np.asarray(p.grad(np.zeros(4)))      # L = w'Mw/2 - b'w + const
    for lam in (1e-6, 1e-2, 1.0):
        w = ridge_minimiser(p.value, p.grad, p.hessian, lam, np.ones(4))
        assert np.allclose(w, np.linalg.solve(M + lam * np.eye(4), b), rtol=1e-12, atol=1e-14)


def test_lemma_21_1_fails_on_an_increasing_lambda_grid(monkeypatch):
    """Shown able to fail: with the grid reversed (lambda increasing) the norms decrease along it."""
    inst = EC500_21_1.theorem.default(0)
    assert check(EC500_21_1.theorem, inst).holds
    monkeypatch.setattr(EC500_21_1, "lams", lambda self, inst: np.geomspace(inst.hyper["lam_min"],
                                                                             inst.hyper["lam_max"], inst.T + 1))
    assert not check(EC500_21_1.theorem, inst).holds


def test_lemma_21_1_refuses_lam_min_above_lam_max():
    p = least_squares(n=20, d=3)
    with pytest.raises(ValueError, match="lam_min <= lam_max"):
        check(EC500_21_1.theorem, Instance(p, np.zeros(3), T=3, hyper={"lam_max": 0.1, "lam_min": 1.0}))


# ---- Theorem 22.3 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("tid", ["EC500-22.3", "EC500-22.3-gap"])
def test_theorem_22_3_fails_for_a_broken_inner_solver(tid, monkeypatch):
    """Shown able to fail: momentum 0.99 instead of (sqrt(kappa) - 1)/(sqrt(kappa) + 1) breaks the rate."""
    t = get(tid)
    inst = t.default(0)
    assert check(t, inst).holds
    monkeypatch.setattr(AlmostConvexProx, "momentum", property(lambda self: 0.99))
    assert not check(t, inst).holds


def test_the_outer_loop_never_uses_more_inner_steps_than_theorem_22_3_guarantees():
    p, gamma, eps = log_sum(d=4, seed=3), 0.25, 1e-4
    m = AlmostConvexProx(gamma=gamma, H=p.H, eps=eps, inner_steps=10_000)
    target = eps * min(1.0, math.sqrt(gamma / (3 * p.H)))
    oracle, s = Oracle(p), None
    s = m.init(np.asarray(p.x0(), dtype=float), oracle)
    used, promised = [], []
    for _ in range(12):                   # late steps: the start already meets the target, one step is used
        w = s.x
        s = m.step(s, oracle)
        used.append(s.inner)
        promised.append(inner_steps_guaranteed(p, w, gamma, target))
    assert all(u <= k for u, k in zip(used, promised)), (used, promised)
    assert min(used) >= 1


def test_the_printed_theorem_22_3_is_refused_where_its_N_depends_on_C():
    t = get("EC500-22.3/printed")
    inst = t.counterexample()
    assert not check(t, inst).holds
    with pytest.raises(AssumptionError, match="unspecified C"):
        check(t, dataclasses.replace(inst, hyper={**inst.hyper, "eps": inst.hyper["eps"] / 2}))
