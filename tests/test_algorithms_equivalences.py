"""Equivalences between methods, each checked against an independent computation.

SGD with zero noise = GD; momentum 0 = GD; the momentum form of acceleration = Algorithm 11 (1e-12);
STORM with alpha = 1 = normalized SGD; Hogwild with staleness 0 = SGD; Adam with eps = 0 = the
textbook recursion (a separate naive implementation); GD on scale-invariant weights = projected
WNGrad (seed 001 Theorem 2.5); parallel minibatch SGD (Algorithm 13) = serial minibatch SGD.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from optlab.algorithms import (
    ANGD, GD, SGD, AcceleratedGD, Adam, AdaGrad, AdaGradNorm, GradientAutoscale, HogwildSim,
    MinibatchSGD, Momentum, NesterovMomentum, NormalizedSGDMomentum, NormalizedSTORM,
    ParallelMinibatchSGD, PowerDecay, ScaleInvariantSGD, SGDMomentum, Transformed, WNGrad, agd_alphas,
    run,
)
from optlab.problems import Oracle, Problem, least_squares, logistic_regression, quadratic

Q = quadratic(d=6, mu=0.01, H=1.0, seed=3)
LS = least_squares(n=30, d=4, seed=1)
LOGREG = logistic_regression(n=60, d=5, lam=0.01, seed=2)


@pytest.mark.parametrize("noise", [None, "gaussian", "sphere"])
def test_sgd_with_zero_noise_equals_gd(noise):
    kw = {} if noise is None else dict(noise=noise, sigma=0.0)
    a = run(SGD(lr=0.7), Q, steps=60, x0=np.ones(6), **kw)
    b = run(GD(lr=0.7), Q, steps=60, x0=np.ones(6))
    np.testing.assert_array_equal(a.x, b.x)
    # and both equal the closed form x_t - x* = (I - eta A)^t (x_0 - x*)
    M = np.linalg.matrix_power(np.eye(6) - 0.7 * Q.A, 60)
    np.testing.assert_allclose(b.x[-1] - Q.x_star, M @ (np.ones(6) - Q.x_star), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("two_step", [False, True])
def test_momentum_zero_equals_gd(two_step):
    a = run(Momentum(lr=0.5, momentum=0.0, two_step=two_step), LOGREG, steps=50, x0=np.ones(5))
    b = run(GD(lr=0.5), LOGREG, steps=50, x0=np.ones(5))
    np.testing.assert_array_equal(a.x, b.x)


def test_sgd_momentum_alpha_one_equals_sgd():
    a = run(SGDMomentum(lr=0.1, alpha=1.0), LS, steps=80, seed=4)
    b = run(SGD(lr=0.1), LS, steps=80, seed=4)
    np.testing.assert_array_equal(a.x, b.x)


@pytest.mark.parametrize("problem", [Q, LOGREG], ids=["quadratic", "logistic"])
def test_momentum_form_of_acceleration_equals_algorithm_11(problem):
    eta = 1 / problem.H
    x0 = np.linspace(-1, 2, problem.d)
    a = run(AcceleratedGD(lr=eta), problem, steps=300, x0=x0)
    b = run(Momentum(lr=eta, momentum=NesterovMomentum(), two_step=True), problem, steps=300, x0=x0)
    scale = np.max(np.abs(a.x))
    assert np.max(np.abs(a.x - b.x)) <= 1e-12 * scale


def test_agd_alpha_identities():
    """alpha_t^2 = S_t = sum_{i<=t} alpha_i (Prop 15.3, corrected) and S_t / (t+1)^2 in [1/4, 0.3025]."""
    a = np.array(agd_alphas(200))
    S = np.cumsum(a)
    np.testing.assert_allclose(a[1:] ** 2, S[1:], rtol=1e-12)
    ratio = S[1:] / np.arange(2, 202) ** 2
    assert ratio.min() >= 0.25 and ratio.max() <= 0.3025 + 1e-12


def test_agd_rate_theorem_15_2():
    """L(w_{T+1}) - L_* <= 2 ||w_1 - w_*||^2 / (eta (T+1)^2)-type bound: use the notes' constant via
    S_T >= (T+1)^2/4: L(w_{T+1}) - L_* <= ||w_1 - w_*||^2 / (2 eta S_T)."""
    eta, x0 = 1 / Q.H, np.zeros(6)
    tr = run(AcceleratedGD(lr=eta), Q, steps=100, x0=x0)
    S = np.cumsum(agd_alphas(100))[1:]
    bound = np.sum((x0 - Q.x_star) ** 2) / (2 * eta * S)
    assert np.all(tr.gap[1:] <= bound * (1 + 1e-9))


@pytest.mark.parametrize("alpha_cls", [NormalizedSTORM, NormalizedSGDMomentum])
def test_storm_and_normalized_momentum_with_alpha_one_equal_normalized_sgd(alpha_cls):
    a = run(alpha_cls(lr=0.05, alpha=1.0), LS, steps=100, seed=5)
    b = run(ANGD(lr=0.05, beta=1.0), LS, steps=100, seed=5)
    np.testing.assert_array_equal(a.x, b.x)


def test_storm_correction_is_used_when_alpha_below_one():
    a = run(NormalizedSTORM(lr=0.05, alpha=0.5), LS, steps=30, seed=5)
    b = run(NormalizedSGDMomentum(lr=0.05, alpha=0.5), LS, steps=30, seed=5)
    assert not np.allclose(a.x[2:], b.x[2:])
    assert a.grad_evals[-1] == 1 + 2 * 29 and b.grad_evals[-1] == 30   # two gradients per step


@pytest.mark.parametrize("noise", [None, "gaussian"])
def test_hogwild_with_staleness_zero_equals_sgd(noise):
    problem = LS if noise is None else Q
    kw = {} if noise is None else dict(noise="gaussian", sigma=0.3)
    a = run(HogwildSim(lr=0.05, tau=0), problem, steps=100, seed=2, **kw)
    b = run(SGD(lr=0.05), problem, steps=100, seed=2, **kw)
    np.testing.assert_array_equal(a.x, b.x)


def test_hogwild_staleness_uses_the_iterate_tau_steps_back():
    """With a deterministic oracle and delay='max', step t uses grad at w_{max(0, t-1-tau)}."""
    tau, eta = 3, 0.3
    tr = run(HogwildSim(lr=eta, tau=tau), Q, steps=20, x0=np.ones(6))
    w = [np.ones(6)]
    for t in range(1, 21):
        w.append(w[-1] - eta * Q.grad(w[max(0, t - 1 - tau)]))
    np.testing.assert_allclose(tr.x, np.array(w), rtol=1e-13, atol=1e-15)
    assert tr.state.delay == tau


@given(b1=st.floats(0.0, 0.99), b2=st.floats(0.0, 0.9999), lr=st.floats(1e-3, 0.5),
       mode=st.sampled_from(["notes", "kingma"]))
def test_adam_with_eps_zero_follows_the_textbook_recursion(b1, b2, lr, mode):
    x = np.array([1.0, -2.0, 0.5, 3.0])
    tr = run(Adam(lr=lr, beta1=b1, beta2=b2, eps=0.0, eps_mode=mode), Problem(
        lambda z: 0.5 * np.sum(z ** 2 + 0.3 * z), d=4, name="sep", grad=lambda z: z + 0.15),
        steps=25, x0=x)
    m, v = np.zeros(4), np.zeros(4)
    for t in range(1, 26):                                   # Kingma & Ba, Algorithm 1 with eps = 0
        g = tr.x[t - 1] + 0.15                               # (one step at a time: no feedback of
        m = b1 * m + (1 - b1) * g                            #  rounding through the trajectory)
        v = b2 * v + (1 - b2) * g * g
        w = tr.x[t - 1] - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t))
        np.testing.assert_allclose(tr.x[t], w, rtol=1e-12, atol=1e-14)


def test_adam_notes_eps_is_v0():
    """eps_mode='notes': v_0 = eps^2 and no eps in the denominator (the notes' expansion, L2484)."""
    eps, b1, b2, lr = 0.5, 0.9, 0.99, 0.1
    p = Problem(lambda z: 0.5 * np.sum(z ** 2), d=2, name="q", grad=lambda z: z)
    tr = run(Adam(lr=lr, beta1=b1, beta2=b2, eps=eps), p, steps=5, x0=np.array([1.0, -1.0]))
    w, m, v = np.array([1.0, -1.0]), np.zeros(2), np.full(2, eps ** 2)
    for t in range(1, 6):
        m = b1 * m + (1 - b1) * w
        v = b2 * v + (1 - b2) * w * w
        w = w - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t))
    np.testing.assert_allclose(tr.x[-1], w, rtol=1e-12)


