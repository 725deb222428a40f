"""Checks of 002-AN-GD-PL (AN-GD under generalized PL, seed 002 eq. 10-12) that the generic theorem tests do not make.

* the one-step decrease under (C1), (C2) at random points of the certified families (the lemma the bound rests on);
* the regime bound solves the recursion (tight when every step decreases by exactly c Delta^q) and ``iterations``
  inverts it;
* with the slides' step size gamma ~ eps^(beta/rho), the iteration counts scale as eq. (10) and (11) say;
* the slides' example rho = 1, beta in {2/3, 1} (L252-260): the PL constant on the ball, both runs inside the bound
  down to eps, in the regimes q = 4/3 and q = 1.
"""
import math

import numpy
import pytest
from hypothesis import given, settings, strategies as st

from optlab.problems import cosh_sum, power_norm
from optlab.theory import check, get
from optlab.theory import paper002_pl as pl

unit = st.floats(0.0, 1.0, exclude_max=True)


@settings(max_examples=200, deadline=None)
@given(which=st.sampled_from(["p3", "p4", "p6", "cosh"]), d=st.integers(1, 4), u=st.tuples(unit, unit, unit),
       x=st.lists(st.floats(-3, 3), min_size=4, max_size=4))
def test_one_step_decrease_under_C1_and_C2(which, d, u, x):
    """Delta(w - gamma g/||g||^beta) <= Delta(w) - (gamma/2) ||g||^(2-beta) wherever (C1) and (C2) hold."""
    p = cosh_sum(d=d, a=0.5 + u[0]) if which == "cosh" else power_norm(d=d, p=float(which[1:]))
    w = numpy.array(x[:d])
    g = numpy.asarray(p.grad(w))
    n = float(numpy.linalg.norm(g))
    if n == 0:
        return
    beta = p.alpha + (1 - p.alpha) * u[1]
    top = min(1 / (2 * pl.E * p.L1 * n ** (1 - beta)), n ** beta / (2 * pl.E * pl.L0_prime(p)))
    gamma = (0.01 + 0.99 * u[2]) * top                               # (C1) and (C2) hold at w
    assert pl.conditions(p, w[None], gamma, beta, 2.0, 0.0)[0]       # (PL with mu = 0 is vacuous)
    after = float(p.f(w - gamma * g / n ** beta))
    assert after <= float(p.f(w)) - gamma / 2 * n ** (2 - beta) + 1e-12 * (1 + float(p.f(w)))


@given(delta0=st.floats(1e-3, 1e3), c=st.floats(1e-4, 0.5), q=st.sampled_from([0.5, 0.75, 1.0, 4 / 3, 2.0, 3.0]))
def test_regime_bound_solves_the_recursion(delta0, c, q):
    """The worst sequence Delta_{s+1} = Delta_s - c Delta_s^q stays below R_q(Delta_0, c t); for q = 1 it equals it."""
    seq = [delta0]
    for _ in range(50):
        nxt = seq[-1] - c * seq[-1] ** q
        if nxt < 0 or seq[-1] == 0:               # q < 1: the recursion cannot go on below c^(1/(1-q))
            break
        seq.append(nxt)
    t = numpy.arange(len(seq))
    R = pl.regime_bound(delta0, c, q, t)
    assert numpy.all(numpy.array(seq) <= R * (1 + 1e-9) + 1e-12)
    if q == 1.0:
        assert numpy.allclose(seq, R, rtol=1e-9)


@given(delta0=st.floats(1e-2, 1e2), c=st.floats(1e-3, 0.5), q=st.sampled_from([1.0, 4 / 3, 2.0]),
       eps=st.floats(1e-4, 1e-1))
def test_iterations_is_the_first_t_with_the_bound_below_eps(delta0, c, q, eps):
    T = pl.iterations(eps, delta0, c, q)
    assert pl.regime_bound(delta0, c, q, T) <= eps * (1 + 1e-9)
    if T > 0:
        assert pl.regime_bound(delta0, c, q, T - 1) > eps * (1 - 1e-9)


@pytest.mark.parametrize("rho, beta", [(1.0, 2 / 3), (0.8, 0.9), (1.0, 1.0), (4 / 3, 2 / 3)])
def test_iteration_counts_scale_as_eq_10_and_11(rho, beta):
    """With gamma = (2 mu eps)^(beta/rho)/(2 e L0'): T(eps) ~ eps^-((2-rho)/rho) if rho + beta < 2 (eq. 10),
    eps^-(beta/rho) log(Delta_0/eps) if rho + beta = 2 (eq. 11): the ratio to these stays bounded as eps -> 0."""
    p, mu, delta0 = power_norm(d=2, p=4.0), 1.0, 1.0
    q = pl.exponent(rho, beta)

    def T(eps):
        return pl.iterations(eps, delta0, pl.rate_constant(pl.lr_for_accuracy(p, eps, beta, rho, mu), mu, q), q)

    rate = ((lambda e: e ** (-(2 - rho) / rho)) if rho + beta < 2 - 1e-12
            else (lambda e: e ** (-beta / rho) * math.log(delta0 / e)))
    ratios = [T(eps) / rate(eps) for eps in (1e-6, 1e-9, 1e-12)]
    assert max(ratios) / min(ratios) < 1.1, ratios


def test_power_norm_ball_pl_holds_on_the_ball_and_fails_outside():
    rng = numpy.random.default_rng(0)
    p, R, rho = power_norm(d=3, p=4.0), 1.5, 1.0
    mu = pl.power_norm_ball_pl(4.0, R, rho)
    X = rng.standard_normal((200, 3))
    X *= (rng.uniform(0.01, 1, 200) * R / numpy.linalg.norm(X, axis=1))[:, None]
    g, f = numpy.linalg.norm(p.grad(X), axis=1), p.f(X)
    assert numpy.all(g ** rho >= 2 * mu * f * (1 - 1e-12))
    x_out = numpy.array([1.1 * R, 0.0, 0.0])
    assert numpy.linalg.norm(p.grad(x_out)) ** rho < 2 * mu * float(p.f(x_out))
    with pytest.raises(ValueError, match="rho must be in"):
        pl.power_norm_ball_pl(4.0, R, 1.5)


@pytest.mark.parametrize("beta, q", [(2 / 3, 4 / 3), (1.0, 1.0)])
def test_the_slides_rho_one_example(beta, q):
    """rho = 1 on the ball: beta = 2/3 is the polynomial regime (q = 4/3), beta = 1 the linear one (q = 1); the
    bound holds on the run until the floor, which lies below eps, and the run reaches eps in the bound's count."""
    theorem, inst = get("002-AN-GD-PL"), pl.rho_one_example(beta, eps=1e-2)
    assert pl.exponent(inst.hyper["rho"], beta) == pytest.approx(q)
    c = check(theorem, inst)
    assert c.holds and c.ratio <= 1
    covered = int((c.bound > 0).sum())
    delta = numpy.asarray(c.measured[:covered])
    assert covered > 10 and delta[-1] <= 1e-2                  # the checked prefix reaches eps
    assert numpy.argmax(delta <= 1e-2) + 1 <= inst.T           # ... within the regime's iteration count
