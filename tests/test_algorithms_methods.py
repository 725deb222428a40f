"""Method-specific invariants, each against an independent source (closed form, the paper's golden
values, enumeration, or a second implementation)."""
import math

import numpy as np
import pytest
from hypothesis import example, given, strategies as st

from optlab.algorithms import (
    ANGD, IANSGD, LAMB, LARS, SGD, SVRG, AdaGradNormEMA, AdaGradNormEMAMax, AlmostConvexProx, BatchScaled,
    CosineAnnealing, CubicNewton, EpochDiminishing, GradientAutoscale, InverseSqrt, LinearWarmup,
    MinibatchSGD, NegativeCurvature, NormalizedSGDMomentum, NormalizedSTORM, ProjectedSGD,
    ShuffledSGD, StepDecay, StepRuleSGD, solve_cubic, run,
)
from optlab.algorithms.second_order import cubic_model
from optlab.problems import Oracle, Problem, least_squares, quadratic
from optlab.problems.second_order import cubic_test, strict_saddle

LS = least_squares(n=12, d=4, seed=0)


class Recorder:
    """Oracle proxy that records the samples passed to stoch_grad (and can script them)."""

    def __init__(self, oracle, script=None):
        self.oracle, self.seen, self.script = oracle, [], list(script or [])

    def __getattr__(self, name):
        return getattr(self.oracle, name)

    def sample(self):
        return self.script.pop(0) if self.script else self.oracle.sample()

    def stoch_grad(self, x, xi):
        self.seen.append(np.array(xi))
        return self.oracle.stoch_grad(x, xi)


def _drive(method, problem, steps, oracle, x0):
    s = method.init(x0, oracle)
    xs = [s.x.copy()]
    for _ in range(steps):
        s = method.step(s, oracle)
        xs.append(s.x.copy())
    return s, np.array(xs)


# ----------------------------------------------------------------------------------- schedules
def test_cosine_annealing_properties():
    """eta_0 = max, eta_T = min, non-increasing, eta_t + eta_{T-t} = min + max (EC500 L1211)."""
    s = CosineAnnealing(lr_max=2.0, lr_min=0.5, period=40)
    eta = np.array([s(t) for t in range(0, 41)])
    assert eta[0] == pytest.approx(2.0) and eta[40] == pytest.approx(0.5)
    assert np.all(np.diff(eta) <= 1e-15)
    np.testing.assert_allclose(eta + eta[::-1], 2.5, rtol=1e-14)


def test_cosine_restarts_increase_at_phase_start_and_decay():
    s = CosineAnnealing(lr_max=1.0, period=(10, 20), decay=0.5)
    assert s(11) > s(10) and s(10) == pytest.approx(0.0, abs=1e-15)
    assert s(11) == pytest.approx(0.5 * 0.5 * (1 + math.cos(math.pi / 20)))


def test_warmup_step_decay_and_batch_scaling():
    w = LinearWarmup(lr=0.4, warmup=8)
    np.testing.assert_allclose([w(t) for t in (1, 4, 8)], [0.05, 0.2, 0.4])
    assert w(32) == pytest.approx(0.2)                       # eta_0 sqrt(T_w / t)
    assert LinearWarmup(lr=0.4, warmup=8, after=InverseSqrt(1.0))(16) == 0.25
    d = StepDecay(lr=1.0, every=30, factor=0.1)               # ImageNet: /10 every 30 epochs
    assert (d(30), d(31), d(61)) == (1.0, pytest.approx(0.1), pytest.approx(0.01))
    assert BatchScaled(lr=0.1, batch_size=8)(3) == pytest.approx(0.8)


def test_slides_diminishing_schedules_and_summability():
    """seed 004 L776-819: both satisfy sum eta = inf; only the first has sum eta^2 < inf."""
    a = EpochDiminishing(lr=1.0, n=1, K=1)
    b = EpochDiminishing(lr=1.0, n=1, K=1, sqrt=True)
    assert [a(t) for t in (1, 2, 3)] == [1.0, 0.5, 1 / 3]
    assert b(5) == pytest.approx(1 / (1 + 2.0))
    ea, eb = np.array([a(t) for t in range(1, 10 ** 5)]), np.array([b(t) for t in range(1, 10 ** 5)])
    assert ea.sum() > 10 and eb.sum() > 500
    assert (ea ** 2).sum() < 1.7 and (eb ** 2).sum() > 5      # pi^2/6 vs ~log(T)


