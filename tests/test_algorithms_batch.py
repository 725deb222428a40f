"""Seeds as a batch axis: a batched run equals the single runs, seed by seed, for every method.

The reference is the single-seed path, run(..., seed=s): an independent computation (one iterate, the
oracle's own generator, Python-float per-seed quantities). A batched run, run(..., seeds=...), must
reproduce it row by row to 1e-12 for every method of the contract table, on a finite sum (index
sampling) and with additive noise (normal draws), and on every problem family (vectorized or row by
row). Methods that cannot batch must say so (``no_batch``) and still give the single runs.
"""
import contextlib
import warnings

import numpy as np
import pytest
from test_algorithms import METHODS, X0, P

from optlab.algorithms import (
    GD, SGD, SVRG, AdaGrad, AdaGradNorm, Adam, HogwildSim, NormalizedSGDMomentum, SGDMomentum, WNGrad,
    run,
)
from optlab.algorithms.base import stepper
from optlab.algorithms.run import SeedLoopWarning
from optlab.problems import (
    FAMILIES, BatchFallbackWarning, BatchOracle, Oracle, Problem, cosine_sum, rayleigh_quotient,
)
from optlab.problems.streams import generators, seed_words

SEEDS = (3, 0, 11)
TOL = dict(rtol=1e-12, atol=1e-12)


def _assert_rows_equal(batch, singles):
    for k, single in enumerate(singles):
        row = batch[k]
        assert row.seed == single.seed
        np.testing.assert_allclose(row.x, single.x, **TOL)
        np.testing.assert_allclose(row.loss, single.loss, **TOL)
        np.testing.assert_array_equal(row.oracle_calls, single.oracle_calls)
        np.testing.assert_array_equal(row.grad_evals, single.grad_evals)


def _both(method, problem, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeedLoopWarning)
        batch = run(method, problem, seeds=SEEDS, **kw)
    return batch, [run(method, problem, seed=s, **kw) for s in SEEDS]


@pytest.mark.parametrize("name", sorted(METHODS))
def test_batched_run_equals_single_runs_on_a_finite_sum(name):
    batch, singles = _both(METHODS[name], P, steps=45, x0=X0.get(name))   # 45 > n: reshuffles too
    assert batch.x.shape == (len(SEEDS), 46, P.d) and batch.loss.shape == (len(SEEDS), 46)
    _assert_rows_equal(batch, singles)


NOISY = {k: METHODS[k] for k in ("sgd", "adam", "adam_kingma", "adagrad", "adagrad_norm",
                                  "adagrad_norm_ema_max", "sgd_momentum", "normalized_sgd_momentum",
                                  "normalized_storm", "clipped_sgd", "an_gd", "ian_sgd", "lamb",
                                  "step_rule_sgd", "projected_sgd", "minibatch_sgd")}


@pytest.mark.parametrize("name", sorted(NOISY))
@pytest.mark.parametrize("noise", ["gaussian", "sphere", "affine"])
def test_batched_run_equals_single_runs_with_additive_noise(name, noise):
    kw = dict(noise=noise, sigma=0.7, tau1=0.3 if noise == "affine" else 0.0, batch_size=2)
    batch, singles = _both(NOISY[name], P, steps=30, x0=X0.get(name), **kw)
    _assert_rows_equal(batch, singles)


def test_batched_wngrad_on_the_sphere_family():
    p = rayleigh_quotient(d=4, n=6)
    method = WNGrad(lr_w=0.2, lr_g=0.2, blocks=(4,))
    batch, singles = _both(method, p, steps=25, x0=np.array([1.0, 0.5, -0.5, 0.2]))
    _assert_rows_equal(batch, singles)


