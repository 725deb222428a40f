"""LARS and LAMB on the MLP's layers (EC500 §24.2): the trust ratios the state reports, replayed from an
independent oracle with the same seed, and LAMB's first step in closed form (D_1 = sqrt(1 - beta) sign g)."""
import numpy as np
import pytest

from optlab.algorithms import LAMB, LARS
from optlab.algorithms.run import run
from optlab.problems import Oracle, mlp

P = mlp(n=24, widths=(3, 5, 4, 2), seed=0)


def _first_gradient(seed, x):
    o = Oracle(P, seed=seed, batch_size=4)
    return o.stoch_grad(x, o.sample())


def test_lars_trust_ratio_is_layer_norm_over_gradient_norm():
    x0, eta = P.x0(), 0.05
    m = LARS(lr=eta, blocks=P.block_sizes)
    o = Oracle(P, seed=3, batch_size=4)
    s = m.step(m.init(x0, o), o)
    g = _first_gradient(3, x0)
    for k, (a, b) in enumerate(P.blocks):
        ratio = np.linalg.norm(x0[a:b]) / np.linalg.norm(g[a:b])
        assert s.trust[k] == pytest.approx(ratio, rel=1e-12)
        np.testing.assert_allclose(s.x[a:b], x0[a:b] - eta * ratio * g[a:b], rtol=1e-12, atol=1e-15)
    assert s.trust.shape == (len(P.blocks),) and len(set(np.round(s.trust, 6))) == 3   # one per layer


def test_lamb_first_direction_is_a_scaled_sign_vector():
    x0, beta = P.x0(), 0.9
    m = LAMB(lr=0.05, beta=beta, blocks=P.block_sizes)
    o = Oracle(P, seed=4, batch_size=4)
    s = m.step(m.init(x0, o), o)
    g = _first_gradient(4, x0)
    for k, (a, b) in enumerate(P.blocks):
        nonzero = np.count_nonzero(g[a:b])
        ratio = np.linalg.norm(x0[a:b]) / (np.sqrt(1 - beta) * np.sqrt(nonzero))   # ||W|| / ||D_1||
        assert s.trust[k] == pytest.approx(ratio, rel=1e-12)


def test_a_batch_of_seeds_reports_each_seeds_trust_ratios():
    for m in (LARS(lr=0.05, blocks=P.block_sizes), LAMB(lr=0.05, blocks=P.block_sizes)):
        batch = run(m, P, steps=4, seeds=[0, 1, 2], batch_size=4)
        for k, seed in enumerate((0, 1, 2)):
            one = run(m, P, steps=4, seed=seed, batch_size=4)
            np.testing.assert_allclose(batch[k].state.trust, one.state.trust, rtol=1e-10)
            np.testing.assert_allclose(batch[k].x, one.x, rtol=1e-10, atol=1e-13)