@pytest.mark.parametrize("gnorm, step", [(7.0e6, 1.4e-7), (257, 0.004), (1.5, 0.087), (1.2, 0.089)])
def test_adaptive_step_rule_matches_the_slides_table(gnorm, step):
    """seed 004 table (c) (L920-948), gamma = 0.1 / (0.1 ||g|| + 1), printed to 2 digits."""
    assert StepRuleSGD(lr=0.1, alpha=0.1).step_size(1, gnorm) == pytest.approx(step, rel=0.08)


def test_combined_step_rule_diminishes_with_psi():
    m = StepRuleSGD(lr=1.0, alpha=0.0, psi="sqrt", K=10)
    assert [m.step_size(t, 5.0) for t in (1, 11, 41)] == [1.0, 0.5, pytest.approx(1 / (1 + 2))]
    assert StepRuleSGD(lr=1.0, alpha=0.0, psi="linear", K=10).step_size(41, 0.0) == 1 / 5


# ----------------------------------------------------------------------------------- sampling
def test_shuffled_sgd_visits_each_example_once_per_epoch():
    o = Recorder(Oracle(LS, seed=0))
    _drive(ShuffledSGD(lr=0.01), LS, 36, o, np.zeros(4))
    idx = np.concatenate(o.seen)
    np.testing.assert_array_equal(idx[:12], np.arange(12))              # epoch 1 in the given order
    for e in range(3):
        assert sorted(idx[12 * e:12 * (e + 1)]) == list(range(12))
    assert not np.array_equal(idx[12:24], np.arange(12))                # then shuffled


@pytest.mark.parametrize("replace", [False, True])
def test_minibatch_sampling_with_and_without_replacement(replace):
    o = Recorder(Oracle(LS, seed=0))
    _drive(MinibatchSGD(lr=0.01, batch_size=12, replace=replace), LS, 30, o, np.zeros(4))
    distinct = [len(set(b.tolist())) for b in o.seen]
    if replace:
        assert min(distinct) < 12                 # a 12-draw with replacement from 12 repeats (w.p. ~1)
    else:
        assert distinct == [12] * 30              # a uniform 12-subset of 12 is a permutation


