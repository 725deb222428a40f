"""Oracles: call counting, seeding, reusing a sample at two points, and exact variance by
enumeration (Monte Carlo only as a sanity check).

Independent sources: enumeration over all index tuples / subsets (seed 003 Prop 7.1 minibatch variance;
seed 004 minibatch unbiasedness C(N-1, K-1)/(C(N, K) K) = 1/N), and the norms of the noise vectors.
"""
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optlab.problems import (
    Oracle, least_squares, logistic_regression, median_example, quadratic, reddi_adam_example,
)


def _mean_sq_dev(gs, g):
    return float(np.mean([np.sum((gi - g) ** 2) for gi in gs]))


@given(n=st.integers(2, 6), B=st.integers(1, 3), seed=st.integers(0, 1000))
def test_variance_with_replacement_equals_enumeration(n, B, seed):
    B = min(B, n)
    p = least_squares(n, 3, seed=seed)
    o = Oracle(p, batch_size=B)
    x = np.random.default_rng(seed).standard_normal(3)
    g = p.grad(x)
    gs = [o.stoch_grad(x, np.array(t)) for t in itertools.product(range(n), repeat=B)]
    assert np.allclose(np.mean(gs, axis=0), g)  # unbiased
    assert np.isclose(o.variance(x), _mean_sq_dev(gs, g), rtol=1e-10)


@given(n=st.integers(2, 7), B=st.integers(1, 7), seed=st.integers(0, 1000))
def test_variance_without_replacement_equals_enumeration(n, B, seed):
    B = min(B, n)
    p = logistic_regression(n, 2, seed=seed)
    o = Oracle(p, batch_size=B, replace=False)
    x = np.random.default_rng(seed).standard_normal(2)
    g = p.grad(x)
    gs = [o.stoch_grad(x, np.array(c)) for c in itertools.combinations(range(n), B)]
    assert np.allclose(np.mean(gs, axis=0), g)
    assert np.isclose(o.variance(x), _mean_sq_dev(gs, g), rtol=1e-9, atol=1e-15)


def test_weighted_finite_sum_variance_and_sampling():
    p = reddi_adam_example(C=20.0, stochastic=True, delta=0.5)
    o = Oracle(p, seed=0)
    g = p.grad(np.zeros(1))
    exact = float(p.weights @ (p.slopes - g[0]) ** 2)
    assert np.isclose(o.variance(np.zeros(1)), exact) and np.isclose(exact, p.sigma ** 2)
    draws = np.concatenate([o.sample() for _ in range(20000)])
    assert abs(np.mean(draws == 0) - p.weights[0]) < 4 * np.sqrt(p.weights[0] / 20000)


@pytest.mark.parametrize("noise", ["gaussian", "sphere"])
@pytest.mark.parametrize("B", [1, 4])
def test_additive_noise_variance(noise, B):
    p = quadratic(5, 0.5, 2.0, seed=0)
    o = Oracle(p, seed=3, noise=noise, sigma=0.7, batch_size=B)
    x = np.ones(5)
    assert o.variance(x) == pytest.approx(0.49 / B)
    xs = [o.sample() for _ in range(4000)]
    if noise == "sphere" and B == 1:
        assert np.allclose([np.linalg.norm(z) for z in xs], 0.7)  # bounded noise of norm exactly sigma
    sq = np.array([z @ z for z in xs])
    assert abs(sq.mean() - 0.49 / B) < 5 * sq.std() / np.sqrt(len(sq))  # Monte Carlo sanity check
    assert np.allclose(o.stoch_grad(x, xs[0]) - p.grad(x), xs[0])


@pytest.mark.parametrize("B", [1, 3])
def test_affine_noise_model_of_ian_sgd(B):
    p = quadratic(4, 0.5, 2.0, seed=1)
    o = Oracle(p, seed=0, noise="affine", sigma=0.3, tau1=0.5, batch_size=B)
    x = np.array([1.0, -2.0, 0.5, 0.0])
    g = p.grad(x)
    devs = []
    for _ in range(3000):
        xi = o.sample()
        r = o.stoch_grad(x, xi) - g
        assert np.linalg.norm(r) <= 0.5 * np.linalg.norm(g) + 0.3 + 1e-12  # seed 002 eq. (18), surely
        devs.append(r @ r)
    exact = (0.25 * g @ g + 0.09) / B
    assert np.isclose(o.variance(x), exact)
    assert abs(np.mean(devs) - exact) < 5 * np.std(devs) / np.sqrt(len(devs))  # sanity check


def test_counting_and_costs():
    p = least_squares(10, 3, seed=0)
    o = Oracle(p, batch_size=3)
    x = np.zeros(3)
    o.full_grad(x)
    xi = o.sample()
    o.stoch_grad(x, xi)
    o.stoch_grad(x + 1, xi)
    o.value(x)
    o.hvp(x, x)
    assert o.grad_evals == 10 + 3 + 3
    assert o.calls == {"value": 1, "full_grad": 1, "sample": 1, "stoch_grad": 2, "hvp": 1}
    q = Oracle(quadratic(3, 1.0, 2.0), noise="gaussian", sigma=1.0)
    q.stoch_grad(x, q.sample())
    q.full_grad(x)
    assert q.grad_evals == 2
    d = Oracle(quadratic(3, 1.0, 2.0))  # deterministic: xi is None, variance 0
    assert d.sample() is None and d.variance(x) == 0 and np.allclose(d(x), d.problem.grad(x))


def test_same_seed_same_path_and_reset():
    p = least_squares(20, 3, seed=0)
    a, b = Oracle(p, seed=7, batch_size=2), Oracle(p, seed=7, batch_size=2)
    pa = [a.sample() for _ in range(5)]
    assert all(np.array_equal(u, v) for u, v in zip(pa, [b.sample() for _ in range(5)]))
    a.reset()
    assert np.array_equal(a.sample(), pa[0]) and a.calls["sample"] == 1
    c = Oracle(p, seed=8, batch_size=2)
    assert not all(np.array_equal(u, v) for u, v in zip(pa, [c.sample() for _ in range(5)]))


def test_same_sample_at_two_points_is_deterministic():
    p = median_example()
    o = Oracle(p, seed=0)
    xi = o.sample()
    x, y = np.array([0.3]), np.array([2.0])
    assert np.allclose(o.stoch_grad(y, xi) - o.stoch_grad(x, xi), y - x)  # same term, H = 1
    assert np.array_equal(o.stoch_grad(x, xi), o.stoch_grad(x, xi))


@pytest.mark.parametrize("kwargs, words", [
    (dict(batch_size=11), ["batch_size", "<= n"]),
    (dict(batch_size=0), ["batch_size", ">= 1"]),
    (dict(noise="laplace", sigma=1.0), ["noise"]),
    (dict(noise="gaussian", sigma=-1.0), ["sigma", ">= 0"]),
    (dict(noise="gaussian"), ["sigma"]),
    (dict(sigma=1.0), ["sigma", "noise"]),
    (dict(noise="sphere", sigma=1.0, tau1=0.5), ["tau1", "affine"]),
    (dict(noise="affine", sigma=1.0, tau1=-0.5), ["tau1", ">= 0"]),
])
def test_oracle_bad_input(kwargs, words):
    with pytest.raises(ValueError) as e:
        Oracle(least_squares(10, 2), **kwargs)
    assert all(w in str(e.value) for w in words), str(e.value)


def test_weighted_without_replacement_is_refused():
    with pytest.raises(ValueError, match="replace"):
        Oracle(reddi_adam_example(C=10.0, stochastic=True), replace=False)
