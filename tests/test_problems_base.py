"""Problem records: validation (errors name the constant and the rule), description, wrap, catalogue."""
import numpy as np
import pytest

import optlab.numpy as onp
from optlab import problems as P
from optlab.problems import FAMILIES, Problem, families_with, wrap, wrap_finite_sum


@pytest.mark.parametrize("call, words", [
    (lambda: P.quadratic(3, mu=2.0, H=1.0), ["mu", "mu <= H"]),
    (lambda: P.quadratic(0, mu=0.1, H=1.0), ["d", ">= 1"]),
    (lambda: P.quadratic(3, mu=-0.1, H=1.0), ["mu", ">= 0"]),
    (lambda: P.quadratic(3, mu=0.1, H=float("nan")), ["H"]),
    (lambda: P.least_squares(0, 3), ["n", ">= 1"]),
    (lambda: P.logistic_regression(10, 3, lam=-1.0), ["lam", ">= 0"]),
    (lambda: P.norm_loss(3, G=0.0), ["G", "> 0"]),
    (lambda: P.power_norm(2, p=1.5), ["p", ">= 2"]),
    (lambda: P.cosh_sum(2, a=-1.0), ["a", "> 0"]),
    (lambda: P.indefinite_quadratic(3, lam_min=0.5, lam_max=1.0), ["lam_min", "< 0"]),
    (lambda: P.reddi_adam_example(C=1.5), ["C", "C > 2"]),
    (lambda: P.rayleigh_quotient(3, lo=1.0, hi=1.0), ["lo", "lo < hi"]),
    (lambda: P.strict_saddle(2, k=3), ["k", "k <= d"]),
    (lambda: P.sparse_hogwild(10, 3, nnz=4), ["nnz", "nnz <= d"]),
    (lambda: P.huber(10, 2, delta=0.0), ["delta", "> 0"]),
    (lambda: P.dro_dual(10, 2, lam=0.0), ["lam", "> 0"]),
    (lambda: P.phase_retrieval(10, 2, noise=-1.0), ["noise", ">= 0"]),
    (lambda: wrap(lambda x: onp.sum(x * x), 2, sigma=-0.5), ["sigma", ">= 0"]),
    (lambda: wrap(lambda x: onp.sum(x * x), 2, mu=3.0, H=2.0), ["mu", "mu <= H"]),
    (lambda: wrap(lambda x: onp.sum(x * x), 2, alpha=3.0), ["alpha", "<= 2"]),
    (lambda: Problem(lambda x: x[0], 1, "f", assumptions={"smooth"}), ["smooth", "H"]),
    (lambda: Problem(lambda x: x[0], 1, "f", assumptions={"smoth"}), ["assumptions", "smoth"]),
    (lambda: Problem(lambda x: x[0], 1, "f", assumptions={"convex", "nonconvex"}), ["convex"]),
    (lambda: Problem(lambda x: x[0], 2, "f", x_star=[0.0]), ["x_star", "shape"]),
])
def test_bad_input_names_the_constant_and_the_rule(call, words):
    with pytest.raises(ValueError) as e:
        call()
    assert all(w in str(e.value) for w in words), str(e.value)


def test_describe_lists_constants_and_assumptions():
    text = P.logistic_regression(30, 3, lam=0.1).describe()
    for word in ("logistic", "H ", "mu", "strongly_convex", "f*", "x*", "source"):
        assert word in text
    assert "G " not in text  # not claimed with regularisation
    assert "n = 30" in text


@pytest.mark.parametrize("fam", FAMILIES, ids=[f.name for f in FAMILIES])
def test_every_family_describes_itself_and_has_a_start(fam):
    p = fam.make()
    assert p.describe().startswith(p.name)
    assert p.x0().shape == (p.d,) and np.isfinite(p.value(p.x0()))
    x1 = p.x0(seed=1)
    assert x1.shape == (p.d,) and np.array_equal(x1, p.x0(seed=1)) and p.in_domain(x1)


def test_wrap_infers_assumptions_and_uses_the_engine():
    p = wrap(lambda x: 0.5 * onp.sum(x * x), 3, H=1.0, mu=1.0, x_star=np.zeros(3), f_star=0.0)
    assert p.assumptions == {"smooth", "strongly_convex", "convex"}
    assert np.allclose(p.grad(np.ones(3)), np.ones(3)) and not p.has_analytic_grad
    assert np.allclose(p.hvp(np.ones(3), np.arange(3.0)), np.arange(3.0))
    with pytest.raises(ValueError, match="convex=False"):
        wrap(lambda x: onp.sum(x * x), 2, mu=1.0, H=2.0, convex=False)
    data = np.arange(6.0)
    q = wrap_finite_sum(lambda x, idx: 0.5 * onp.mean((x[0] - data[idx]) ** 2), 6, 1, H=1.0, mu=1.0)
    assert "finite_sum" in q.assumptions and np.isclose(q.grad(np.zeros(1))[0], -2.5)
    assert np.isclose(q.variance(np.zeros(1)), np.var(data))


