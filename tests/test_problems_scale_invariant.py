"""Seed 001's families: batched evaluation equals the single rows, declared fields, and the BN-with-gain
family's constants (each checked against dense Hessians on random points of its box and attained where the
module docstring says so)."""
import math
import warnings

import numpy as np
import pytest

from optlab.problems import BatchFallbackWarning, batchnorm_gain, batchnorm_net, rayleigh_quotient
from optlab.problems.batchnorm_gain import BatchNormGainProblem
from optlab.problems.scale_invariant import BatchNormNetProblem, RayleighProblem, StochasticRayleighProblem

TOL = dict(rtol=1e-12, atol=1e-12)
FAMILIES = {
    "rayleigh": lambda: rayleigh_quotient(d=5, seed=2),
    "rayleigh_stochastic": lambda: rayleigh_quotient(d=4, n=6, seed=1),
    "batchnorm_net": lambda: batchnorm_net(n=12, k=3, h=2, seed=4),
    "batchnorm_gain": lambda: batchnorm_gain(n=10, k=3, seed=5),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_a_batch_of_seeds_equals_the_rows(name):
    """f, grad, hvp (and f_i, grad_i with one index row per seed, or one shared row) on an (S, d) batch are
    the single evaluations row by row, computed in one vectorized pass (no fallback warning)."""
    p = FAMILIES[name]()
    rng = np.random.default_rng(7)
    X, V = rng.standard_normal((4, p.d)), rng.standard_normal((4, p.d))
    with warnings.catch_warnings():
        warnings.simplefilter("error", BatchFallbackWarning)
        fb, gb, hb = p.f(X), p.grad(X), p.hvp(X, V)
        if p.is_finite_sum:
            idx, shared = rng.integers(0, p.n, (4, 3)), rng.integers(0, p.n, 3)
            fib, gib, gsb = p.f_i(X, idx), p.grad_i(X, idx), p.grad_i(X, shared)
    assert p.batched
    np.testing.assert_allclose(fb, [p.value(x) for x in X], **TOL)
    np.testing.assert_allclose(gb, [p.grad(x) for x in X], **TOL)
    np.testing.assert_allclose(hb, [p.hvp(x, v) for x, v in zip(X, V)], **TOL)
    if p.is_finite_sum:
        np.testing.assert_allclose(fib, [float(p.f_i(x, i)) for x, i in zip(X, idx)], **TOL)
        np.testing.assert_allclose(gib, [p.grad_i(x, i) for x, i in zip(X, idx)], **TOL)
        np.testing.assert_allclose(gsb, [p.grad_i(x, shared) for x in X], **TOL)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_analytic_gradients_match_the_engine(name):
    p = FAMILIES[name]()
    x = np.random.default_rng(3).standard_normal(p.d)
    np.testing.assert_allclose(p.grad(x), p.engine_grad(x), rtol=1e-10, atol=1e-12)
    if p.is_finite_sum:
        idx = np.array([0, 2, 2])
        np.testing.assert_allclose(p.grad_i(x, idx), p.engine_grad_i(x, idx), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(p.grad_all(x), [p.engine_grad_i(x, np.array([i])) for i in range(p.n)],
                                   rtol=1e-10, atol=1e-12)


def test_declared_fields_are_the_types_fields():
    """The data other code reads are constructor fields of a declared type, not attributes patched on."""
    r, s, b, g = (FAMILIES[k]() for k in ("rayleigh", "rayleigh_stochastic", "batchnorm_net", "batchnorm_gain"))
    assert isinstance(r, RayleighProblem) and r.A.shape == (5, 5) and r.blocks == ((0, 5),)
    np.testing.assert_allclose(np.linalg.eigvalsh(r.A), r.eigenvalues, atol=1e-12)
    assert isinstance(s, StochasticRayleighProblem) and s.As.shape == (6, 4, 4)
    np.testing.assert_allclose(s.As.mean(axis=0), s.A, atol=1e-12)
    assert isinstance(b, BatchNormNetProblem) and b.blocks == ((0, 3), (3, 6)) and b.X.shape == (12, 3)
    assert isinstance(g, BatchNormGainProblem) and g.blocks == ((0, 3),) and g.Xh.shape == (10, 3)


# -- batchnorm_gain: the constants of seed 001 Sec. 2.4, certified

def _gain_points(p, K, m, rng):
    """m random points of the box {||v|| = 1, |g| <= K}, as theta = (v, g)."""
    V = rng.standard_normal((m, p.d - 1))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    return np.hstack([V, rng.uniform(-K, K, (m, 1))])


def _blocks_of(H, k):
    return np.linalg.norm(H[:k, :k], 2), np.linalg.norm(H[:k, k]), abs(H[k, k])


def test_gain_closed_form_and_minimum():
    """L(w, g) = (kappa + lam) g^2/2 - g c^T v + m2/2, and f_star is attained at x_star and below random points."""
    p = batchnorm_gain(n=10, k=3, seed=5)
    rng = np.random.default_rng(0)
    m2 = float(p.y @ p.y) / p.n
    np.testing.assert_allclose(np.cov(p.Xh.T, bias=True) * (1 + p.eps), np.eye(3), atol=1e-12)   # whitened
    for th in rng.standard_normal((20, 4)) * 3:
        v, g = th[:3] / np.linalg.norm(th[:3]), th[3]
        assert p.value(th) == pytest.approx((p.kappa + p.lam) * g * g / 2 - g * (p.c @ v) + m2 / 2, rel=1e-12)
        assert p.value(th) >= p.f_star - 1e-12
    assert p.value(p.x_star) == pytest.approx(p.f_star, abs=1e-12)
    np.testing.assert_allclose(p.grad(p.x_star), 0, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gain_full_batch_constants_bound_and_are_attained(seed):
    """L^vv(g_max), L^vg, L^gg bound the dense Hessian blocks at random points of the box, and the maximizers
    of the docstring attain them (so none is loose)."""
    p = batchnorm_gain(n=12, k=3, seed=seed)
    c = p.sphere_constants(g0=1.5, lr_g=1.0)
    K, rng = c["g_max"], np.random.default_rng(seed)
    worst = np.max([_blocks_of(p.hessian(th), 3) for th in _gain_points(p, K, 60, rng)], axis=0)
    assert np.all(worst <= np.array([c["L_vv"], c["L_vg"], c["L_gg"]]) * (1 + 1e-10))
    cn = p.c / np.linalg.norm(p.c)
    u = np.linalg.qr(np.column_stack([cn, rng.standard_normal(3)]))[0][:, 1]     # a unit u perp c
    v_vv = cn / math.sqrt(3) + math.sqrt(2 / 3) * u                              # c^T v = ||c|| / sqrt 3
    vv, _, _ = _blocks_of(p.hessian(np.r_[v_vv, K]), 3)
    _, vg, gg = _blocks_of(p.hessian(np.r_[u, 0.3]), 3)
    assert vv == pytest.approx(c["L_vv"], rel=1e-9) and vg == pytest.approx(c["L_vg"], rel=1e-9)
    assert gg == pytest.approx(c["L_gg"], rel=1e-12)


def test_gain_per_sample_constants_bound_every_term():
    p = batchnorm_gain(n=8, k=3, seed=3)
    c = p.sphere_constants(g0=1.0, lr_g=0.1, per_sample=True)
    rng = np.random.default_rng(1)
    worst, noise = np.zeros(3), 0.0
    for th in _gain_points(p, c["g_max"], 12, rng):
        for b in range(p.n):
            H = np.column_stack([p.hvp_i(th, e, np.array([b])) for e in np.eye(p.d)])
            worst = np.maximum(worst, _blocks_of(H, 3))
        G = p.grad_all(th)[:, 3]
        noise = max(noise, float(np.mean((G - G.mean()) ** 2)))
    assert np.all(worst <= np.array([c["L_vv_z"], c["L_vg_z"], c["L_gg_z"]]) * (1 + 1e-10))
    assert noise <= c["G_g"] ** 2


@pytest.mark.parametrize("per_sample", [False, True])
def test_gain_stays_in_its_certified_interval(per_sample):
    """(S)GD with the largest admissible g-step, from g_0 = 0 and from g_0 beyond the fixed point, never leaves
    |g| <= g_max; with a g-step just above 2 / L^gg the bound is refused."""
    from optlab.algorithms import ScaleInvariantSGD, run

    p = batchnorm_gain(n=10, k=3, seed=5)
    a_max = p.sphere_constants(0.0, 1e-3, per_sample)["L_gg_z" if per_sample else "L_gg"]
    lr_g = 1.98 / a_max
    for g0 in (0.0, 25.0):
        K = p.g_max(g0, lr_g, per_sample)
        kw = dict(batch_size=1) if per_sample else dict(noise="gaussian", sigma=0.0)   # SGD or full batch
        for seed in range(3):
            x0 = np.r_[np.random.default_rng(seed).standard_normal(3), g0]
            tr = run(ScaleInvariantSGD(lr_w=1.0, lr_g=lr_g, blocks=(3,)), p, steps=200, x0=x0, seed=seed,
                     progress=False, grad_norm=False, **kw)
            assert np.max(np.abs(np.asarray(tr.x)[:, 3])) <= K * (1 + 1e-12)
    with pytest.raises(ValueError, match="lr_g"):
        p.g_max(1.0, 2.01 / a_max, per_sample)
