"""Checks of the theory modules ec500_normalized .. slides004 that the generic theorem tests do not cover.

* the recording wrapper leaves trajectories unchanged;
* the corrected proof of Lemma 24.2's vector inequality (erratum E15) on random and adversarial pairs;
* Theorem 24.3: with sigma >= 1 the printed bound is the stricter one (why it is checked as printed);
* Theorem 25.8: the corrected ratio is invariant under L -> a L(./b), the printed one is not;
* 001 Lemma B.1, a pure inequality;
* the IAN-SGD step-length bound used in the derived 002-IAN-SGD, and run(..., tau1=) reaching the oracle;
* 004-D5: the printed factor is below the proved one exactly when c > delta.
"""
import dataclasses
import math

import numpy
from hypothesis import given, settings, strategies as st

from optlab.algorithms import IANSGD, NormalizedSGDMomentum, run
from optlab.problems import cosh_sum, cosine_sum, strict_saddle
from optlab.theory import Instance, check
from optlab.theory import ec500_normalized, ec500_second_order, measures, paper002

unit = st.floats(0.0, 1.0, exclude_max=True)


def test_recorded_wrapper_leaves_the_trajectory_unchanged():
    p, m = cosine_sum(d=3), NormalizedSGDMomentum(lr=0.05, alpha=0.2)
    kw = dict(steps=30, x0=numpy.full(3, 0.4), seed=3, noise="gaussian", sigma=1.0, progress=False)
    a, b = run(m, p, **kw), run(measures.KeepStates(m), p, **kw)
    assert numpy.array_equal(a.x, b.x)
    log = measures.states(b)
    assert len(log) == 30 and numpy.allclose(log[-1].x, b.x[-1])


@settings(max_examples=300, deadline=None)
@given(g=st.lists(st.floats(-10, 10), min_size=3, max_size=3), e=st.lists(st.floats(-10, 10), min_size=3, max_size=3),
       scale=st.sampled_from([0.0, 1e-3, 0.5, 8 / 13, 1.0, 2.0, 100.0]), adversarial=st.booleans())
def test_lemma_24_2_vector_inequality(g, e, scale, adversarial):
    """-<g, (g+e)/||g+e||> <= -||g||/3 + 13||e||/6 (the angle proof of the note, erratum E15)."""
    g, e = numpy.array(g), numpy.array(e)
    if adversarial:                       # e = -s g, where the printed case split is tightest
        e = -scale * g
    m = g + e
    n = numpy.linalg.norm(m)
    lhs = 0.0 if n == 0 else -(g @ m) / n
    assert lhs <= -numpy.linalg.norm(g) / 3 + 13 * numpy.linalg.norm(e) / 6 + 1e-9 * (1 + numpy.linalg.norm(g))


@given(D=st.floats(1e-3, 1e3), H=st.floats(1e-3, 1e3), sigma=st.floats(1.0, 1e3), T=st.integers(1, 10 ** 6))
def test_thm_24_3_printed_bound_is_the_stricter_when_sigma_at_least_one(D, H, sigma, T):
    printed = 13 * math.sqrt(T) / (2 * math.sqrt(D * H))
    derived = 13 * sigma ** 2 * math.sqrt(T) / (2 * math.sqrt(D * H))
    assert printed <= derived


def _ratio_258(theorem, a, b):
    """L_{a,b}(x) = a L_{1,1}(x/b): the strict saddle with mu = a/b^2, started at b x_0, with J = rho."""
    p = strict_saddle(d=3, k=1, a=a, b=b, mu=a / b ** 2)
    x0 = numpy.array([1.0, -0.5, 1e-3]) * b
    return check(theorem, Instance(p, x0, T=6, hyper={"J": p.rho})).measured