def test_minibatch_without_replacement_is_unbiased_by_enumeration():
    """seed 004 L189-217: averaging (1/K) sum_{i in B} grad f_i over all K-subsets gives grad f."""
    from itertools import combinations

    w = np.array([0.3, -1.0, 2.0, 0.5])
    for K in (1, 2, 5):
        mean = np.mean([LS.grad_i(w, np.array(B)) for B in combinations(range(12), K)], axis=0)
        np.testing.assert_allclose(mean, LS.grad(w), rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------------- normalized
@pytest.mark.parametrize("make", [lambda: NormalizedSGDMomentum(lr=0.3, alpha=0.2),
                                  lambda: NormalizedSTORM(lr=0.3, alpha=0.2),
                                  lambda: ANGD(lr=0.3, beta=1.0)], ids=["nsgdm", "storm", "nsgd"])
def test_a_normalized_step_has_length_exactly_lr(make):
    tr = run(make(), LS, steps=60, seed=2)
    np.testing.assert_allclose(np.linalg.norm(np.diff(tr.x, axis=0), axis=1), 0.3, rtol=1e-12)


def test_normalized_step_at_a_stationary_point_stays():
    p = Problem(lambda x: 0.5 * (x @ x), d=3, name="q", grad=lambda x: x)
    tr = run(ANGD(lr=0.3, beta=0.5), p, steps=3, x0=np.zeros(3))
    assert np.all(tr.x == 0)


def test_angd_with_beta_alpha_is_exactly_linear_on_power_functions():
    """seed 002 / seed notes T2.3: on f = |x|^p with beta = alpha = (p-2)/(p-1),
    x_{t+1} = (1 - gamma p^{1/(p-1)}) x_t."""
    p_ = 4.0
    beta, gamma = (p_ - 2) / (p_ - 1), 0.05
    prob = Problem(lambda x: np.sum(np.abs(x) ** p_), d=1, name="|x|^4",
                   grad=lambda x: p_ * np.sign(x) * np.abs(x) ** (p_ - 1))
    tr = run(ANGD(lr=gamma, beta=beta), prob, steps=30, x0=np.array([2.0]))
    expected = 2.0 * (1 - gamma * p_ ** (1 / (p_ - 1))) ** np.arange(31)
    np.testing.assert_allclose(tr.x[:, 0], expected, rtol=1e-12)


def test_ian_sgd_direction_is_unbiased_up_to_scale_by_enumeration():
    """seed 002 eq. (16): averaging the IAN step over all independent pairs (xi, xi') gives a multiple
    of grad F; the AN-SGD step (same sample in both places) does not (exact enumeration)."""
    w = np.array([0.5, -1.0, 2.0, 1.0])
    n = LS.n

    def one(method, script):
        o = Recorder(Oracle(LS, seed=0), script=[np.array([i]) for i in script])
        s = method.init(w, o)
        return method.step(s, o).x - w

    ian = IANSGD(lr=0.1, beta=1.0, A=1.0, Gamma=2.0, delta=0.0)
    mean_ian = np.mean([one(ian, (i, j)) for i in range(n) for j in range(n)], axis=0)
    mean_an = np.mean([one(ANGD(lr=0.1, beta=1.0), (i,)) for i in range(n)], axis=0)
    g = LS.grad(w)
    cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert cos(-mean_ian, g) == pytest.approx(1.0, abs=1e-12)
    assert cos(-mean_an, g) < 1 - 1e-4


def test_ian_sgd_clipped_step_bound():
    """h_t >= 1 and ||w_{t+1} - w_t|| <= gamma ||g_t|| (seed notes §3.2, T2.6)."""
    o = Recorder(Oracle(LS, seed=1))
    s, xs = _drive(IANSGD(lr=0.2, beta=0.7, A=2.0, Gamma=0.5, delta=1.0), LS, 40, o, np.ones(4))
    grads = [LS.grad_i(x, i) for x, i in zip(xs[:-1], o.seen[0::2])]
    for k, g in enumerate(grads):
        assert np.linalg.norm(xs[k + 1] - xs[k]) <= 0.2 * np.linalg.norm(g) * (1 + 1e-12)


def test_normalized_storm_matches_a_hand_written_recursion():
    """Section 24.1 box, written out independently, fed the same samples (same oracle seed)."""
    tr = run(NormalizedSTORM(lr=0.1, alpha=0.3), LS, steps=25, seed=6, x0=np.ones(4))
    rng = np.random.default_rng(6)                       # the oracle's own stream: one index per step
    w_prev, w = None, np.ones(4)
    for t in range(1, 26):
        i = rng.integers(0, LS.n, 1)
        g = LS.grad_i(w, i)
        m = g if t == 1 else 0.7 * (m + g - LS.grad_i(w_prev, i)) + 0.3 * g
        w_prev, w = w, w - 0.1 * m / np.linalg.norm(m)
        np.testing.assert_allclose(tr.x[t], w, rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------------- adaptive
def test_adagrad_norm_ema_max_invariants():
    """Algorithm 9: eta_t non-increasing, <= c/eps, ||eta_t g_t||^2 <= c^2 / t."""
    o = Recorder(Oracle(LS, seed=0))
    m = AdaGradNormEMAMax(c=0.5, beta=0.8, eps=1e-3)
    s = m.init(np.ones(4), o)
    etas = []
    for t in range(1, 80):
        x = s.x
        s = m.step(s, o)
        etas.append(s.eta)
        assert np.sum((x - s.x) ** 2) <= 0.25 / t * (1 + 1e-12)
    assert np.all(np.diff(etas) <= 0) and max(etas) <= 0.5 / 1e-3


def test_adagrad_norm_ema_learning_rate_can_increase():
    """The notes' warning for Algorithm 8 (L1821): 5 gradients of norm 10, then 50 of norm 0.1:
    eta goes from ~0.1 to ~0.67 (beta = 0.9, c = 1)."""
    gs = [10.0] * 5 + [0.1] * 50
    it = iter(gs)
    p = Problem(lambda x: 0.0 * x[0], d=1, name="scripted", grad=lambda x: np.array([next(it)]))
    s = run(AdaGradNormEMA(c=1.0, beta=0.9), p, steps=55, x0=np.zeros(1), grad_norm=False).state
    A = 0.0
    for g in gs:
        A = 0.9 * A + g * g
    assert s.eta == pytest.approx(1 / math.sqrt(1e-8 + A))
    assert s.eta > 0.6


def test_projected_sgd_stays_in_the_ball_and_uses_one_over_mu_t():
    q = quadratic(d=3, mu=1.0, H=2.0, seed=0, x_star=np.array([0.5, 0.0, 0.0]))
    tr = run(ProjectedSGD(mu=1.0, D=1.0), q, steps=200, noise="sphere", sigma=1.0, x0=np.full(3, 5.0))
    assert np.all(np.linalg.norm(tr.x, axis=1) <= 1 + 1e-12)
    assert tr.dist[-1] < 0.2


# ----------------------------------------------------------------------------------- SVRG
def test_svrg_checkpoint_is_the_epoch_average_and_converges_linearly():
    n = LS.n
    tr = run(SVRG(lr=0.05), LS, steps=n, seed=0)
    np.testing.assert_allclose(tr.state.v, tr.x[:n].mean(axis=0), rtol=1e-12)   # v_2 = mean w_1..w_N
    np.testing.assert_allclose(tr.state.grad_v, LS.grad(tr.state.v), rtol=1e-12)
    assert tr.grad_evals[-1] == n + 2 * n + n          # grad L(v_1), two per step, grad L(v_2)
    lsn = least_squares(n=12, d=4, seed=0, normalize=True)          # per-term H = 1
    long = run(SVRG(lr=0.5), lsn, steps=60 * n, seed=0, every=n)
    assert long.dist[-1] < 1e-6 * long.dist[0]       # to x_star (closed form), unlike constant-step SGD
    sgd = run(SGD(lr=0.5), lsn, steps=60 * n, seed=0, every=n)
    assert sgd.dist[-1] > 1e-3 * sgd.dist[0]


# ----------------------------------------------------------------------------------- LARS / LAMB
@pytest.mark.parametrize("make", [lambda: LARS(lr=0.05, blocks=(1, 3)),
                                  lambda: LAMB(lr=0.05, blocks=(1, 3)),
                                  lambda: LAMB(lr=0.05, blocks=(1, 3), adam=False)])
def test_each_block_moves_by_lr_times_its_norm(make):
    tr = run(make(), LS, steps=20, seed=1, x0=np.array([1.0, 2.0, -1.0, 0.5]))
    for sl in (slice(0, 1), slice(1, 4)):
        steps = np.linalg.norm(np.diff(tr.x[:, sl], axis=0), axis=1)
        np.testing.assert_allclose(steps, 0.05 * np.linalg.norm(tr.x[:-1, sl], axis=1), rtol=1e-12)


# ----------------------------------------------------------------------------------- GAN
@pytest.mark.parametrize("s, a1, a2", [(1e-4, 0.434294, 0.188612), (1e-3, 0.579059, 0.335310),
                                       (1e-2, 0.868589, 0.754447), (0.1, 1.737178, 3.017787)])
def test_gan_scale_golden_values(s, a1, a2):
    """Golden values of the seed notes (000 E1): a = (4 / (|ln s| + 1e-8))^p."""
    gan = GradientAutoscale()
    assert gan.scale(s, 1) == pytest.approx(a1, abs=1e-6)
    assert gan.scale(s, 2) == pytest.approx(a2, abs=1e-6)


def _gan_first(g, shapes=((2, 3),), **kw):
    gan = GradientAutoscale(shapes=shapes, **kw)
    return gan.apply(np.asarray(g, dtype=float), gan.init())


@given(s1=st.floats(1e-5, 5e-2))
@example(s1=2.0e-3)
@example(s1=3.40e-3)
@example(s1=3.60e-3)
def test_gan_exponent_rule_switches_at_exp_minus_4_sqrt2(s1):
    """p = 1 iff a_1 (computed with p = 2) < 0.5, i.e. iff s_1 < exp(-4 sqrt 2) = 3.4935e-3."""
    g = s1 * np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0]) / np.std([1, -1, 1, -1, 1, -1], ddof=1)
    _, st_ = _gan_first(g)
    assert st_.s == pytest.approx(s1, rel=1e-12)
    if abs(s1 - math.exp(-4 * math.sqrt(2))) > 1e-9:
        assert st_.p == (1 if s1 < math.exp(-4 * math.sqrt(2)) else 2)


