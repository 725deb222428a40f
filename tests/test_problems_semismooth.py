"""The kinked quadratic (optlab.problems.semismooth): its certified constants at random points, and slides 004's
D5 with c > 0 on it (004-D5/semismooth; the printed factor 004-D5/semismooth/printed fails where c > delta).

Independent checks: each constant is tested against its defining inequality at random pairs (none is read
back from the code that states it); the semi-smoothness c is shown tight (needed as the step shrinks across
a kink, so c = 0, i.e. smoothness, is impossible); gradients against the engine and finite differences.
"""
import dataclasses

import numpy
import pytest

from optlab.problems import kinked_quadratic, power_norm
from optlab.theory import Instance, check, get
from optlab.theory.slides004_extra import semi_smoothness

CASES = [dict(d=2, a_min=0.5, a_max=1.0, eps=0.1), dict(d=3, a_min=0.2, a_max=1.5, eps=0.3),
         dict(d=1, a_min=0.7, a_max=0.7, eps=0.05), dict(d=4, a_min=0.02, a_max=1.0, eps=0.005)]


def _pairs(p, n, seed):
    """Random pairs, half of them straddling a kink |x_i| = 1 or the minimiser 0 in some coordinate."""
    rng = numpy.random.default_rng(seed)
    X, Y = 2.5 * rng.standard_normal((n, p.d)), 2.5 * rng.standard_normal((n, p.d))
    i = rng.integers(p.d, size=n // 2)
    Y[: n // 2, :][numpy.arange(n // 2), i] = rng.choice([-1, 1], n // 2) * (1 - 10 ** rng.uniform(-8, -1, n // 2))
    X[: n // 2] = Y[: n // 2] + 10 ** rng.uniform(-6, 0, (n // 2, 1)) * rng.standard_normal((n // 2, p.d))
    return X, Y


def _excess(p, X, Y):
    """f(x) - f(y) - <grad f(y), x - y>, one per pair."""
    return p.f(X) - p.f(Y) - numpy.sum(p.grad(Y) * (X - Y), axis=1)


@pytest.mark.parametrize("kw", CASES, ids=str)
def test_semi_smoothness_holds_at_random_pairs(kw):
    p = kinked_quadratic(**kw)
    c, beta = semi_smoothness(p)
    X, Y = _pairs(p, 4000, 0)
    D = numpy.linalg.norm(X - Y, axis=1)
    rhs = c * D * numpy.sqrt(p.f(Y)) + beta / 2 * D ** 2
    assert numpy.all(_excess(p, X, Y) <= rhs * (1 + 1e-9) + 1e-12)


@pytest.mark.parametrize("kw", CASES, ids=str)
def test_c_is_needed_as_the_step_shrinks_across_a_kink(kw):
    """y just inside the kink on the a_max coordinate (others 0), x just outside: the excess over
    ||d|| sqrt(f(y)) tends to sqrt(2) eps a_max, the certified c; so no beta works with c = 0 (not smooth)."""
    p = kinked_quadratic(**kw)
    c, beta = semi_smoothness(p)
    y = numpy.zeros(p.d)
    y[-1] = 1 - 1e-12
    for h in (1e-5, 1e-7):
        x = y.copy()
        x[-1] = 1 + h
        need = _excess(p, x[None], y[None])[0] / (numpy.linalg.norm(x - y) * numpy.sqrt(p.f(y)))
        assert need == pytest.approx(c, rel=5e-3)
        assert _excess(p, x[None], y[None])[0] > beta / 2 * (x - y) @ (x - y) * 10   # beta alone cannot cover it


@pytest.mark.parametrize("kw", CASES, ids=str)
def test_error_bound_and_strong_convexity_at_random_points(kw):
    p = kinked_quadratic(**kw)
    X, Y = _pairs(p, 4000, 1)
    G = p.grad(X)
    assert numpy.all(numpy.sum(G * G, axis=1) >= 2 * p.pl_mu * (p.f(X) - p.f_star) * (1 - 1e-12))
    assert numpy.all(_excess(p, Y, X) >= p.mu / 2 * numpy.sum((X - Y) ** 2, axis=1) * (1 - 1e-9) - 1e-12)
    e = numpy.zeros(p.d)
    e[0] = 0.5                                                   # inside the kink on the a_min axis: equality
    assert float(p.grad(e) @ p.grad(e)) == pytest.approx(2 * p.pl_mu * p.value(e), rel=1e-12)


def test_gradient_matches_engine_and_finite_differences_away_from_kinks():
    p = kinked_quadratic(d=3, a_min=0.3, a_max=1.2, eps=0.2)
    rng = numpy.random.default_rng(3)
    for _ in range(20):
        x = 3 * rng.standard_normal(3)
        if numpy.min(numpy.abs(numpy.abs(x) - 1)) < 1e-3 or numpy.min(numpy.abs(x)) < 1e-3:
            continue
        assert numpy.allclose(p.grad(x), p.engine_grad(x), rtol=1e-13, atol=1e-14)
        fd = [(p.value(x + 1e-6 * e) - p.value(x - 1e-6 * e)) / 2e-6 for e in numpy.eye(3)]
        assert numpy.allclose(p.grad(x), fd, rtol=1e-6, atol=1e-8)


def test_eps_zero_is_the_smooth_quadratic():
    p = kinked_quadratic(d=2, a_min=0.5, a_max=1.0, eps=0.0)
    assert "smooth" in p.assumptions and p.H == 1.0 and semi_smoothness(p) == (0.0, 1.0)


def test_D5_with_c_positive_holds_on_drawn_instances():
    t = get("004-D5/semismooth")
    rng = numpy.random.default_rng(4)
    for _ in range(12):
        kw = dict(d=int(rng.integers(1, 5)), a_min=float(rng.uniform(0.05, 0.8)), a_max=1.0,
                  eps=float(rng.uniform(0.0, 0.4)))
        p = kinked_quadratic(**kw)
        lo, hi = 2 * semi_smoothness(p)[0] / (2 * p.pl_mu) ** 0.5 / semi_smoothness(p)[1], 1 / semi_smoothness(p)[1]
        if lo >= hi:                                            # eps too large for the slides' c condition
            with pytest.raises(ValueError, match="admits lr"):
                check(t, Instance(p, 3 * rng.standard_normal(p.d), T=5, hyper={"lr": hi * 0.99}))
            continue
        lr = lo + (hi - lo) * float(rng.uniform(0.0, 0.999))
        result = check(t, Instance(p, 3 * rng.standard_normal(p.d), T=30, hyper={"lr": lr}))
        assert result.holds, (kw, lr, result.ratio)


def test_D5_semismooth_can_fail_and_the_printed_factor_fails():
    t = get("004-D5/semismooth")
    shrunk = dataclasses.replace(t, bound=lambda inst: 0.99 * t.bound(inst))
    printed = get("004-D5/semismooth/printed")
    assert not check(printed, printed.counterexample()).holds
    assert check(t, printed.counterexample()).holds
    assert not check(shrunk, printed.counterexample()).holds    # the corrected bound is close there (ratio 0.9999)


def test_a_family_without_semi_smoothness_constants_is_refused():
    p = power_norm(d=2, p=4.0)
    with pytest.raises(ValueError, match="semi_c"):
        semi_smoothness(p)
