"""The Monte Carlo checks: their runs are one batch equal to the seed-by-seed runs, and their tests are
the stated one-sided tests (critical values from scipy.stats as the reference)."""
import warnings

import numpy as np
import pytest
from scipy import stats

from optlab.algorithms import run
from optlab.theory import THEOREMS, get
from optlab.theory.theorem import (
    ALPHA, THOROUGH_SEEDS, Instance, _expectation_check, _probability_check, run_instance, seed_count,
    t_quantile,
)


@pytest.mark.parametrize("k, m", [(2, 1), (12, 100), (1000, 100), (30, 7)])
def test_t_quantile_is_scipy_stats(k, m):
    assert t_quantile(k, m) == pytest.approx(stats.t.isf(ALPHA / m, df=k - 1), rel=1e-12)


MC = [t for t in THEOREMS if t.kind != "every_step" and not t.exact and t.expect]


@pytest.mark.parametrize("thm", MC[:12], ids=[t.id for t in MC[:12]])
def test_batched_runs_of_a_check_equal_its_seed_by_seed_runs(thm):
    """run_instance (one batch) against one run(seed=s) per seed: the same measured values."""
    inst = thm.default(0)
    inst = Instance(inst.problem, inst.x0, T=min(inst.T, 60), hyper=inst.hyper, oracle=inst.oracle,
                    seeds=4, label=inst.label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batched = run_instance(thm, inst)
        single = [run(thm.method(inst), inst.problem, steps=inst.T, x0=inst.x0, seed=s, progress=False,
                      **dict(inst.oracle)) for s in range(4)]
    np.testing.assert_allclose(np.asarray(thm.measure(batched, inst), dtype=float),
                               np.asarray(thm.measure(single, inst), dtype=float), rtol=1e-10, atol=1e-12)


def test_expectation_check_is_a_one_sided_t_test():
    thm, inst = get("EC500-6.1"), get("EC500-6.1").default(0)
    k = 40
    values = np.linspace(-1.0, 1.0, k)[:, None] + np.zeros((1, 3))     # mean 0, sd known
    se = values[:, 0].std(ddof=1) / np.sqrt(k)
    q = stats.t.isf(ALPHA / 3, df=k - 1)
    assert _expectation_check(thm, inst, values, np.full(3, -q * se * 0.999)).holds
    assert not _expectation_check(thm, inst, values, np.full(3, -q * se * 1.001)).holds


def test_probability_check_is_an_exact_binomial_test():
    thm, inst = get("EC500-6.1"), get("EC500-6.1").default(0)
    thm = type(thm)(**{**thm.__dict__, "probability": 0.1, "kind": "probability"})
    k, bound = 100, np.zeros(2)
    # the largest failure count with P(Binomial(100, 0.1) >= F) >= ALPHA is accepted, one more refused
    F = max(f for f in range(k + 1) if stats.binom.sf(f - 1, k, 0.1) >= ALPHA)
    for fails, holds in ((F, True), (F + 1, False)):
        values = np.where(np.arange(k)[:, None] < fails, 1.0, -1.0) + np.zeros((1, 2))
        assert _probability_check(thm, inst, values, bound).holds is holds


def test_thorough_profile_runs_ten_times_the_seeds(monkeypatch):
    inst = get("EC500-6.1").default(0)
    monkeypatch.delenv("OPTLAB_PROFILE", raising=False)
    assert seed_count(inst) == inst.seeds
    monkeypatch.setenv("OPTLAB_PROFILE", "thorough")
    assert seed_count(inst) == THOROUGH_SEEDS * inst.seeds == 10 * inst.seeds
