"""PSGD (seed 001 App. D, L637-639): an eq. (4) step, then each scale-invariant block rescaled to its old norm.

Checked against what the box implies, each by an independent computation: the norm of every block is
frozen exactly; the direction follows projected gradient descent on the sphere with the frozen effective rate
eta / ||w_0||^2 (recomputed here from the closed-form gradient of the Rayleigh quotient); the gain block takes a
plain SGD step; a batch of seeds equals the single runs, and each seed keeps its own norm.
"""
import numpy as np
import pytest

from optlab.algorithms import PSGD, ScaleInvariantSGD, run
from optlab.problems import BatchOracle, Oracle, batchnorm_gain, rayleigh_quotient

SEEDS = (3, 0, 11)


@pytest.mark.parametrize("lr_w", [1e-3, 1.0, 1e3])
def test_block_norm_is_frozen_exactly(lr_w):
    p = batchnorm_gain(n=10, k=3, seed=1)
    x0 = np.r_[2.5 * np.ones(3), 1.0]
    tr = run(PSGD(lr_w=lr_w, lr_g=0.1, blocks=(3,)), p, steps=200, x0=x0, batch_size=2, progress=False,
             grad_norm=False)
    norms = np.linalg.norm(np.asarray(tr.x)[:, :3], axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(x0[:3]), rtol=1e-14)
    assert np.ptp(np.asarray(tr.x)[:, :3], axis=0).max() > 1e-3          # it did move


@pytest.mark.parametrize("eta", [0.05, 3.0])
def test_direction_is_projected_gd_on_the_sphere_with_the_frozen_rate(eta):
    """v_{t+1} = Pi(v_t - (eta/r^2) grad R(v_t)), grad R(v) = 2 (A v - (v^T A v) v) on the unit sphere; w_t = r v_t."""
    p = rayleigh_quotient(d=5, seed=4)
    r, w0 = 3.0, np.asarray(p.x0(2))
    w0 = r * w0 / np.linalg.norm(w0)
    tr = run(PSGD(lr_w=eta, lr_g=1.0, blocks=(5,)), p, steps=60, x0=w0, progress=False, grad_norm=False,
             noise="gaussian", sigma=0.0)
    v = w0 / r
    for w in np.asarray(tr.x)[1:]:
        u = v - eta / r ** 2 * 2 * (p.A @ v - (v @ p.A @ v) * v)
        v = u / np.linalg.norm(u)
        np.testing.assert_allclose(w, r * v, rtol=1e-11, atol=1e-12)


def test_one_step_is_the_sgd_step_projected_and_the_gain_step_is_plain_sgd():
    """From the same point and sample, PSGD's w_1 is ScaleInvariantSGD's w_1 rescaled to ||w_0||, and its g_1 is the same."""
    p = batchnorm_gain(n=10, k=3, seed=2)
    x0 = np.array([0.3, -1.2, 0.8, 0.5])
    for seed in range(4):
        a = PSGD(lr_w=2.0, lr_g=0.3, blocks=(3,))
        b = ScaleInvariantSGD(lr_w=2.0, lr_g=0.3, blocks=(3,))
        xa = a.step(a.init(x0, Oracle(p, seed=seed)), Oracle(p, seed=seed)).x
        xb = b.step(b.init(x0, Oracle(p, seed=seed)), Oracle(p, seed=seed)).x
        np.testing.assert_allclose(xa[:3], xb[:3] * np.linalg.norm(x0[:3]) / np.linalg.norm(xb[:3]), rtol=1e-14)
        assert xa[3] == xb[3]
        assert np.linalg.norm(xb[:3]) > np.linalg.norm(x0[:3])               # SGD grew the norm (Lemma 2.4)


def test_batched_run_equals_the_single_runs():
    p = rayleigh_quotient(d=4, n=6, seed=1)
    method, kw = PSGD(lr_w=0.7, lr_g=1.0, blocks=(4,)), dict(steps=40, x0=np.array([1.0, 0.5, -0.5, 0.2]),
                                                               progress=False)
    batch = run(method, p, seeds=SEEDS, **kw)
    for k, s in enumerate(SEEDS):
        single = run(method, p, seed=s, **kw)
        np.testing.assert_allclose(batch[k].x, single.x, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(batch[k].loss, single.loss, rtol=1e-12, atol=1e-12)
    assert len({tuple(np.round(batch[k].x[-1], 8)) for k in range(len(SEEDS))}) == len(SEEDS)


def test_each_seed_keeps_its_own_norm():
    """A batch whose rows start at different norms: every row keeps its own, and equals its single step."""
    p = batchnorm_gain(n=10, k=3, seed=3)
    X0 = np.array([[0.1, 0.0, 0.0, 1.0], [0.0, 10.0, 0.0, -1.0], [1.0, 1.0, 1.0, 0.5]])
    m = PSGD(lr_w=1.0, lr_g=0.2, blocks=(3,))
    oracle = BatchOracle(p, SEEDS, batch_size=2)
    s = m.init(X0, oracle)
    singles = [(m.init(x, Oracle(p, seed=seed, batch_size=2)), Oracle(p, seed=seed, batch_size=2))
               for x, seed in zip(X0, SEEDS)]
    for _ in range(25):
        s = m.step(s, oracle)
        singles = [(m.step(st, o), o) for st, o in singles]
    np.testing.assert_allclose(np.linalg.norm(s.x[:, :3], axis=1), np.linalg.norm(X0[:, :3], axis=1), rtol=1e-14)
    np.testing.assert_allclose(s.x, [st.x for st, _ in singles], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.ravel(m.effective_lr(s)[0]), 1.0 / np.sum(X0[:, :3] ** 2, axis=1), rtol=1e-13)


def test_bad_input_is_refused_where_it_is_made():
    with pytest.raises(ValueError, match="blocks"):
        PSGD(lr_w=1.0, lr_g=1.0)
    with pytest.raises(ValueError, match="lr_w"):
        PSGD(lr_w=-1.0, lr_g=1.0, blocks=(2,))
    p = rayleigh_quotient(d=3)
    with pytest.raises(ValueError, match="zero"):
        PSGD(lr_w=1.0, lr_g=1.0, blocks=(3,)).init(np.zeros(3), Oracle(p))