def test_gan_centres_eligible_layers_scales_globally_and_leaves_vectors():
    rng = np.random.default_rng(0)
    g = 1e-3 * rng.standard_normal(2 * 3 + 4 + 3)
    out, st_ = _gan_first(g, shapes=((2, 3), (4,), (3, 1)), clip_a=None)
    elig = np.concatenate([g[:6], g[10:]])
    s = np.std(elig, ddof=1)                                  # unbiased std of the RAW gradients
    a = (4 / (abs(np.log(s)) + 1e-8)) ** 2
    np.testing.assert_array_equal(out[6:10], g[6:10])         # 1-D tensor untouched, bit for bit
    np.testing.assert_allclose(out[:6], a * (g[:6] - g[:6].mean()), rtol=1e-12)
    np.testing.assert_allclose(out[10:], a * (g[10:] - g[10:].mean()), rtol=1e-12)
    assert st_.a == pytest.approx(a) and abs(out[:6].mean()) < 1e-18


def test_gan_guards_the_singularity_at_s_equal_one():
    g = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0]) / np.std([1, -1, 1, -1, 1, -1], ddof=1)  # s = 1
    out, st_ = _gan_first(g)
    assert st_.a == 1.0 and np.all(np.isfinite(out))          # capped at clip_a = 1
    with pytest.warns(RuntimeWarning, match="singular"):
        out2, st2 = _gan_first(g, clip_a=None)
    assert st2.a > 1e16                                       # (4 / 1e-8)^2 = 1.6e17 without the guard


