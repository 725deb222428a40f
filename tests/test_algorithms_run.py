"""The driver: traces, batching over seeds, divergence handling, progress bars, plots, and the real
lock-free Hogwild! (worker processes on shared memory)."""
import math

import numpy as np
import pytest

from optlab.algorithms import (
    GD, SGD, Adam, DivergenceError, Momentum, Trace, plot_trace, run,
)
from optlab.algorithms.hogwild_shm import hogwild, sparse_rows
from optlab.problems import Oracle, Problem, least_squares, logistic_regression, quadratic

Q = quadratic(d=4, mu=0.5, H=2.0, seed=0)
LS = least_squares(n=20, d=3, seed=0)


def test_trace_records_metrics_against_closed_forms():
    tr = run(GD(lr=0.25), Q, steps=10, x0=np.ones(4))
    M = np.eye(4) - 0.25 * Q.A
    xs = [np.ones(4)]
    for _ in range(10):
        xs.append(Q.x_star + M @ (xs[-1] - Q.x_star))
    xs = np.array(xs)
    np.testing.assert_allclose(tr.x, xs, rtol=1e-12)
    np.testing.assert_array_equal(tr.t, np.arange(11))
    np.testing.assert_allclose(tr.dist, np.linalg.norm(xs - Q.x_star, axis=1), rtol=1e-12)
    np.testing.assert_allclose(tr.loss, [0.5 * (x - Q.x_star) @ Q.A @ (x - Q.x_star) for x in xs],
                               rtol=1e-12)
    np.testing.assert_allclose(tr.grad_norm, np.linalg.norm((xs - Q.x_star) @ Q.A, axis=1), rtol=1e-12)
    np.testing.assert_array_equal(tr.grad_evals, np.arange(11))        # one full gradient per step
    assert np.all(np.diff(tr.time) >= 0) and tr.gap is not None and len(tr) == 11
    assert "GD(lr=0.25)" in repr(tr)


def test_every_kth_iterate_and_the_last():
    tr = run(SGD(lr=0.05), LS, steps=23, every=5, seed=1)
    np.testing.assert_array_equal(tr.t, [0, 5, 10, 15, 20, 23])
    full = run(SGD(lr=0.05), LS, steps=23, seed=1)
    np.testing.assert_array_equal(tr.x, full.x[[0, 5, 10, 15, 20, 23]])
    np.testing.assert_array_equal(tr.grad_evals, [0, 5, 10, 15, 20, 23])
    assert run(SGD(lr=0.05), LS, steps=5, keep_x=False).x is None


def test_seeds_give_a_batched_trace_equal_to_single_runs():
    tr = run(SGD(lr=0.05), Q, steps=30, seeds=range(4), noise="gaussian", sigma=0.5)
    assert tr.batched and tr.loss.shape == (4, 31) and tr.x.shape == (4, 31, 4)
    for k in range(4):
        one = run(SGD(lr=0.05), Q, steps=30, seed=k, noise="gaussian", sigma=0.5)
        np.testing.assert_allclose(tr[k].x, one.x, rtol=1e-12, atol=1e-15)   # (S, d) @ A vs A @ x
        np.testing.assert_allclose(tr.loss[k], one.loss, rtol=1e-12, atol=1e-15)
    assert not np.array_equal(tr.loss[0], tr.loss[1])


def test_monte_carlo_mean_matches_the_exact_noise_ball():
    """SGD on (H/2)||x||^2 with N(0, sigma^2/d I) noise: E||x_t||^2 = (1-eta H)^{2t}||x_0||^2
    + eta^2 sigma^2 (1 - (1-eta H)^{2t}) / (1 - (1-eta H)^2) (exact moment recursion)."""
    H, eta, sigma, T, K = 1.0, 0.3, 1.0, 40, 400
    p = Problem(lambda x: 0.5 * H * (x @ x), d=3, name="iso", grad=lambda x: H * x,
                x_star=np.zeros(3), f_star=0.0)
    tr = run(SGD(lr=eta), p, steps=T, seeds=range(K), noise="gaussian", sigma=sigma,
             x0=np.ones(3), grad_norm=False, keep_x=False)
    r = (1 - eta * H) ** 2
    exact = r ** T * 3 + eta ** 2 * sigma ** 2 * (1 - r ** T) / (1 - r)
    sq = tr.dist[:, -1] ** 2
    assert abs(sq.mean() - exact) <= 4 * sq.std() / math.sqrt(K)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_stops_with_the_step_and_the_finite_trace():
    """GD on (H/2) x^2 with eta H = 3: x_t = (-2)^t x_0 overflows at the first t with 2^t > 1.8e308."""
    p = Problem(lambda x: 0.5 * (x @ x), d=1, name="x^2/2", grad=lambda x: x)
    with pytest.raises(DivergenceError) as info:
        run(GD(lr=3.0), p, steps=2000, x0=np.array([1.0]))
    err = info.value
    with np.errstate(over="ignore"):
        expected = next(t for t in range(1, 2000) if not np.isfinite(np.float64(2.0) ** t))
    assert err.step == expected == 1024
    assert "step 1024" in str(err) and isinstance(err.trace, Trace)
    assert err.trace.t[-1] == 1023 and np.all(np.isfinite(err.trace.x))
    assert err.trace.x[-1, 0] == -(2.0 ** 1023)                     # (-2)^1023


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_with_sparse_records_keeps_the_last_finite_iterate():
    p = Problem(lambda x: 0.5 * (x @ x), d=1, name="x^2/2", grad=lambda x: x)
    with pytest.raises(DivergenceError) as info:
        run(Momentum(lr=3.0, momentum=0.0), p, steps=2000, x0=np.array([1.0]), every=100)
    assert info.value.step == 1024 and info.value.trace.t[-1] == 1023


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_in_a_batch_names_the_seed():
    with pytest.raises(DivergenceError, match="seed 0"):
        run(SGD(lr=3.0), Q, steps=2000, seeds=[0, 1])


