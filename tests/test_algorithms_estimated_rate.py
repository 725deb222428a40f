"""The section-9 noise estimators and EstimatedRateSGD (optlab.algorithms.estimated_rate).

Each estimator is checked against a second formula (numpy's variance, the t/(t-1) relation) on drawn
gradients; the optimistic rule must reproduce Algorithm 7 (AdaGradNorm) exactly, and its causal form the
delayed rate, on the same noise.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optlab.algorithms import AdaGradNorm, run
from optlab.algorithms.estimated_rate import (
    ESTIMATORS, EstimatedRateSGD, ideal_rate, optimistic, plug_in, unbiased,
)
from optlab.problems import cosine_sum, quadratic


@given(st.integers(2, 30), st.integers(1, 5), st.integers(0, 2 ** 32 - 1))
def test_estimators_agree_with_second_formulas(t, d, seed):
    G = np.random.default_rng(seed).standard_normal((t, d)) * 3 + 1
    np.testing.assert_allclose(plug_in(G), np.sum(np.var(G, axis=0)), rtol=1e-10)
    np.testing.assert_allclose(unbiased(G), np.sum(np.var(G, axis=0, ddof=1)), rtol=1e-10)
    np.testing.assert_allclose(unbiased(G), t / (t - 1) * plug_in(G), rtol=1e-10)
    assert optimistic(G) >= plug_in(G) - 1e-12                # it adds ||g_bar||^2
    np.testing.assert_allclose(optimistic(G) - plug_in(G), np.sum(G.mean(axis=0) ** 2), rtol=1e-9, atol=1e-12)


def test_bad_input_is_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="needs t >= 2"):
        unbiased(np.ones((1, 3)))
    with pytest.raises(ValueError, match="G must hold the gradients"):
        plug_in(np.ones(3))
    with pytest.raises(ValueError, match="estimator must be one of"):
        EstimatedRateSGD(c=1.0, estimator="median")
    with pytest.raises(ValueError, match="sigma"):
        ideal_rate(1.0, 0.0)


@pytest.mark.parametrize("causal", [False, True])
def test_optimistic_rule_is_algorithm_7_and_its_causal_form_the_delayed_rate(causal):
    p = cosine_sum(d=3, seed=1)
    kw = dict(steps=60, x0=np.full(3, 0.3), noise="sphere", sigma=1.0, seed=4, progress=False)
    a = run(AdaGradNorm(c=0.5, eps=0.3, delayed=causal), p, **kw).x
    b = run(EstimatedRateSGD(c=0.5, eps=0.3, causal=causal), p, **kw).x
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_each_rule_steps_with_its_estimate(name):
    # Replay: eta_t = c / sqrt(eps^2 + t sigma_hat_t^2) from the gradients the run drew.
    p = quadratic(d=2, mu=0.5, H=2.0, seed=0)
    tr = run(EstimatedRateSGD(c=0.7, estimator=name, eps=0.5), p, steps=12, x0=np.ones(2), noise="gaussian",
             sigma=1.0, seed=2, progress=False)
    G, x = np.array(tr.state.G), tr.x
    for t in range(1, 13):
        est = ESTIMATORS[name](G[:t]) if (t >= 2 or name != "unbiased") else 0.0
        eta = 0.7 / np.sqrt(0.25 + t * max(est, 0.0))
        np.testing.assert_allclose(x[t], x[t - 1] - eta * G[t - 1], rtol=1e-12)


def test_ideal_rate_is_c_over_sigma_sqrt_t():
    s = ideal_rate(2.0, 4.0)
    assert [s(t) for t in (1, 4)] == [0.5, 0.25]