def test_adam_with_zero_betas_is_sign_descent():
    tr = run(Adam(lr=0.01, beta1=0.0, beta2=0.0, eps=0.0), Q, steps=10, x0=np.ones(6))
    steps = np.diff(tr.x, axis=0)
    grads = np.array([Q.grad(x) for x in tr.x[:-1]])
    np.testing.assert_allclose(steps, -0.01 * np.sign(grads), rtol=1e-12)


def test_adagrad_matches_its_formula():
    tr = run(AdaGrad(c=0.2, eps=0.1), LS, steps=30, seed=3)
    rec = least_squares(n=30, d=4, seed=1)
    o = Oracle(rec, seed=3)
    w, s = np.zeros(4), np.zeros(4)
    for t in range(1, 31):
        g = rec.grad_i(w, o.sample())
        s += g * g
        w = w - 0.2 * g / np.sqrt(0.1 ** 2 + s)
        np.testing.assert_allclose(tr.x[t], w, rtol=1e-12, atol=1e-15)


def test_parallel_minibatch_equals_serial_minibatch():
    a = run(ParallelMinibatchSGD(lr=0.1, batch_size=6, workers=3), LS, steps=50, seed=9)
    b = run(MinibatchSGD(lr=0.1, batch_size=6), LS, steps=50, seed=9)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12, atol=1e-14)