def test_progress_bar_off_when_not_a_tty_and_on_request(capsys):
    run(SGD(lr=0.01), LS, steps=30_000, grad_norm=False, keep_x=False, every=10_000)
    assert capsys.readouterr().err == ""
    run(SGD(lr=0.01), LS, steps=300, progress=True, grad_norm=False)
    assert "/300" in capsys.readouterr().err


def test_run_accepts_a_ready_oracle_and_counts_only_method_calls():
    o = Oracle(LS, seed=3, batch_size=2)
    tr = run(SGD(lr=0.05), LS, steps=7, oracle=o)
    assert o.calls["stoch_grad"] == 7 and o.calls["sample"] == 7 and o.calls["value"] == 0
    np.testing.assert_array_equal(tr.oracle_calls, 2 * np.arange(8))
    np.testing.assert_array_equal(tr.grad_evals, 2 * np.arange(8))


def test_plot_trace_is_agg_safe():
    import matplotlib
    matplotlib.use("Agg")
    single = run(GD(lr=0.5), Q, steps=20)
    batch = run(SGD(lr=0.1), Q, steps=20, seeds=range(5), noise="sphere", sigma=0.3)
    ax = plot_trace([single, batch], metric="gap", x="grad_evals")
    assert len(ax.lines) == 2 and len(ax.collections) == 1          # one quantile band
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="metric"):
        plot_trace(single, metric="accuracy")


def test_adam_step_is_pure_its_fast_path_in_place_and_x0_is_copied():
    x0 = np.ones(4)
    m = Adam(lr=0.1)
    s0 = m.init(x0, Oracle(Q))
    s1 = m.step(s0, Oracle(Q))
    assert s1.x is not s0.x and s0.x[0] == 1.0 and not s0.m.any()
    s2 = m.step_inplace(s0, Oracle(Q))
    assert s2.x is s0.x and s2.m is s0.m and x0[0] == 1.0
    np.testing.assert_allclose(s2.x, s1.x, rtol=1e-12)


# ----------------------------------------------------------------------------------- real Hogwild!
def test_sparse_rows_round_trip():
    indptr, indices, data, y = sparse_rows(LS)
    X = np.zeros((LS.n, LS.d))
    for i in range(LS.n):
        X[i, indices[indptr[i]:indptr[i + 1]]] = data[indptr[i]:indptr[i + 1]]
    np.testing.assert_array_equal(X, LS.X)


@pytest.mark.parametrize("make, loss", [(lambda: LS, "squares"),
                                        (lambda: logistic_regression(n=30, d=4, seed=1), "logistic")])
def test_hogwild_one_worker_is_serial_sgd_on_its_samples(make, loss):
    p = make()
    r = hogwild(p, lr=0.05, updates=500, workers=1, seed=4)
    idx = np.random.default_rng([4, 0]).integers(0, p.n, 500)
    w = np.zeros(p.d)
    for i in idx:
        w = w - 0.05 * p.grad_i(w, np.array([i]))
    np.testing.assert_allclose(r.x, w, rtol=1e-9, atol=1e-12)


def test_hogwild_two_workers_share_one_vector_without_locks():
    p = logistic_regression(n=400, d=20, seed=0)
    r = hogwild(p, lr=0.05, updates=40_000, workers=2, seed=0, record_delays=True)
    assert r.workers == 2 and r.updates == 40_000 and r.seconds > 0
    assert p.value(r.x) < 0.8 * p.value(np.zeros(20))          # both workers' updates landed on w
    assert r.max_delay >= 0


@pytest.mark.parametrize("scale", ["d", 1])
def test_hogwild_one_worker_algorithm_15_is_serial_random_coordinate_sgd(scale):
    from optlab.problems import sparse_hogwild

    p = sparse_hogwild(n=50, d=8, nnz=3, seed=2)
    r = hogwild(p, lr=0.05, updates=400, workers=1, seed=5, coordinate=True, coordinate_scale=scale)
    rng = np.random.default_rng([5, 0])
    idx, js = rng.integers(0, p.n, 400), rng.integers(0, p.d, 400)
    w = np.zeros(p.d)
    for i, j in zip(idx, js):
        g = p.grad_i(w, np.array([i]))
        w[j] -= 0.05 * (p.d if scale == "d" else 1) * g[j]
    np.testing.assert_allclose(r.x, w, rtol=1e-9, atol=1e-12)
    assert np.count_nonzero(r.x) > 0
