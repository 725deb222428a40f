"""The heavy-tailed noise law of seed 002's open problem (eq. 20) and its oracle: law, moments, streams, batches.

* the radius scale s is checked against the Pareto moment computed by numerical integration (a second source);
* each draw is replayed from the seed's stream by a second implementation (SciPy's normal CDF, not log_ndtr);
* the tail probability P(||xi|| > r) = (r/(sigma s))^-tail and the uniform direction are tested statistically
  (bounded statistics only: the noise itself has infinite variance), each at false-alarm rate ALPHA;
* a batch of seeds draws exactly the single oracle's numbers, through run() too;
* bad arguments raise errors naming them.
"""
import math

import numpy
import pytest
from scipy import integrate, special, stats

from optlab.algorithms import IANSGD, SGD, ClippedSGD, run
from optlab.problems import BatchOracle, HeavyTailed, Oracle, cosh_sum, power_norm
from optlab.theory import ALPHA


@pytest.mark.parametrize("kappa, tail", [(1.2, None), (1.5, 1.75), (1.5, 4.0), (2.0, None), (2.0, 2.5)])
def test_the_kappa_moment_is_one_by_numerical_integration(kappa, tail):
    law = HeavyTailed(kappa, tail)
    s, a = law.scale, law.tail
    density = lambda r: a * s ** a * r ** (-a - 1)                          # Pareto(s, a)
    total, _ = integrate.quad(density, s, math.inf)
    moment, _ = integrate.quad(lambda r: r ** kappa * density(r), s, math.inf, limit=200)
    assert total == pytest.approx(1.0, rel=1e-8) and moment == pytest.approx(1.0, rel=1e-6)
    assert law.moment(kappa) == pytest.approx(1.0, rel=1e-12)
    assert law.moment(a) == math.inf and (law.moment(2.0) == math.inf) == (a <= 2)


def test_each_draw_replays_from_the_seed_stream():
    p, law, sigma = power_norm(d=3, p=4.0), HeavyTailed(1.5), 0.7
    o = Oracle(p, seed=5, noise=law, sigma=sigma)
    rng = numpy.random.default_rng(5)
    for _ in range(50):
        z = rng.standard_normal(4)
        v = stats.norm.cdf(z[3])                                              # uniform (0, 1)
        expected = sigma * law.scale * v ** (-1 / law.tail) * z[:3] / numpy.linalg.norm(z[:3])
        assert numpy.allclose(o.sample(), expected, rtol=1e-12, atol=0)


def test_the_far_tail_keeps_its_precision():
    """log_ndtr: a normal of -30 (V ~ 1e-198) still gives the exact radius s V^(-1/tail), not inf or 0."""
    law = HeavyTailed(1.5, 1.75)
    z = numpy.array([[1.0, 0.0, -30.0]])
    r = float(numpy.linalg.norm(law.shape(z, 1.0)))
    assert math.isfinite(r) and r == pytest.approx(law.scale * math.exp(-special.log_ndtr(-30.0) / 1.75), rel=1e-12)


def test_tail_probability_and_direction_match_the_law():
    d, sigma, n = 3, 2.0, 20000
    law = HeavyTailed(1.5)
    o = Oracle(power_norm(d=d, p=4.0), seed=11, noise=law, sigma=sigma)
    X = numpy.array([o.sample() for _ in range(n)])
    R = numpy.linalg.norm(X, axis=1)
    levels = sigma * law.scale * numpy.array([1.5, 4.0, 20.0])
    checks = len(levels) + d
    for r in levels:                                   # two-sided exact binomial test of P(R > r)
        p = (r / (sigma * law.scale)) ** -law.tail
        k = int((R > r).sum())
        assert stats.binomtest(k, n, p).pvalue >= ALPHA / checks, (r, k / n, p)
    U = X / R[:, None]                                 # the direction: bounded, mean 0, E U_i^2 = 1/d
    z = U.mean(axis=0) / numpy.sqrt(1 / d / n)
    assert numpy.all(numpy.abs(z) <= stats.norm.isf(ALPHA / (2 * checks))), z


def test_a_batch_of_seeds_draws_the_single_oracles_numbers():
    p, law = power_norm(d=4, p=4.0), HeavyTailed(1.3, 1.9)
    for B in (1, 3):
        batch = BatchOracle(p, seeds=[0, 7, 9], noise=law, sigma=1.5, batch_size=B)
        singles = [Oracle(p, seed=s, noise=law, sigma=1.5, batch_size=B) for s in (0, 7, 9)]
        for _ in range(600):                           # more than one prefetched block
            xi = batch.sample()
            assert numpy.allclose(xi, [o.sample() for o in singles], rtol=1e-13, atol=0)


@pytest.mark.filterwarnings("ignore::optlab.problems.BatchFallbackWarning")
@pytest.mark.parametrize("method", [SGD(lr=0.01), ClippedSGD(lr=0.05, clip=1.0),
                                    IANSGD(lr=0.05, beta=1.0, A=1.0, Gamma=1.0, delta=1.0)])
def test_run_with_a_batch_of_seeds_equals_the_single_runs(method):
    p, x0 = cosh_sum(d=3), numpy.full(3, 1.0)
    kw = dict(steps=40, x0=x0, noise=HeavyTailed(1.5), sigma=1.0, progress=False)
    batch = run(method, p, seeds=[1, 2, 3], **kw)
    for k, s in enumerate([1, 2, 3]):
        assert numpy.allclose(batch[k].x, run(method, p, seed=s, **kw).x, rtol=1e-12, atol=1e-14)


def test_variance_is_infinite_below_tail_two_and_exact_above():
    p, x = power_norm(d=2, p=4.0), numpy.ones(2)
    assert Oracle(p, noise=HeavyTailed(1.5), sigma=1.0).variance(x) == math.inf
    law = HeavyTailed(2.0, 3.0)
    assert Oracle(p, noise=law, sigma=2.0, batch_size=4).variance(x) == pytest.approx(4.0 * law.moment(2.0) / 4)
    assert law.moment(2.0) == pytest.approx(1.0)      # kappa = 2: E||xi||^2 = sigma^2 exactly


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="kappa must satisfy 1 < kappa <= 2"):
        HeavyTailed(2.5)
    with pytest.raises(ValueError, match="tail must exceed kappa"):
        HeavyTailed(1.5, 1.5)
    p = power_norm(d=2, p=4.0)
    with pytest.raises(ValueError, match="needs sigma"):
        Oracle(p, noise=HeavyTailed(1.5))
    with pytest.raises(ValueError, match="stream='counter' draws additive noise only"):
        Oracle(p, noise=HeavyTailed(1.5), sigma=1.0, stream="counter")
    with pytest.raises(ValueError, match="or a HeavyTailed"):
        Oracle(p, noise="pareto", sigma=1.0)
