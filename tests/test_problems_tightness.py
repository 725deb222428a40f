"""Tightness: where a constant should be attained, a point attains it (or a sequence approaches it).

Each expected number has an independent source: an eigen-decomposition, a closed form, or the
definition evaluated at the extremal point named in the family's docstring.
"""
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from optlab import problems as P
from optlab.problems.checks import generalized_smoothness_ratio, pl_ratio, second_order_ratio


def _hess_norm(p, x):
    h = p.hessian(x)
    return np.max(np.abs(np.linalg.eigvalsh((h + h.T) / 2)))


@given(d=st.integers(2, 8), mu=st.one_of(st.just(0.0), st.floats(1e-3, 5)), gap=st.floats(1e-3, 10),
       seed=st.integers(0, 99))
def test_quadratic_H_and_mu_are_the_extreme_eigenvalues(d, mu, gap, seed):
    p = P.quadratic(d, mu, mu + gap, seed=seed)
    ev = np.linalg.eigvalsh(p.hessian(np.zeros(d)))
    assert np.isclose(ev[-1], p.H, rtol=1e-9) and np.isclose(ev[0], p.mu, atol=1e-9 * p.H)
    # strong convexity and PL are attained along the bottom eigenvector
    if mu > 0:
        assert np.isclose(pl_ratio(p, p.x_star + p.eigenvectors[:, 0]), 1.0, rtol=1e-8)


def test_quadratic_lipschitz_on_ball_is_attained_on_the_sphere():
    p = P.quadratic(4, 0.5, 3.0, seed=1, radius=2.0)
    x = p.x_star + 2.0 * p.eigenvectors[:, -1]
    assert np.isclose(np.linalg.norm(p.grad(x)), p.G)


def test_indefinite_quadratic_saddle():
    p = P.indefinite_quadratic(5, -0.7, 2.0, seed=2, n_negative=2)
    ev = np.linalg.eigvalsh(p.A)
    assert np.allclose(ev[:2], -0.7) and np.isclose(ev[-1], 2.0) and p.H == 2.0
    assert np.allclose(p.grad(p.center), 0)


def test_nesterov_worst_case_closed_forms_and_lower_bound():
    d, H = 21, 2.0
    p = P.nesterov_worst_case(d, H)
    assert np.allclose(p.A @ p.x_star, H / 4 * np.eye(d)[0])      # A x* = b = (H/4) e_1 (mu = 0)
    assert p.extra["lambda_max"] < H and p.extra["lambda_min"] > 0
    assert np.isclose(p.extra["lambda_max"], H / 4 * (2 + 2 * math.cos(math.pi / (d + 1))))
    for k in range(1, 11):  # the bound is for the instance of dimension 2k + 1
        q = P.nesterov_worst_case(2 * k + 1, H)
        x = np.zeros(2 * k + 1)
        for _ in range(k):  # GD with lr 1/H stays in the Krylov span of past gradients
            x = x - q.grad(x) / H
        assert q.value(x) - q.f_star >= P.nesterov_lower_bound(H, q.x_star @ q.x_star, k)
    q = P.nesterov_worst_case(8, 3.0, mu=0.3)
    ev = np.linalg.eigvalsh(q.A)
    assert 0.3 < ev[0] and ev[-1] < 3.0 and np.allclose(q.grad(q.x_star), 0)


def test_least_squares_constants_are_the_gram_extremes():
    p = P.least_squares(50, 6, seed=3, lam=0.2)
    ev = np.linalg.eigvalsh(p.X.T @ p.X / 50)
    assert np.isclose(p.H, ev[-1] + 0.2) and np.isclose(p.mu, ev[0] + 0.2)
    q = P.least_squares(4, 9, seed=3)  # over-parameterised: interpolates, mu = 0, sigma_* = 0
    assert q.mu == 0 and np.isclose(q.f_star, 0, atol=1e-20) and q.extra["sigma_star_sq"] < 1e-20


def test_logistic_H_attained_at_zero_and_G_bounds():
    p = P.logistic_regression(80, 4, seed=4)
    assert np.isclose(_hess_norm(p, np.zeros(4)), p.H, rtol=1e-10)
    assert np.isclose(p.H, np.linalg.norm(p.X, 2) ** 2 / (4 * 80))
    q = P.logistic_regression(80, 4, lam=0.3, seed=4)
    assert np.isclose(_hess_norm(q, np.zeros(4)), q.H) and q.mu == 0.3
    # per-term smoothness ||x_i||^2/4 attained at zero margin (erratum E19: not "2")
    i = int(np.argmax(np.linalg.norm(p.X, axis=1)))
    hv = p.hvp_i(np.zeros(4), p.X[i], np.array([i]))
    assert np.isclose(np.linalg.norm(hv) / np.linalg.norm(p.X[i]), p.extra["H_max"])