# ----------------------------------------------------------------------------------- second order
def _random_cubic(seed, hard):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 7))
    M = rng.standard_normal((d, d))
    A = (M + M.T) / 2
    g = rng.standard_normal(d) * rng.choice([1e-6, 1.0, 10.0])
    if hard:
        lam, Q = np.linalg.eigh(A)
        g = Q[:, 1:] @ (Q[:, 1:].T @ g) * 0.01           # no component on the bottom eigenvector
    return g, A, float(rng.uniform(0.1, 5.0))


@given(seed=st.integers(0, 2 ** 16), hard=st.booleans())
def test_cubic_subproblem_global_optimality(seed, hard):
    """Nesterov-Polyak: delta is a global minimiser iff g + (A + J r/2 I) delta = 0, r = ||delta||,
    A + J r/2 I >= 0; plus no random perturbation does better."""
    g, A, J = _random_cubic(seed, hard)
    delta = solve_cubic(g, A, J)
    r = np.linalg.norm(delta)
    scale = 1 + np.linalg.norm(g) + np.linalg.norm(A, 2) * r + J * r * r
    assert np.linalg.norm(g + A @ delta + J * r / 2 * delta) <= 1e-9 * scale
    assert np.linalg.eigvalsh(A + J * r / 2 * np.eye(len(g)))[0] >= -1e-9 * scale
    best = cubic_model(g, A, J, delta)
    rng = np.random.default_rng(seed)
    for _ in range(50):
        assert cubic_model(g, A, J, delta + rng.standard_normal(len(g)) * 0.3) >= best - 1e-10 * scale


@pytest.mark.parametrize("c_norm", [1.0, 0.0], ids=["easy", "hard-case"])
def test_cubic_newton_one_step_solves_the_cubic_test_problem(c_norm):
    """On f = x^T A x / 2 + c^T x + rho ||x||^3 / 6 from 0, the cubic model with J = rho is f itself,
    so one step lands on the family's x_star (its own secular-equation solver)."""
    p = cubic_test(d=4, rho=2.0, seed=3, lam_min=-1.0, lam_max=2.0, c_norm=c_norm)
    tr = run(CubicNewton(J=2.0), p, steps=1)
    assert p.value(tr.x[1]) == pytest.approx(p.f_star, abs=1e-12)
    if c_norm:
        np.testing.assert_allclose(tr.x[1], p.x_star, atol=1e-10)
    else:
        np.testing.assert_allclose(np.abs(tr.x[1]), np.abs(p.x_star), atol=1e-10)


def test_negative_curvature_step_decreases_by_theorem_25_7():
    """L(w + delta) <= L(w) - 2 lam^3 / (3 J^2) at the strict saddle (J = rho)."""
    p = strict_saddle(d=3, k=1, a=1.0, b=1.0)
    J = p.rho
    w = np.array([0.1, -0.2, 0.01])
    lam = -np.linalg.eigvalsh(p.hessian(w))[0]
    tr = run(NegativeCurvature(J=J, lr=0.5), p, steps=1, x0=w)
    assert lam > 0 and p.value(tr.x[1]) <= p.value(w) - 2 * lam ** 3 / (3 * J ** 2) + 1e-12
    assert tr.state.lam_min == pytest.approx(-lam)


def test_cubic_newton_escapes_the_saddle_and_converges():
    p = strict_saddle(d=3, k=1)
    tr = run(CubicNewton(J=p.rho), p, steps=15, x0=np.array([0.5, 0.3, 0.0]))
    assert tr.loss[-1] == pytest.approx(p.f_star, abs=1e-10)
    assert np.all(np.diff(tr.loss) <= 1e-12)                # the cubic model upper-bounds f


# ----------------------------------------------------------------------------------- almost convex
def test_almost_convex_outer_step_meets_the_inner_targets():
    p = strict_saddle(d=3, k=1)                                # gamma-almost convex with gamma = 1
    gamma, H, eps = 1.0, p.H, 1e-5
    m = AlmostConvexProx(gamma=gamma, H=H, eps=eps)
    w = np.array([0.4, 0.2, 0.3])
    s = m.step(m.init(w, Oracle(p)), Oracle(p))
    delta = s.x - w
    gradF = p.grad(w + delta) + 2 * gamma * delta
    assert np.linalg.norm(gradF) <= eps
    assert p.value(s.x) <= p.value(w)
    assert s.inner < m.inner_steps
