"""Checks of EC500 sections 13-23 that the generic theorem tests do not cover.

The generic tests (tests/test_theorems.py) run every theorem's default, tight instance, counterexample
and draws; here: the claims quoted in the theorems' notes (second counterexamples, sharper constants,
closed forms) and the direction of each printed/corrected pair on one more instance.
"""
import dataclasses
import math

import numpy
import pytest

from optlab.algorithms import AcceleratedGD, Momentum, NesterovMomentum, run
from optlab.problems import log_sum, quadratic
from optlab.theory import THEOREMS, Instance, check
from optlab.theory.ec500_accel import PrintedMomentum
from optlab.theory.ec500_coordinate import var_factor
from optlab.theory.ec500_convex import delta

BY_ID = {t.id: t for t in THEOREMS}


def test_printed_algorithm_10_climbs_from_the_first_step():
    """E1: as printed, w_2 = w_1 + eta grad L(w_1); the corrected form descends and equals Algorithm 11."""
    p = quadratic(d=4, mu=0.1, H=1.0, seed=3)
    x0 = numpy.zeros(4)
    printed = run(PrintedMomentum(lr=1.0, momentum=NesterovMomentum()), p, steps=5, x0=x0, progress=False)
    assert numpy.all(numpy.diff(printed.loss) > 0)
    fixed = run(Momentum(lr=1.0, momentum=NesterovMomentum(), two_step=True), p, steps=30, x0=x0,
                progress=False)
    agd = run(AcceleratedGD(lr=1.0), p, steps=30, x0=x0, progress=False)
    assert numpy.allclose(fixed.x, agd.x, rtol=1e-10, atol=1e-12)
    assert fixed.loss[-1] < fixed.loss[0]


def test_hogwild_printed_bound_also_misses_the_factor_d():
    """E6, second counterexample of the note: no delay, d = 10, eta = 3/(d H) on log_sum."""
    p = log_sum(d=10, seed=0)
    inst = Instance(p, numpy.asarray(p.x0(0)), T=400, hyper={"lr": 3 / (10 * p.H), "tau": 0}, seeds=20)
    printed, corrected = check(BY_ID["EC500-19.1/printed"], inst), check(BY_ID["EC500-19.1"], inst)
    assert not printed.holds and printed.ratio > 3
    assert corrected.holds and corrected.ratio < 0.8


def test_adam_variance_closed_form_and_printed_values():
    """E5: the corrected closed form is sum beta^(2 tau) / (sum beta^tau)^2; the printed one is not."""
    for beta in (0.5, 0.9, 0.99):
        for t in (1, 2, 10, 100):
            w = beta ** numpy.arange(t)
            assert math.isclose(var_factor(beta, t), float(w @ w / w.sum() ** 2), rel_tol=1e-12)
    assert math.isclose(var_factor(0.9, 1, printed=True), 1 / (1 - 0.81))
    assert var_factor(0.9, 10, printed=True) > 9 * var_factor(0.9, 10)


@pytest.mark.parametrize("seed", [0, 1])
def test_svrg_lemma_holds_with_the_sharper_constants_6H_4H(seed):
    """E13: the exact split E||g||^2 = Var + ||grad L(w)||^2 gives 6H, 4H in Lemma 23.1."""
    theorem = BY_ID["EC500-23.1"]
    sharper = dataclasses.replace(theorem, bound=lambda inst: theorem.bound(inst) - 2 * _gap_term(inst))
    assert check(sharper, theorem.default(seed)).holds


def _gap_term(inst):
    from optlab.theory.ec500_svrg import H_term, _svrg_points
    from optlab.theory.ec500_convex import gaps

    W, _ = _svrg_points(inst)
    return H_term(inst.problem) * gaps(inst.problem, W)


def test_almost_convex_printed_final_constant_is_not_exceeded_at_the_prescribed_eps():
    """E12: the printed L3261 fails for small eps (the counterexample), but at eps^2 = gamma Delta/T the
    printed 5 gamma Delta/T was not exceeded: documented in the theorem's note."""
    theorem = BY_ID["EC500-22-almost-convex/printed"]
    base = theorem.counterexample()
    p, gamma, T = base.problem, base.hyper["gamma"], base.T
    eps = math.sqrt(gamma * delta(p, base.x0) / T)
    result = check(theorem, dataclasses.replace(base, hyper={"gamma": gamma, "eps": eps}))
    assert result.holds and result.ratio < 1


def test_printed_theorem_22_1_is_implied_by_the_sum_form():
    """E9: the printed average bound is T times weaker than the proved sum bound, so it always holds."""
    inst = BY_ID["EC500-22.1"].default(0)
    avg, total = check(BY_ID["EC500-22.1"], inst), check(BY_ID["EC500-22.1-sum"], inst)
    assert avg.holds and total.holds
    assert numpy.all(avg.measured <= total.measured + 1e-12)


def test_printed_momentum_step_size_is_not_scale_invariant():
    """E8: eta = alpha/sqrt(48 H) gives eta H = alpha sqrt(H/48), which grows with H; the corrected
    alpha/(4 sqrt6 H) keeps eta H fixed."""
    printed = BY_ID["EC500-20.3/printed"].counterexample()
    assert printed.hyper["lr"] * printed.problem.H > 6
    corrected = BY_ID["EC500-20.3"]
    inst = dataclasses.replace(printed, hyper={"alpha": 0.5, "lr": 0.5 / (4 * math.sqrt(6) * printed.problem.H)})
    assert check(corrected, inst).holds