def test_huber_H_attained_where_all_residuals_are_small_and_G_in_one_dimension():
    p = P.huber(30, 3, noise=0.0, outliers=0.0, seed=5)
    assert np.allclose(p.x_star, p.w_true) and abs(p.f_star) < 1e-25
    assert np.isclose(_hess_norm(p, p.x_star), p.H)
    q = P.huber(30, 1, seed=5, delta=0.5)
    far = np.array([1e6])  # every residual has the sign of x_i: |grad| = delta * mean |x_i|
    assert np.isclose(abs(q.grad(far)[0]), q.G)


def test_norm_and_absolute_loss_G_attained():
    p = P.norm_loss(4, G=1.5, seed=0)
    assert np.isclose(np.linalg.norm(p.grad(p.x0())), 1.5)
    q = P.absolute_loss(25, 1, seed=1)
    assert np.isclose(abs(q.grad(np.array([1e6]))[0]), q.G)


def test_cosine_sum_constants_attained():
    a, b, d = 2.0, 0.5, 3
    p = P.cosine_sum(d, a, b, seed=1)
    assert np.isclose(_hess_norm(p, np.zeros(d)), p.H)
    x = p.Q.T @ np.full(d, math.pi * b / 2)
    assert np.isclose(np.linalg.norm(p.grad(x)), p.G)
    e = p.Q.T[:, 0] * 1e-4
    assert second_order_ratio(p, x - e, x + e, p.Q.T[:, 0]) > 0.999


def test_log_sum_constants_attained():
    p = P.log_sum(3, seed=2)
    c = p.center
    assert np.isclose(_hess_norm(p, c), 2.0)
    assert np.isclose(np.linalg.norm(p.grad(c + 1.0)), math.sqrt(3))
    x = c.copy()
    x[0] -= math.sqrt(2) - 1
    e = np.eye(3)[0] * 1e-5
    assert second_order_ratio(p, x - e, x + e, np.eye(3)[0]) > 0.9999
    assert np.isclose(np.linalg.eigvalsh(p.hessian(c + math.sqrt(3)))[0], -0.25)


def test_pl_sine_constant_is_nearly_tight_and_karimi_value_is_loose():
    p = P.pl_sine(1)
    grid = np.linspace(-12, 12, 240001)
    grid = grid[np.abs(grid) > 1e-3]
    f = grid ** 2 + 3 * np.sin(grid) ** 2
    g = 2 * grid + 3 * np.sin(2 * grid)
    best = np.min(g ** 2 / (2 * f))
    assert p.pl_mu <= best < p.pl_mu * 1.01 and best > 1 / 32 * 5
    assert np.isclose(_hess_norm(p, np.zeros(1)), 8.0)


def test_power_norm_equalities():
    for pw in (2.0, 3.0, 4.0, 6.0):
        p = P.power_norm(3, pw)
        x = np.array([0.3, -1.2, 2.0])
        assert np.isclose(pl_ratio(p, x), 1.0)
        if pw > 2:
            assert np.isclose(generalized_smoothness_ratio(p, x), 1.0)
    assert np.isclose(P.power_norm(1, 4).L1, 3 * 4 ** (1 / 3))


def test_cosh_constants_approach_one():
    p = P.cosh_sum(3, a=1.5)
    assert generalized_smoothness_ratio(p, np.array([12.0, 0.0, 0.0])) > 0.999
    assert pl_ratio(p, np.full(3, 12.0)) > 0.999
    x = np.array([0.4, -3.0, 1.0])
    assert pl_ratio(p, x, pl_mu=1.0, exponent=2.0) <= 1.0  # PL with exponent 2 from mu = 1


@given(t=st.floats(0, 50), y=st.floats(-50, 50))
def test_phase_retrieval_scalar_inequality_behind_the_per_term_constants(t, y):
    # |3t - y| <= 2|y| + 3 (|t - y| sqrt t)^(2/3), t = s^2 (seed notes had 5|y| and 3 * 2^(2/3))
    lhs = abs(3 * t - y)
    assert lhs <= 2 * abs(y) + 3 * (abs(t - y) * math.sqrt(t)) ** (2 / 3) + 1e-9 * (1 + lhs)


def test_phase_retrieval_per_term_constants_are_tight():
    p = P.phase_retrieval(10, 3, seed=0)
    a, yv = p.A[0], p.y[0]
    hess_norm = lambda w: 2 * abs(3 * (a @ w) ** 2 - yv) * (a @ a)  # noqa: E731
    grad_norm = lambda w: np.linalg.norm(p.grad_i(w, np.array([0])))  # noqa: E731
    K0 = 4 * abs(yv) * (a @ a)
    K1 = 3 * 2 ** (1 / 3) * np.linalg.norm(a) ** (4 / 3)
    w = a / (a @ a) * math.sqrt(yv)  # s^2 = y: gradient 0, Hessian norm 4 y ||a||^2 = K0
    assert np.isclose(hess_norm(w), K0 + K1 * grad_norm(w) ** (2 / 3))
    rng = np.random.default_rng(0)
    for _ in range(200):
        w = 3 * rng.standard_normal(3)
        assert hess_norm(w) <= (K0 + K1 * grad_norm(w) ** (2 / 3)) * (1 + 1e-9)


