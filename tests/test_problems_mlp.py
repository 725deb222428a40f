"""The MLP family (EC500 L3706): derivatives against finite differences, the layer blocks, the certified
last-block smoothness, batches of seeds against rows, reproducibility and the argument checks.

Independent sources: central finite differences of ``value`` (gradients) and of ``grad`` (Hessian-vector
products), a plain NumPy forward pass written here from the formula x -> W2 s(W1 s(W0 x)), the dense
Hessian's eigenvalues (the last-block bound), and the single-seed oracles (batches and streams).
"""
import warnings

import numpy as np
import pytest

from optlab.problems import BatchFallbackWarning, BatchOracle, Oracle, mlp

ACTS = ("tanh", "softplus", "relu")


def _fd_grad(p, x, h=1e-6):
    return np.array([(p.value(x + h * e) - p.value(x - h * e)) / (2 * h) for e in np.eye(p.d)])


@pytest.mark.parametrize("act", ACTS)
def test_gradient_matches_finite_differences_and_the_engine(act):
    p = mlp(n=12, widths=(3, 5, 4, 2), activation=act, seed=3)
    for s in (0, 1, 2):
        x = p.x0(s)
        g = p.grad(x)
        np.testing.assert_allclose(g, _fd_grad(p, x), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(g, p.engine_grad(x), rtol=1e-10, atol=1e-12)
        idx = np.array([0, 4, 4, 7])
        np.testing.assert_allclose(p.grad_i(x, idx), p.engine_grad_i(x, idx), rtol=1e-10, atol=1e-12)
        rows = p.grad_all(x)
        np.testing.assert_allclose(rows.mean(axis=0), g, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(rows[idx].mean(axis=0), p.grad_i(x, idx), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("act", ("tanh", "softplus"))
def test_hvp_matches_finite_differences_of_the_gradient(act):
    p = mlp(n=12, widths=(3, 5, 4, 2), activation=act, seed=4)
    rng = np.random.default_rng(0)
    h = 1e-6
    for s in (0, 1):
        x, v = p.x0(s), rng.standard_normal(p.d)
        fd = (p.grad(x + h * v) - p.grad(x - h * v)) / (2 * h)
        np.testing.assert_allclose(p.hvp(x, v), fd, rtol=1e-5, atol=1e-6)
        idx = np.array([1, 2])
        fd_i = (p.grad_i(x + h * v, idx) - p.grad_i(x - h * v, idx)) / (2 * h)
        np.testing.assert_allclose(p.hvp_i(x, v, idx), fd_i, rtol=1e-5, atol=1e-6)


def test_the_loss_is_the_notes_network_with_squared_loss():
    """f_i recomputed with plain NumPy from the layers: 1/2 ||W2 tanh(W1 tanh(W0 x)) - y||^2."""
    p = mlp(n=9, widths=(4, 6, 3, 2), seed=2)
    w = p.x0(1)
    W0, W1, W2 = p.layers(w)
    out = np.tanh(np.tanh(p.X @ W0.T) @ W1.T) @ W2.T
    terms = 0.5 * np.sum((out - p.Y) ** 2, axis=1)
    assert np.isclose(p.value(w), terms.mean(), rtol=1e-13)
    assert np.isclose(float(p.f_i(w, np.array([5]))), terms[5], rtol=1e-13)
    # the teacher labels the data: its residuals are the added noise only
    q = mlp(n=9, widths=(4, 6, 3, 2), seed=2, noise=0.0)
    assert q.value(q.w_teacher) == pytest.approx(0.0, abs=1e-28)


def test_blocks_name_and_cover_every_parameter_once():
    p = mlp(n=5, widths=(3, 4, 5, 2), seed=0)
    assert p.block_names == ("W0", "W1", "W2")
    assert p.shapes == ((4, 3), (5, 4), (2, 5))
    assert p.block_sizes == (12, 20, 10) and sum(p.block_sizes) == p.d
    covered = np.zeros(p.d, dtype=int)
    for a, b in p.blocks:
        covered[a:b] += 1
    assert (covered == 1).all()
    w = np.arange(p.d, dtype=float)
    assert np.array_equal(np.concatenate([W.ravel() for W in p.layers(w)]), w)     # row-major, in order
    Wb = p.layers(np.stack([w, -w]))
    assert [W.shape for W in Wb] == [(2, 4, 3), (2, 5, 4), (2, 2, 5)] and np.array_equal(Wb[1][1], -p.layers(w)[1])
    # a gradient's blocks are the layers' gradients: changing only W1 changes f only through W1's block
    x, e = p.x0(), np.zeros(p.d)
    a, b = p.blocks[1]
    e[a:b] = np.random.default_rng(1).standard_normal(b - a)
    t = 1e-6
    slope = (p.value(x + t * e) - p.value(x - t * e)) / (2 * t)
    assert np.isclose(slope, p.grad(x)[a:b] @ e[a:b], rtol=1e-6)
    assert mlp(n=5, widths=(3, 2)).block_names == ("W0",)


def test_last_block_smoothness_bound_holds_and_is_approached():
    """Hessian of f in the last block = I (x) mean a a^T; its norm is <= h_last, close to it when saturated."""
    p = mlp(n=10, widths=(3, 5, 4, 2), seed=1)
    H = p.extra["H_last_block"]
    assert H == 4.0 and "H_last_block" not in mlp(n=10, widths=(3, 5, 4, 2), activation="relu").extra
    a, b = p.blocks[-1]
    rng = np.random.default_rng(0)
    top = []
    for scale in (0.1, 1.0, 3.0, 30.0):
        for _ in range(3):
            x = scale * rng.standard_normal(p.d)
            block = p.hessian(x)[a:b, a:b]
            top.append(np.linalg.eigvalsh((block + block.T) / 2)[-1])
            assert top[-1] <= H * (1 + 1e-12), (scale, top[-1])
    # attained in the limit: W0 = c 1 e_1^T, W1 = c 1 1^T saturate every unit to a = sign(x_1) 1, so
    # mean a a^T = 1 1^T, whose norm is h_last
    c, (o0, i0), (o1, i1) = 30.0, p.shapes[0], p.shapes[1]
    W0 = np.zeros((o0, i0))
    W0[:, 0] = c
    x = np.concatenate([W0.ravel(), np.full(o1 * i1, c), np.ones(b - a)])
    block = p.hessian(x)[a:b, a:b]
    assert np.linalg.eigvalsh((block + block.T) / 2)[-1] == pytest.approx(H, rel=1e-6)


def test_a_batch_of_seeds_matches_the_rows_without_falling_back():
    p = mlp(n=8, widths=(2, 4, 3, 1), seed=0)
    rng = np.random.default_rng(5)
    X = np.stack([p.x0(s) for s in (1, 2, 3)])
    V = rng.standard_normal(X.shape)
    idx = rng.integers(0, p.n, (3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error", BatchFallbackWarning)
        F, G, Hv = p.f(X), p.grad(X), p.hvp(X, V)
        Gi, Gs, Hi = p.grad_i(X, idx), p.grad_i(X, idx[0]), p.hvp_i(X, V, idx)
    np.testing.assert_allclose(F, [p.value(x) for x in X], rtol=1e-13)
    np.testing.assert_allclose(G, [p.grad(x) for x in X], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Hv, [p.hvp(x, v) for x, v in zip(X, V)], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Gi, [p.grad_i(x, i) for x, i in zip(X, idx)], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Gs, [p.grad_i(x, idx[0]) for x in X], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Hi, [p.hvp_i(x, v, i) for x, v, i in zip(X, V, idx)], rtol=1e-12, atol=1e-14)


def test_reproducible_data_starts_and_minibatch_streams():
    p, q = mlp(n=20, seed=7), mlp(n=20, seed=7)
    assert np.array_equal(p.X, q.X) and np.array_equal(p.Y, q.Y) and np.array_equal(p.x0(), q.x0())
    assert np.array_equal(p.init_weights(3), q.init_weights(3)) and not np.array_equal(p.init_weights(3), p.x0())
    assert not np.array_equal(p.X, mlp(n=20, seed=8).X)
    x = p.x0()
    a, b = Oracle(p, seed=2, batch_size=4), Oracle(q, seed=2, batch_size=4)
    draws = [a(x) for _ in range(3)]
    for g in draws:
        assert np.array_equal(g, b(x))
    assert not np.array_equal(draws[0], Oracle(p, seed=3, batch_size=4)(x))
    batch = BatchOracle(p, seeds=[2, 3], batch_size=4)
    X = np.stack([x, x])
    G = batch.stoch_grad(X, batch.sample())
    np.testing.assert_allclose(G[0], draws[0], rtol=1e-12, atol=1e-14)   # seed 2's stream, row 0
    # a minibatch gradient is unbiased: its mean over all index draws is the full gradient
    assert np.allclose(p.grad_all(x).mean(axis=0), p.grad(x), rtol=1e-12, atol=1e-14)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="widths"):
        mlp(widths=(4,))
    with pytest.raises(ValueError, match="widths"):
        mlp(widths=(4, 0, 1))
    with pytest.raises(ValueError, match="activation"):
        mlp(activation="sigmoid")
    with pytest.raises(ValueError, match="noise"):
        mlp(noise=-1.0)
    with pytest.raises(ValueError, match="n must"):
        mlp(n=0)


def test_no_global_smoothness_is_claimed_because_the_curvature_grows_with_the_last_layer():
    p = mlp(n=16, widths=(3, 4, 4, 2), seed=0)
    assert p.H is None and p.G is None and p.rho is None and p.assumptions == {"nonconvex", "finite_sum"}
    x, (a, b) = p.x0().copy(), p.blocks[-1]
    tops = []
    for c in (1.0, 10.0, 100.0):
        y = x.copy()
        y[a:b] *= c
        tops.append(np.abs(np.linalg.eigvalsh(p.hessian(y))).max())
    assert tops[1] > 20 * tops[0] and tops[2] > 50 * tops[1]        # about c^2: no constant H bounds it