def test_gan_with_only_vectors_is_the_identity():
    """No tensor has two dimensions: S_t is empty and GAN leaves every gradient unchanged (eq. 2)."""
    gan = GradientAutoscale(shapes=((2,), (2,)))
    a = run(Transformed(SGD(lr=0.1), gan), LS, steps=40, seed=1)
    b = run(SGD(lr=0.1), LS, steps=40, seed=1)
    np.testing.assert_array_equal(a.x, b.x)


def _rayleigh(A):
    def grad(w):
        q = w @ w
        return 2 * (A @ w - (w @ A @ w) / q * w) / q
    return Problem(lambda w: (w @ (A @ w)) / (w @ w), d=A.shape[0], name="Rayleigh quotient",
                   grad=grad, f_star=float(np.linalg.eigvalsh(A)[0]))


def _rayleigh_plus_quadratic(As, Qg):
    """F_i(w; g) = R_{A_i}(w) + 1/2 g^T Qg g (a finite sum over the A_i): w (the first block) is
    scale-invariant, g ordinary."""
    from optlab.problems import FiniteSumProblem

    k = As[0].shape[0]

    def parts(x, idx):
        w, g = x[:k], x[k:]
        return w, g, sum(As[i] for i in idx) / len(idx)

    def f_i(x, idx):
        w, g, A = parts(x, idx)
        return (w @ (A @ w)) / (w @ w) + 0.5 * g @ (Qg @ g)

    def grad_i(x, idx):
        w, g, A = parts(x, idx)
        q = w @ w
        return np.concatenate([2 * (A @ w - (w @ A @ w) / q * w) / q, Qg @ g])

    return FiniteSumProblem(f_i, len(As), k + Qg.shape[0], "Rayleigh + quadratic", grad_i=grad_i)


@pytest.mark.parametrize("stochastic", [False, True], ids=["GD", "SGD"])
def test_gd_on_scale_invariant_weights_is_projected_wngrad(stochastic):
    """seed 001 Theorem 2.5: v_t = w_t/||w_t|| and G_t = ||w_t||^2, for GD and SGD (same samples)."""
    rng = np.random.default_rng(0)
    As = [(M + M.T) / 2 for M in rng.standard_normal((3, 4, 4))]
    p = _rayleigh_plus_quadratic(As, np.diag([1.0, 2.0]))
    x0 = np.concatenate([3 * rng.standard_normal(4), [1.0, -1.0]])
    lr_w, lr_g = PowerDecay(2.0, 0.25), PowerDecay(0.4, 0.5)
    si, wn = ScaleInvariantSGD(lr_w=lr_w, lr_g=lr_g, blocks=(4,)), WNGrad(lr_w=lr_w, lr_g=lr_g, blocks=(4,))
    kw = dict(steps=200, x0=x0, seed=3, batch_size=1 if stochastic else 3, replace=stochastic)
    a, b = run(si, p, **kw), run(wn, p, **kw)
    W = a.x[:, :4]
    norms = np.linalg.norm(W, axis=1)
    np.testing.assert_allclose(b.x[:, :4], W / norms[:, None], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.x[:, 4:], a.x[:, 4:], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.state.G[0], norms[-1] ** 2, rtol=1e-10)
    np.testing.assert_allclose(si.effective_lr(a.state), wn.effective_lr(b.state), rtol=1e-10)


