"""Every claimed constant of every family in FAMILIES, checked by its defining inequality at
hypothesis-drawn points (smoothness, strong convexity, convexity, Lipschitz, second-order smoothness,
generalized smoothness, generalized PL, noise variance, optimum), plus analytic-vs-engine derivatives.

Independent sources: the definitions (seed 003 Def 2.1, 2.2, 5.1, 21.3, 25.1; seed 002 eq. 5, 9), the
engine's reverse-mode gradients/HVPs, and enumeration over the terms of a finite sum.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optlab.problems import FAMILIES

INSTANCES = {fam.name: fam.make() for fam in FAMILIES}
NAMES = list(INSTANCES)
SCALE = {"cosh_sum": 2.0, "phase_retrieval": 1.0, "power_norm": 2.0, "batchnorm_net": 1.0}
RTOL = 1e-9


def _with(assumption=None, attr=None):
    out = []
    for name, p in INSTANCES.items():
        if assumption is not None and assumption not in p.assumptions:
            continue
        if attr is not None and getattr(p, attr, None) is None:
            continue
        out.append(name)
    return out


def _point(p, name, u):
    """A point of the problem's domain built from the hypothesis draw u in [-1, 1]^d."""
    x = p.x0() + SCALE.get(name, 3.0) * u
    if p.constrained:
        x = p.project(x)
    if name == "quadratic_lipschitz_ball":
        r = x - p.x_star
        x = p.x_star + r * min(1.0, 2.0 / max(np.linalg.norm(r), 1e-300))
    return x


def _draw(data, name, k):
    p = INSTANCES[name]
    us = [data.draw(hnp.arrays(np.float64, p.d, elements=st.floats(-1, 1, allow_nan=False)))
          for _ in range(k)]
    return name, p, [_point(p, name, u) for u in us]


def test_every_family_claims_what_its_entry_says():
    for fam in FAMILIES:
        assert INSTANCES[fam.name].assumptions == fam.assumptions, fam.name


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_analytic_gradient_and_hvp_agree_with_engine(name, data):
    name, p, (x, v) = _draw(data, name, 2)
    if name == "cubic_test" and np.linalg.norm(x) == 0:
        x = x + 1e-3  # the engine's power rule gives 0 * inf = nan for ||x||^3 exactly at 0
    g, ge = np.asarray(p.grad(x)), np.asarray(p.engine_grad(x))
    assert np.allclose(g, ge, rtol=1e-8, atol=1e-9 * (1 + np.abs(ge).max())), name
    h, he = np.asarray(p.hvp(x, v)), np.asarray(p.engine_hvp(x, v))
    assert np.allclose(h, he, rtol=1e-7, atol=1e-8 * (1 + np.abs(he).max())), name