def test_per_seed_state_is_per_seed():
    """AdaGrad-norm's accumulator and step size are (S, 1) arrays, each seed's own."""
    batch, singles = _both(AdaGradNorm(c=0.5), P, steps=20)
    assert batch.state.S.shape == (len(SEEDS), 1) and batch.state.eta.shape == (len(SEEDS), 1)
    for k, single in enumerate(singles):
        assert batch[k].state.S == pytest.approx(single.state.S, rel=1e-12)
        assert batch[k].state.eta == pytest.approx(single.state.eta, rel=1e-12)
    assert len({float(v) for v in batch.state.eta[:, 0]}) == len(SEEDS)


def test_methods_that_cannot_batch_say_why():
    for name in ("almost_convex_prox", "cubic_newton", "negative_curvature", "gan_sgd"):
        assert isinstance(METHODS[name].no_batch, str) and METHODS[name].no_batch
        with pytest.warns(SeedLoopWarning, match="one by one"):
            run(METHODS[name], P, steps=2, seeds=[0, 1])
    assert METHODS["hogwild_sim"].no_batch is None and METHODS["hogwild_sim_coordinate"].no_batch is None


HOGWILD = {f"{delay}/{'coordinate' if coord else 'full'}": HogwildSim(lr=0.2, tau=3, coordinate=coord, delay=delay)
           for delay in ("max", "uniform") for coord in (False, True)}


@pytest.mark.parametrize("oracle", ["indices", "gaussian", "affine", "counter"])
@pytest.mark.parametrize("name", sorted(HOGWILD))
def test_batched_hogwild_equals_single_runs(name, oracle):
    """Each seed draws its delay k(t) before its sample and its coordinate j after it, from its own
    stream: the batch keeps that order per seed (oracle.sample_with), so its rows are the single runs,
    with their delays."""
    kw = {"indices": dict(batch_size=2), "gaussian": dict(noise="gaussian", sigma=0.5),
          "affine": dict(noise="affine", sigma=0.5, tau1=0.3),
          "counter": dict(noise="sphere", sigma=0.5, stream="counter")}[oracle]
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeedLoopWarning)
        batch = run(HOGWILD[name], P, seeds=SEEDS, steps=30, **kw)
    singles = [run(HOGWILD[name], P, seed=s, steps=30, **kw) for s in SEEDS]
    _assert_rows_equal(batch, singles)
    for k, single in enumerate(singles):
        assert batch[k].state.delay == single.state.delay
        assert len(batch[k].state.history) == len(single.state.history)


def test_sample_with_draws_around_each_seeds_sample_in_stream_order():
    o = BatchOracle(P, seeds=SEEDS, batch_size=2)
    singles = [Oracle(P, seed=s, batch_size=2) for s in SEEDS]
    for _ in range(5):
        k, xi, j = o.sample_with(before=lambda rng: rng.integers(0, 4), after=lambda rng: rng.random())
        for s, one in enumerate(singles):
            k1, xi1, j1 = one.sample_with(before=lambda rng: rng.integers(0, 4), after=lambda rng: rng.random())
            assert k[s] == k1 and j[s] == j1
            np.testing.assert_array_equal(xi[s], xi1)
    assert o.calls["sample"] == singles[0].calls["sample"] == 5


def _batch_of_x0(p, seeds=(1, 2, 3)):
    return np.stack([np.asarray(p.x0(s)) for s in seeds])