def test_thm_25_8_corrected_ratio_is_scale_invariant_and_printed_is_not():
    base = _ratio_258(ec500_second_order.EC500_25_8.theorem, 1.0, 1.0)
    for a, b in [(10.0, 1.0), (1.0, 10.0), (0.1, 3.0)]:
        assert numpy.allclose(_ratio_258(ec500_second_order.EC500_25_8.theorem, a, b), base, rtol=1e-6)
    printed = [_ratio_258(ec500_second_order.EC500_25_8_printed.theorem, a, b)[0] for a, b in [(1.0, 1.0), (1.0, 10.0)]]
    assert abs(printed[1] / printed[0] - 1) > 0.5


@settings(max_examples=200, deadline=None)
@given(a=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=60), a0=st.floats(1e-3, 1.0), B=st.floats(1.0, 5.0))
def test_001_lemma_B1(a, a0, B):
    """sum_{t=1}^T a_t / sum_{tau<t} a_tau <= log2(sum_{t<T} a_t / a_0) + 1 + 2B/a_0 for a_t in [0, B]."""
    seq = numpy.concatenate([[a0 * B], B * numpy.array(a)])
    prefix = numpy.cumsum(seq)
    lhs = float(numpy.sum(seq[1:] / prefix[:-1]))
    assert lhs <= math.log2(prefix[-2] / seq[0]) + 1 + 2 * B / seq[0] + 1e-9


@settings(max_examples=30, deadline=None)
@given(u=st.tuples(unit, unit, unit), seed=st.integers(0, 1000))
def test_ian_sgd_step_length_under_the_slides_Gamma(u, seed):
    """With A, delta, Gamma as on the slides (beta = 1), ||w_{t+1} - w_t|| <= 2 gamma/Gamma <= 1/(2 L1)."""
    p = cosh_sum(d=3)
    tau1, tau2, gamma = 0.9 * u[0], 0.1 + 2 * u[1], 0.01 + u[2]
    inst = paper002._ian_instance(p, numpy.full(3, 2.0), 20, gamma, tau1, tau2, seeds=1)
    tr = run(paper002.Paper002_IAN_SGD.theorem.method(inst), p, steps=20, x0=inst.x0, seed=seed, progress=False, **inst.oracle)
    steps = numpy.linalg.norm(numpy.diff(tr.x, axis=0), axis=1)
    assert numpy.all(steps <= 1 / (2 * p.L1) * (1 + 1e-12))


def test_run_passes_tau1_to_the_affine_oracle():
    """IAN-SGD's h_t = max(1, ||g'|| + 1) (A = Gamma = delta = 1) sees g' = (1 +- tau1) grad F."""
    p, x0 = cosh_sum(d=2), numpy.array([1.0, -1.0])
    m = measures.KeepStates(IANSGD(lr=1e-300, beta=1.0))       # no move: every gradient at x0
    tr = run(m, p, steps=200, x0=x0, noise="affine", sigma=0.0, tau1=0.5, progress=False)
    h = numpy.array([s.h for s in measures.states(tr)])
    g = numpy.linalg.norm(p.grad(x0))
    assert numpy.allclose(numpy.sort(numpy.unique(numpy.round(h, 9))), [1 + 0.5 * g, 1 + 1.5 * g])


@given(mu=st.floats(1e-6, 0.5), gamma_beta=st.floats(0.01, 0.99))
def test_004_D5_printed_factor_below_the_proved_one_iff_c_exceeds_delta(mu, gamma_beta):
    beta, delta = 1.0, 2 * mu
    gamma, c = gamma_beta / beta, math.sqrt(delta) * gamma_beta / 2
    printed, proved = 1 - c * gamma * (1 - gamma_beta), 1 - delta * gamma * (1 - gamma_beta)
    assert (printed < proved) == (c > delta)


def test_every_theorem_here_states_its_source_lines():
    from optlab.theory import ec500_second_order as so, paper000, paper001, slides004

    for mod in (ec500_normalized, so, paper000, paper001, paper002, slides004):
        for t in mod.THEOREMS:
            assert "L" in t.source and any(ch.isdigit() for ch in t.source), t.id
            assert dataclasses.is_dataclass(t) and t.note, t.id