def test_families_with_pairs_theorems_to_families():
    names = {f.name for f in families_with("convex", "smooth", "finite_sum")}
    assert {"least_squares", "logistic_regression", "huber"} <= names and "cosine_sum" not in names
    assert all("generalized_smooth" in f.assumptions for f in families_with("generalized_smooth"))
    assert len({f.name for f in FAMILIES}) == len(FAMILIES)


def test_verify_reports_ratios_at_most_one():
    for fam in FAMILIES[:6]:
        worst = P.verify(fam.make(), n_points=20)
        assert all(r <= 1 + 1e-9 for r in worst.values()), (fam.name, worst)


def test_plot_for_lectures():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for p in (P.pl_sine(1), P.quadratic(2, 0.5, 2.0), P.log_sum(3)):
        fig, ax = plt.subplots()
        assert p.plot(ax=ax, num=21) is ax and ax.get_title() == p.name
        plt.close(fig)


# ------------------------------------------------------------------ declared fields (no patched attributes)
def test_declared_fields_are_the_data_the_loss_is_made_of():
    """Each family's declared fields, recomputed into its loss by hand, give the family's f (and the
    fields other code reads: Hogwild!'s supports, the online order, the saddle)."""
    from optlab.problems import declared as D

    rng = np.random.default_rng(1)
    pr = P.phase_retrieval(m=20, d=3, seed=2)
    w = rng.standard_normal(3)
    assert isinstance(pr, D.PhaseRetrievalProblem)
    assert pr.value(w) == pytest.approx(0.5 * np.mean((pr.y - (pr.A @ w) ** 2) ** 2), rel=1e-13)
    np.testing.assert_array_equal(pr.y, (pr.A @ pr.w_true) ** 2)

    dro = P.dro_dual(n=15, d=2, lam=0.3, seed=1)
    z = rng.standard_normal(3)
    loss = np.logaddexp(0, -(dro.X * dro.labels[:, None]) @ z[:2])
    psi = np.maximum((loss - z[2]) / dro.lam / 2 + 1, 0) ** 2 - 1
    assert isinstance(dro, D.DroDualProblem)
    assert dro.value(z) == pytest.approx(dro.lam * psi.mean() + z[2], rel=1e-13)

    cub = P.cubic_test(d=3, rho=2.0, seed=0)
    x = rng.standard_normal(3)
    assert isinstance(cub, D.CubicModelProblem)
    assert cub.value(x) == pytest.approx(0.5 * x @ cub.A @ x + cub.c @ x + cub.rho / 6 * np.linalg.norm(x) ** 3,
                                         rel=1e-13)

    sad = P.strict_saddle(d=3, k=1)
    assert isinstance(sad, D.StrictSaddleProblem)
    np.testing.assert_allclose(sad.grad(sad.x_saddle), 0.0, atol=1e-15)
    assert np.linalg.eigvalsh(sad.hessian(sad.x_saddle))[0] < 0

    reddi = P.reddi_adam_example(C=3.0)
    assert isinstance(reddi, D.LinearTermsProblem)
    assert reddi.value(np.array([0.5])) == pytest.approx(reddi.slopes.mean() * 0.5, rel=1e-15)
    assert [int(reddi.online_index(t)[0]) for t in range(1, 8)] == [0, 1, 2, 0, 1, 2, 0]
    stochastic = P.reddi_adam_example(C=9.0, stochastic=True)
    assert [int(stochastic.online_index(t)[0]) for t in range(1, 5)] == [0, 1, 0, 1]   # n = 2 terms

    hog = P.sparse_hogwild(n=30, d=8, nnz=3, seed=0)
    assert isinstance(hog, D.SparseDataFitProblem)
    for i in range(hog.n):
        np.testing.assert_array_equal(hog.supports[i], hog.X[i].indices)
        s, v = hog.grad_i_sparse(w := rng.standard_normal(8), i)
        np.testing.assert_allclose(hog.grad_i(w, np.array([i]))[s], v, rtol=1e-13)


def test_declared_fields_reject_mismatched_data():
    from optlab.problems.declared import SparseDataFitProblem

    with pytest.raises(ValueError, match="supports"):
        SparseDataFitProblem(lambda w, idx: 0.0, 2, 3, "bad", supports=np.zeros((3, 1), int),
                             grad_i_sparse=None, X=np.zeros((2, 3)), y=np.zeros(2), loss="logistic")