@contextlib.contextmanager
def _no_fallback_if_batched(p):
    """A family that declares batched=True must never take the row loop: its fallback warning is an
    error; any other family may (and warns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error" if p.batched else "ignore", BatchFallbackWarning)
        yield


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_every_family_answers_a_batch_row_by_row(family):
    """Row s of every batched answer (f, grad, hvp, the engine's, the projection; a finite sum's f_i,
    grad_i, hvp_i and engine_grad_i with one index row per seed or one shared index row) is the
    single-iterate answer."""
    p = family.make()
    rng = np.random.default_rng(0)
    X = _batch_of_x0(p)
    V = rng.standard_normal(X.shape)
    with _no_fallback_if_batched(p):
        fb, gb, hb = np.asarray(p.f(X)), np.asarray(p.grad(X)), np.asarray(p.hvp(X, V))
        egb, ehb, pb = p.engine_grad(X), p.engine_hvp(X, V), p.project(3.0 * X)
        if p.is_finite_sum:
            idx = rng.integers(0, p.n, (3, 2))
            per_seed = [np.asarray(p.f_i(X, idx)), p.grad_i(X, idx), p.hvp_i(X, V, idx), p.engine_grad_i(X, idx)]
            shared = [np.asarray(p.f_i(X, idx[0])), p.grad_i(X, idx[0]), p.hvp_i(X, V, idx[0]),
                      p.engine_grad_i(X, idx[0])]
    assert fb.shape == (3,) and gb.shape == X.shape and hb.shape == X.shape
    np.testing.assert_allclose(fb, [float(p.f(x)) for x in X], **TOL)
    np.testing.assert_allclose(gb, [p.grad(x) for x in X], **TOL)
    np.testing.assert_allclose(hb, [p.hvp(x, v) for x, v in zip(X, V)], equal_nan=True, **TOL)
    np.testing.assert_allclose(egb, [p.engine_grad(x) for x in X], **TOL)
    np.testing.assert_allclose(ehb, [p.engine_hvp(x, v) for x, v in zip(X, V)], equal_nan=True, **TOL)
    np.testing.assert_allclose(pb, [p.project(3.0 * x) for x in X], **TOL)
    if p.is_finite_sum:
        for rows, name in ((per_seed, "per-seed idx"), (shared, "shared idx")):
            ids = idx if name == "per-seed idx" else [idx[0]] * 3
            assert rows[1].shape == X.shape and rows[2].shape == X.shape, name
            np.testing.assert_allclose(rows[0], [float(p.f_i(x, i)) for x, i in zip(X, ids)], **TOL)
            np.testing.assert_allclose(rows[1], [p.grad_i(x, i) for x, i in zip(X, ids)], **TOL)
            np.testing.assert_allclose(rows[2], [p.hvp_i(x, v, i) for x, v, i in zip(X, V, ids)], **TOL)
            np.testing.assert_allclose(rows[3], [p.engine_grad_i(x, i) for x, i in zip(X, ids)], **TOL)


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_every_family_gives_each_seed_its_own_stochastic_gradients(family):
    """The batch oracle's row s is the single oracle of seed s, draw for draw: index sampling on a
    finite sum (minibatches of 2), additive Gaussian noise otherwise; and SGD run on the batch of seeds
    equals its single runs (whose problem calls take one iterate)."""
    p = family.make()
    X = _batch_of_x0(p)
    kw = dict(batch_size=2) if p.is_finite_sum else dict(noise="gaussian", sigma=0.5)
    batch = BatchOracle(p, seeds=SEEDS, **kw)
    singles = [Oracle(p, seed=s, **kw) for s in SEEDS]
    with _no_fallback_if_batched(p):
        G = [batch.stoch_grad(X, batch.sample()) for _ in range(4)]
    for t in range(4):
        np.testing.assert_allclose(G[t], [o.stoch_grad(x, o.sample()) for o, x in zip(singles, X)], **TOL)
    with _no_fallback_if_batched(p):
        batch_run, singles_run = _both(SGD(lr=0.01), p, steps=6, **kw)
    _assert_rows_equal(batch_run, singles_run)


ROW_BY_ROW_UNTIL_ISSUE_12 = ("huber", "absolute_loss", "reddi_adam_example", "reddi_adam_example_stochastic",
                             "median_example", "cosh_sum", "phase_retrieval", "dro_dual", "strict_saddle",
                             "cubic_test", "zipf_one_hot")


@pytest.mark.parametrize("name", ROW_BY_ROW_UNTIL_ISSUE_12)
def test_these_families_vectorize_over_the_seeds(name):
    """They were evaluated row by row; now each declares batched=True (and the two tests above hold it
    to the single-iterate answers with the fallback warning as an error)."""
    family = {f.name: f for f in FAMILIES}[name]
    assert family.make().batched


def test_a_custom_problem_falls_back_with_a_warning_and_the_right_rows():
    import optlab.numpy as onp

    p = Problem(lambda x: onp.sum(x ** 4), d=3, name="quartic")       # written for one vector
    X = np.arange(6.0).reshape(2, 3)
    with pytest.warns(BatchFallbackWarning, match="quartic"):
        G = p.grad(X)
    np.testing.assert_allclose(G, 4 * X ** 3)
    np.testing.assert_allclose(p.f(X), (X ** 4).sum(axis=1))


def test_a_custom_problem_with_a_batch_axis_uses_the_engine_per_row():
    import optlab.numpy as onp

    p = Problem(lambda x: onp.sum(x ** 4, axis=-1), d=3, name="quartic", batched=True)
    X = np.arange(6.0).reshape(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(p.grad(X), 4 * X ** 3)
        np.testing.assert_allclose(p.hvp(X, np.ones_like(X)), 12 * X ** 2)


def test_batch_oracle_rows_follow_the_single_oracles_for_long_horizons():
    """Blocks of prefetched samples (several refills) give each seed its single sample path."""
    p = cosine_sum(d=3)
    batch = BatchOracle(p, seeds=SEEDS, noise="sphere", sigma=2.0)
    singles = [Oracle(p, seed=s, noise="sphere", sigma=2.0) for s in SEEDS]
    batch._block_steps = lambda: 7                                      # force many refills
    for _ in range(30):
        xi = batch.sample()
        for k, o in enumerate(singles):
            np.testing.assert_array_equal(xi[k], o.sample())


def test_mixing_draw_and_sample_on_a_batch_is_refused():
    o = BatchOracle(P, seeds=[0, 1])
    o.sample()
    with pytest.raises(RuntimeError, match="out of order"):
        o.draw(lambda rng: rng.integers(0, 3))


def test_streams_are_default_rng_for_every_seed():
    seeds = list(range(500)) + [2 ** 32 - 1, 123456789]
    expect = np.stack([np.random.SeedSequence(s).generate_state(4, np.uint64) for s in seeds])
    np.testing.assert_array_equal(seed_words(seeds), expect)
    for g, s in zip(generators([5, 2 ** 40, np.int64(9)]), [5, 2 ** 40, 9]):
        np.testing.assert_array_equal(g.standard_normal(4), np.random.default_rng(s).standard_normal(4))


# ------------------------------------------------------------------ the reference step and the fast path
FAST = {"adam": Adam(lr=0.05), "adam_kingma": Adam(lr=0.05, eps_mode="kingma", eps=1e-3),
        "adagrad": AdaGrad(c=0.3), "adagrad_eps0": AdaGrad(c=0.3, eps=0.0),
        "adagrad_box": AdaGrad(c=0.3, D_inf=0.4), "sgd_momentum": SGDMomentum(lr=0.3, alpha=0.5),
        "normalized_sgd_momentum": NormalizedSGDMomentum(lr=0.2, alpha=0.5)}


@pytest.mark.parametrize("name", sorted(FAST))
@pytest.mark.parametrize("seeds", [None, SEEDS])
def test_fast_path_equals_the_reference(name, seeds):
    kw = dict(steps=40, noise="gaussian", sigma=0.5, **({"seeds": seeds} if seeds else {"seed": 2}))
    ref = run(FAST[name], P, inplace=False, **kw)
    fast = run(FAST[name], P, inplace=True, **kw)
    np.testing.assert_allclose(fast.x, ref.x, **TOL)


@pytest.mark.parametrize("name", sorted(FAST))
def test_reference_step_is_pure(name):
    method, o = FAST[name], Oracle(P, seed=0, noise="gaussian", sigma=0.5)
    s = method.step(method.init(np.ones(P.d), o), o)
    before = [np.array(v, copy=True) if isinstance(v, np.ndarray) else v for v in s]
    method.step(s, o)
    for a, b in zip(s, before):
        if isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b)


def test_one_switch_chooses_the_step():
    adam, x = Adam(lr=0.1), np.zeros(3)
    assert stepper(adam, x) == adam.step and stepper(adam, x, inplace=True) == adam.step_inplace
    gd = GD(lr=0.1)
    assert stepper(gd, x, inplace=True) == gd.step


def test_svrg_batched_full_gradients_per_seed():
    batch, singles = _both(SVRG(lr=0.3, epoch=10), P, steps=35)
    _assert_rows_equal(batch, singles)
    assert batch[0].grad_evals[-1] == singles[0].grad_evals[-1]
    assert not np.allclose(batch.x[0, -1], batch.x[1, -1])


def test_state_views_in_one_dimension_tell_numbers_from_vectors():
    """d = 1: a per-seed number and the iterate are both (S, 1) arrays; the view gives a float and a
    (1,) array, as the single run has them (the method's initial state tells which is which)."""
    from optlab.problems import quadratic
    from optlab.theory.measures import KeepStates

    p = quadratic(d=1, mu=1.0, H=1.0)
    kw = dict(steps=6, noise="gaussian", sigma=0.5)
    batch = run(KeepStates(AdaGradNorm(c=0.5)), p, seeds=SEEDS, **kw)
    for k, s in enumerate(SEEDS):
        single = run(KeepStates(AdaGradNorm(c=0.5)), p, seed=s, **kw)
        for a, b in zip(batch[k].state.log, single.state.log):
            assert isinstance(a.eta, float) and a.x.shape == b.x.shape == (1,)
            assert a.eta == pytest.approx(b.eta, rel=1e-12) and a.S == pytest.approx(b.S, rel=1e-12)


def test_methods_outside_the_catalogue_batch_only_when_they_declare_it():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Halving:                       # a user's method: its step is per-seed safe, but unsaid
        def init(self, x0, oracle):
            return SGD(lr=0.5).init(x0, oracle)

        def step(self, s, oracle):
            return SGD(lr=0.5).step(s, oracle)

    with pytest.warns(SeedLoopWarning, match="no_batch = None"):
        looped = run(Halving(), P, steps=5, seeds=[0, 1])
    Halving.no_batch = None
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeedLoopWarning)
        batched = run(Halving(), P, steps=5, seeds=[0, 1])
    np.testing.assert_allclose(batched.x, looped.x, **TOL)