def test_scale_invariant_lemma_2_4_and_init_lr_equivalence():
    """||w_{t+1}||^2 = ||w_t||^2 + eta^2 ||grad||^2 for any eta (Lemma 2.4); (C w_0, C^2 eta) gives
    C w_t (L190)."""
    rng = np.random.default_rng(1)
    M = rng.standard_normal((5, 5))
    p = _rayleigh((M + M.T) / 2)
    w0 = rng.standard_normal(5)
    for eta in (0.01, 1.0, 100.0):
        tr = run(ScaleInvariantSGD(lr_w=eta, lr_g=1.0, blocks=(5,)), p, steps=50, x0=w0)
        sq = np.sum(tr.x ** 2, axis=1)
        g2 = np.array([np.sum(p.grad(w) ** 2) for w in tr.x[:-1]])
        np.testing.assert_allclose(sq[1:], sq[:-1] + eta ** 2 * g2, rtol=1e-12)
        assert np.all(np.diff(sq) >= -1e-13 * sq[1:])       # non-decreasing (up to rounding)
        C = 7.0
        tr2 = run(ScaleInvariantSGD(lr_w=C ** 2 * eta, lr_g=1.0, blocks=(5,)), p, steps=50, x0=C * w0)
        np.testing.assert_allclose(tr2.x, C * tr.x, rtol=1e-9, atol=1e-12)


def test_adagrad_norm_invariants():
    """Algorithm 7: eta_t non-increasing, eta_t <= c/eps, ||eta_t g_t|| <= c."""
    tr = run(AdaGradNorm(c=0.5, eps=1e-4), LOGREG, steps=100, seed=1, noise=None)
    steps = np.linalg.norm(np.diff(tr.x, axis=0), axis=1)
    assert np.all(steps <= 0.5 * (1 + 1e-12))


@pytest.mark.parametrize("mode", ["notes", "kingma"])
def test_cache_blocked_adam_and_adagrad_match_the_textbook_on_long_vectors(mode):
    """d = 150 000 > 2 blocks: the block-by-block in-place update equals the one-line formulas."""
    d = 150_000
    rng = np.random.default_rng(0)
    c = rng.standard_normal(d)
    p = Problem(lambda z: 0.5 * np.sum((z - c) ** 2), d=d, name="shifted", grad=lambda z: z - c)
    x0 = rng.standard_normal(d)
    lr, b1, b2, eps = 0.01, 0.9, 0.99, 1e-3
    tr = run(Adam(lr=lr, beta1=b1, beta2=b2, eps=eps, eps_mode=mode), p, steps=3, x0=x0,
             grad_norm=False)
    m, v = np.zeros(d), np.full(d, eps ** 2 if mode == "notes" else 0.0)
    for t in range(1, 4):
        g = tr.x[t - 1] - c
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        den = np.sqrt(v / (1 - b2 ** t)) + (eps if mode == "kingma" else 0.0)
        np.testing.assert_allclose(tr.x[t], tr.x[t - 1] - lr * m / (1 - b1 ** t) / den, rtol=1e-12,
                                   atol=1e-14)
    ta = run(AdaGrad(c=0.1, eps=1e-2), p, steps=3, x0=x0, grad_norm=False)
    s = np.zeros(d)
    for t in range(1, 4):
        g = ta.x[t - 1] - c
        s += g * g
        np.testing.assert_allclose(ta.x[t], ta.x[t - 1] - 0.1 * g / np.sqrt(1e-4 + s), rtol=1e-12,
                                   atol=1e-14)