def test_dro_dual_talk_constant_is_valid_but_looser():
    p = P.dro_dual(30, 3, lam=0.2, seed=1)
    assert p.L0 <= p.extra["L0_talk"]
    rng = np.random.default_rng(1)
    for _ in range(50):
        z = 3 * rng.standard_normal(4)
        assert generalized_smoothness_ratio(p, z) <= 1


def test_rayleigh_constants_attained():
    p = P.rayleigh_quotient(5, lo=-1.0, hi=2.0, seed=3)
    vecs = np.linalg.eigh(p.A)[1]
    e_lo, e_hi = vecs[:, 0], vecs[:, -1]
    assert np.isclose(_hess_norm(p, e_lo), p.extra["L_vv"]) and p.extra["L_vv"] == 6.0
    v = (e_lo + e_hi) / math.sqrt(2)
    assert np.isclose(np.linalg.norm(p.grad(v)), p.extra["G_sphere"])
    assert np.isclose(p.value(p.x_star), p.f_star)


@given(seed=st.integers(0, 10 ** 6), d=st.integers(2, 6))
def test_rayleigh_L_vv_bound_on_the_sphere(seed, d):
    rng = np.random.default_rng(seed)
    p = P.rayleigh_quotient(d, lo=rng.uniform(-2, 0), hi=rng.uniform(0.1, 3), seed=seed)
    v = rng.standard_normal(d)
    v /= np.linalg.norm(v)
    assert _hess_norm(p, v) <= p.extra["L_vv"] * (1 + 1e-9)
    assert np.linalg.norm(p.grad(v)) <= p.extra["G_sphere"] * (1 + 1e-9)
    c = rng.uniform(0.2, 5)  # Hessian scales as 1/c^2 off the sphere
    assert np.isclose(_hess_norm(p, c * v), _hess_norm(p, v) / c ** 2)


def test_strict_saddle_and_cubic_test():
    p = P.strict_saddle(4, k=2, a=2.0, b=0.5, mu=3.0)
    ev = np.linalg.eigvalsh(p.hessian(np.zeros(4)))
    assert np.allclose(ev[:2], -8.0) and p.H == 8.0 and p.rho == 16.0
    q = P.cubic_test(4, rho=3.0, seed=5)
    x, rng = q.x_star, np.random.default_rng(0)
    assert np.all(np.linalg.eigvalsh(q.A + 1.5 * np.linalg.norm(x) * np.eye(4)) >= -1e-12)
    assert all(q.value(x + s * rng.standard_normal(4)) >= q.f_star - 1e-12 for s in (1e-3, 0.1, 1, 10))
    r = P.cubic_test(3, rho=2.0, lam_min=-0.5, c_norm=0.0, seed=0)
    assert np.isclose(r.f_star, 2 * (-0.5) ** 3 / (3 * 2.0 ** 2))
    e = np.eye(3)[0]
    ratio = second_order_ratio(r, 2 * e, 3 * e, e)  # along a ray the cubic's Hessian is rho-Lipschitz
    assert np.isclose(ratio, 1.0)


def test_median_and_reddi_examples():
    p = P.median_example()
    assert p.extra["median"] == 0.0 and p.x_star[0] == 1.0
    r = P.reddi_adam_example(C=5.0)
    assert np.isclose(r.value(np.array([-1.0])), r.f_star)
    assert np.isclose(r.sigma ** 2, np.var([5.0, -1.0, -1.0]))
    s = P.reddi_adam_example(C=1000.0, stochastic=True, delta=0.1)
    assert np.isclose(s.weights @ s.slopes, 0.1) and np.allclose(s.project(np.array([3.0])), 1.0)


def test_sparse_hogwild_statistics():
    p = P.sparse_hogwild(60, 15, nnz=3, seed=2)
    assert p.X.format == "csr" and p.X.nnz == 60 * 3
    X = p.X.toarray()
    assert np.all((X != 0).sum(axis=1) == 3)
    assert np.allclose(np.linalg.norm(X, axis=1), 1)
    assert np.isclose(p.H, np.linalg.eigvalsh(X.T @ X / 60)[-1] / 4)        # dense reference
    touches = (X != 0).sum(axis=0).max() / 60
    assert np.isclose(p.extra["Delta"], touches) and 0 < p.extra["rho_conflict"] <= 1
    rows = p.grad_all(np.random.default_rng(0).standard_normal(15))
    assert np.all(np.linalg.norm(rows, axis=1) <= 1) and np.all((rows != 0).sum(axis=1) <= 3)