@pytest.mark.parametrize("noise", ["gaussian", "sphere"])
@pytest.mark.parametrize("name", ["sgd", "adam", "adagrad_norm", "normalized_sgd_momentum"])
def test_counter_stream_batch_equals_single_runs(name, noise):
    kw = dict(steps=25, noise=noise, sigma=0.8, batch_size=2, stream="counter")
    batch = run(METHODS[name], P, seeds=SEEDS, **kw)
    _assert_rows_equal(batch, [run(METHODS[name], P, seed=s, **kw) for s in SEEDS])
    host = run(METHODS[name], P, seeds=SEEDS, **{**kw, "stream": "host"})
    assert not np.allclose(batch.x[:, -1], host.x[:, -1])            # a different (valid) sample path


def test_counter_stream_has_the_noise_model_moments():
    """E xi = 0 and E||xi||^2 = sigma^2/B (Gaussian and sphere alike), over 4000 seeds x 5 draws."""
    for noise in ("gaussian", "sphere"):
        o = BatchOracle(P, seeds=range(4000), noise=noise, sigma=2.0, batch_size=2, stream="counter")
        xi = np.stack([o.sample() for _ in range(5)])
        sq = (xi ** 2).sum(axis=-1)
        assert abs(sq.mean() - 2.0) < 4 * sq.std() / np.sqrt(sq.size)
        assert np.all(np.abs(xi.mean(axis=(0, 1))) < 4 * xi.std(axis=(0, 1)) / np.sqrt(20000))
    with pytest.raises(ValueError, match="stream"):
        Oracle(P, stream="counter")
