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
