"""StronglyConvexAGD and AMSGrad: each checked against a second implementation and its guarantee.

* StronglyConvexAGD on a quadratic is a linear recursion on (w_t, w_{t-1}); the iterates must equal that
  recursion written with the Hessian matrix. Its rate (Bubeck 2015, Thm 3.18) must hold on random
  strongly convex quadratics and regularized logistic regression, and fail for GD's slower rate to be
  visible: AGD's gap at t = 3 sqrt(kappa) must be below GD's.
* AMSGrad is replayed on given gradient sequences against the box written out in plain NumPy, and its
  denominator never decreases.
"""
import math

import numpy as np
import pytest

from optlab.algorithms import GD, AMSGrad, StronglyConvexAGD, run
from optlab.problems import logistic_regression, quadratic


class Replay:
    """An oracle that hands out recorded gradients in turn (whatever the point)."""

    def __init__(self, grads):
        self.grads = iter(grads)

    def sample(self):
        return None

    def stoch_grad(self, x, xi):
        return next(self.grads)


def _replay(method, x0, grads):
    """The iterates of ``method`` when its oracle returns the given gradients in turn."""
    o = Replay(grads)
    s = method.init(np.array(x0, dtype=float), o)
    xs = [s.x.copy()]
    for _ in grads:
        s = method.step(s, o)
        xs.append(s.x.copy())
    return np.array(xs)


@pytest.mark.parametrize("seed", range(5))
def test_strongly_convex_agd_is_the_linear_recursion_on_a_quadratic(seed):
    rng = np.random.default_rng(seed)
    d, mu, H = int(rng.integers(1, 8)), float(rng.uniform(0.01, 0.5)), float(rng.uniform(1.0, 4.0))
    p = quadratic(d=d, mu=mu, H=H, seed=seed)
    A, eta = p.hessian(p.x_star), float(rng.uniform(0.3, 1.0)) / H
    beta = (1 - math.sqrt(eta * mu)) / (1 + math.sqrt(eta * mu))
    w1 = rng.standard_normal(d)
    w, prev, expected = w1.copy(), w1.copy(), [w1.copy()]
    for _ in range(40):                          # x = w + beta (w - prev); w+ = x - eta A (x - x_star)
        x = w + beta * (w - prev)
        w, prev = x - eta * A @ (x - p.x_star), w
        expected.append(w)
    tr = run(StronglyConvexAGD(lr=eta, mu=mu), p, steps=40, x0=w1, progress=False)
    np.testing.assert_allclose(tr.x, np.array(expected), rtol=1e-10, atol=1e-12)


def _rate_bound(p, w1, eta, mu, T):
    gap1 = float(p.f(w1)) - p.f_star
    return (1 - math.sqrt(eta * mu)) ** np.arange(1, T + 1) * (gap1 + mu / 2 * float(np.sum((w1 - p.x_star) ** 2)))


@pytest.mark.parametrize("seed", range(6))
def test_strongly_convex_agd_meets_its_rate(seed):
    rng = np.random.default_rng(100 + seed)
    d = int(rng.integers(2, 10))
    if seed % 2:
        p = quadratic(d=d, mu=float(10 ** rng.uniform(-3, -1)), H=1.0, seed=seed, spectrum="log")
    else:
        p = logistic_regression(n=50, d=d, lam=float(rng.uniform(0.05, 0.5)), seed=seed)
    eta, T = float(rng.uniform(0.3, 1.0)) / p.H, 200
    w1 = p.x_star + rng.standard_normal(d)
    tr = run(StronglyConvexAGD(lr=eta, mu=p.mu), p, steps=T, x0=w1, progress=False)
    bound = _rate_bound(p, w1, eta, p.mu, T)
    assert np.all(tr.gap[1:] <= bound * (1 + 1e-9) + 1e-13)


def test_strongly_convex_agd_beats_gd_and_its_rate_is_not_gds():
    p = quadratic(d=20, mu=1e-3, H=1.0, seed=0, spectrum="log")
    w1, T = p.x_star + np.ones(20), 300                   # 3 sqrt(kappa) steps, far fewer than kappa
    agd = run(StronglyConvexAGD(lr=1.0, mu=p.mu), p, steps=T, x0=w1, progress=False).gap[-1]
    gd = run(GD(lr=1.0), p, steps=T, x0=w1, progress=False).gap[-1]
    assert agd < 1e-3 * gd
    # the rate check of test_strongly_convex_agd_meets_its_rate can fail: GD (no momentum) breaks it
    slow = run(GD(lr=1.0), p, steps=T, x0=w1, progress=False).gap
    assert np.any(slow[1:] > _rate_bound(p, w1, 1.0, p.mu, T))


def test_strongly_convex_agd_refuses_bad_hyperparameters():
    with pytest.raises(ValueError, match="mu"):
        StronglyConvexAGD(lr=1.0, mu=0.0)
    with pytest.raises(ValueError, match="lr \\* mu"):
        StronglyConvexAGD(lr=2.0, mu=1.0)


@pytest.mark.parametrize("seed", range(4))
def test_amsgrad_replays_its_box(seed):
    rng = np.random.default_rng(seed)
    d, T = int(rng.integers(1, 6)), 30
    b1, b2, eps, lr = float(rng.uniform(0, 0.95)), float(rng.uniform(0, 0.999)), float(rng.uniform(0, 1e-3)), 0.1
    grads = [rng.standard_normal(d) * rng.uniform(0.01, 10.0) for _ in range(T)]
    w1 = rng.standard_normal(d)
    w, m, v, vmax, expected = w1.copy(), np.zeros(d), np.zeros(d), np.zeros(d), [w1.copy()]
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        vmax = np.maximum(vmax, v)
        w = np.clip(w - lr / math.sqrt(t) * m / (np.sqrt(vmax) + eps), -1.5, 1.5)
        expected.append(w)
    got = _replay(AMSGrad(lr=lambda t: lr / math.sqrt(t), beta1=b1, beta2=b2, eps=eps, D_inf=1.5), w1, grads)
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-12, atol=1e-14)


def test_amsgrad_denominator_never_decreases_while_adams_does():
    grads = [np.array([10.0])] + [np.array([0.1])] * 20      # one large gradient, then small ones
    method, o = AMSGrad(lr=0.1, beta1=0.0, beta2=0.9, eps=0.0), Replay(grads)
    s, vmax, v = method.init(np.zeros(1), o), [], []
    for _ in grads:
        s = method.step(s, o)
        vmax.append(float(s.v_max[0]))
        v.append(float(s.v[0]))
    assert np.all(np.diff(vmax) >= 0) and np.diff(v).min() < 0


def test_amsgrad_refuses_bad_hyperparameters():
    with pytest.raises(ValueError, match="beta2"):
        AMSGrad(beta2=1.0)
    with pytest.raises(ValueError, match="D_inf"):
        AMSGrad(D_inf=-1.0)