@pytest.mark.parametrize("name", _with("finite_sum"))
@given(data=st.data())
def test_finite_sum_term_gradients_agree_with_engine_and_average_to_grad(name, data):
    name, p, (x,) = _draw(data, name, 1)
    idx = np.asarray(data.draw(st.lists(st.integers(0, p.n - 1), min_size=1, max_size=4)))
    gi, gie = p.grad_i(x, idx), p.engine_grad_i(x, idx)
    assert np.allclose(gi, gie, rtol=1e-8, atol=1e-9 * (1 + np.abs(gie).max())), name
    rows = p.grad_all(x)
    assert rows.shape == (p.n, p.d)
    assert np.allclose(rows[idx].mean(axis=0), gi, rtol=1e-9, atol=1e-12 * (1 + np.abs(gi).max()))
    w = np.full(p.n, 1 / p.n) if p.weights is None else p.weights
    assert np.allclose(w @ rows, p.grad(x), rtol=1e-9, atol=1e-10 * (1 + np.abs(rows).max())), name
    if p.weights is None:
        assert np.isclose(float(p.f_i(x, np.arange(p.n))), p.value(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", _with("smooth"))
@given(data=st.data())
def test_smoothness_H(name, data):
    name, p, (x, y) = _draw(data, name, 2)
    lhs = np.linalg.norm(p.grad(x) - p.grad(y))
    assert lhs <= p.H * np.linalg.norm(x - y) * (1 + RTOL) + 1e-12, name
    # the descent lemma (quadratic upper bound), the form the notes use
    up = p.value(x) + p.grad(x) @ (y - x) + p.H / 2 * np.sum((y - x) ** 2)
    assert p.value(y) <= up + RTOL * (1 + abs(up)), name


@pytest.mark.parametrize("name", _with("convex"))
@given(data=st.data())
def test_convexity_and_strong_convexity_mu(name, data):
    name, p, (x, y) = _draw(data, name, 2)
    mu = p.mu or 0.0
    lower = p.value(x) + p.grad(x) @ (y - x) + mu / 2 * np.sum((y - x) ** 2)
    assert p.value(y) >= lower - 1e-8 * (1 + abs(p.value(y)) + abs(lower)), name


@pytest.mark.parametrize("name", _with("lipschitz"))
@given(data=st.data())
def test_lipschitz_G(name, data):
    name, p, (x, y) = _draw(data, name, 2)
    assert abs(p.value(x) - p.value(y)) <= p.G * np.linalg.norm(x - y) * (1 + RTOL) + 1e-12, name
    assert np.linalg.norm(p.grad(x)) <= p.G * (1 + RTOL), name  # a (sub)gradient is bounded by G


@pytest.mark.parametrize("name", _with("second_order_smooth"))
@given(data=st.data())
def test_second_order_smoothness_rho(name, data):
    name, p, (x, y, v) = _draw(data, name, 3)
    lhs = np.linalg.norm(p.hvp(x, v) - p.hvp(y, v))
    scale = 1e-12 * (1 + np.linalg.norm(p.hvp(x, v)))
    assert lhs <= p.rho * np.linalg.norm(x - y) * np.linalg.norm(v) * (1 + RTOL) + scale, name


@pytest.mark.parametrize("name", _with("generalized_smooth"))
@given(data=st.data())
def test_generalized_smoothness_hessian_form(name, data):
    name, p, (x,) = _draw(data, name, 1)
    hess = p.hessian(x)
    lhs = np.max(np.abs(np.linalg.eigvalsh((hess + hess.T) / 2)))
    rhs = p.L0 + p.L1 * np.linalg.norm(p.grad(x)) ** p.alpha
    assert lhs <= rhs * (1 + 1e-8) + 1e-12, name


@pytest.mark.parametrize("name", _with("generalized_pl"))
@given(data=st.data())
def test_generalized_pl(name, data):
    name, p, (x,) = _draw(data, name, 1)
    gap = p.value(x) - p.f_star
    assert np.linalg.norm(p.grad(x)) ** p.pl_exponent >= 2 * p.pl_mu * gap * (1 - 1e-9) - 1e-12, name


@pytest.mark.parametrize("name", [n for n in _with(attr="f_star") if INSTANCES[n].x_star is not None])
@given(data=st.data())
def test_optimum_f_star_is_a_lower_bound_and_attained(name, data):
    name, p, (x,) = _draw(data, name, 1)
    assert p.value(x) >= p.f_star - 1e-9 * (1 + abs(p.f_star)), name
    assert np.isclose(p.value(p.x_star), p.f_star, rtol=1e-10, atol=1e-10), name
    if not p.constrained and name != "norm_loss" and name != "absolute_loss":
        assert np.linalg.norm(p.grad(p.x_star)) <= 1e-7 * (1 + np.abs(p.x_star).max()), name


@pytest.mark.parametrize("name", _with("finite_sum", "sigma"))
@given(data=st.data())
def test_sigma_is_the_exact_variance_of_the_finite_sum(name, data):
    name, p, (x,) = _draw(data, name, 1)
    rows = p.grad_all(x)
    w = np.full(p.n, 1 / p.n) if p.weights is None else p.weights
    var = w @ np.sum((rows - w @ rows) ** 2, axis=1)
    assert np.isclose(var, p.sigma ** 2, rtol=1e-10), name


def test_nonconvex_claims_have_a_negative_curvature_witness():
    rng = np.random.default_rng(0)
    for name in _with("nonconvex"):
        p = INSTANCES[name]
        found = False
        candidates = [np.full(p.d, 1e-3), p.x0()] + [
            p.x0() + s * rng.standard_normal(p.d) for s in (0.1, 1.0, 3.0) for _ in range(30)]
        for x in candidates:
            if np.linalg.eigvalsh((p.hessian(x) + p.hessian(x).T) / 2)[0] < -1e-8:
                found = True
                break
        assert found, name


@pytest.mark.parametrize("name", _with("scale_invariant"))
def test_scale_invariance(name):
    p = INSTANCES[name]
    rng = np.random.default_rng(1)
    for _ in range(10):
        x = p.x0() + rng.standard_normal(p.d)
        g = p.grad(x)
        for s, e in p.blocks:
            c = rng.uniform(0.1, 10)
            y = x.copy()
            y[s:e] *= c
            assert np.isclose(p.value(y), p.value(x), rtol=1e-10)
            assert abs(x[s:e] @ g[s:e]) <= 1e-10 * np.linalg.norm(x[s:e]) * (1 + np.linalg.norm(g))
            assert np.allclose(p.grad(y)[s:e], g[s:e] / c, rtol=1e-8, atol=1e-12)
