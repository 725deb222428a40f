"""Paper 000 eq. (1): the printed autoscale formula against its stated simplification (theorems 000-eq1 and
000-eq1/printed). Golden values come from the seed notes (000 E1, computed there independently); the checks
are shown failing on an implementation with a wrong std, and the two forms agree exactly where they should
(p = 1)."""
import dataclasses
import math

import numpy
import pytest
from hypothesis import given, strategies as st

from optlab.algorithms import SGD, GradientAutoscale, Transformed
from optlab.problems import logistic_regression
from optlab.theory import check, get
from optlab.theory.measures import KeepStates
from optlab.theory.paper000 import eq1_corrected, eq1_printed

# (s, a with p = 1, a with p = 2) from the seed notes, 000 E1 (x = |ln s| + 1e-8)
GOLDEN = [(1e-4, 0.434294, 0.188612), (1e-3, 0.579059, 0.335310), (1e-2, 0.868589, 0.754447),
          (0.1, 1.737178, 3.017787)]


@pytest.mark.parametrize("s, a1, a2", GOLDEN)
def test_corrected_eq1_matches_the_seed_notes(s, a1, a2):
    assert eq1_corrected(s, 1) == pytest.approx(a1, abs=1e-6)
    assert eq1_corrected(s, 2) == pytest.approx(a2, abs=1e-6)


def test_printed_eq1_at_p2_is_eight_over_x():
    assert eq1_printed(1e-3, 2) == pytest.approx(1.158119, abs=1e-6)      # seed notes: literal eq. (1)
    x = abs(math.log(1e-3)) + 1e-8
    assert eq1_printed(1e-3, 2) == pytest.approx(8 / x, rel=1e-14)


@given(s=st.floats(1e-300, 1e300).filter(lambda v: abs(math.log(v)) > 1e-6))
def test_printed_and_simplified_agree_at_p1_only(s):
    assert eq1_printed(s, 1) == pytest.approx(eq1_corrected(s, 1), rel=1e-12)
    x = abs(math.log(s)) + 1e-8
    if abs(x - 2) > 1e-3:                                  # 8/x = 16/x^2 only at x = 2
        assert eq1_printed(s, 2) != pytest.approx(eq1_corrected(s, 2), rel=1e-6)


def test_the_corrected_check_fails_on_a_gan_with_the_population_std():
    """000-eq1 recomputes s_t from the iterates with ddof = 1; a GAN whose std used ddof = 0 (its a_t computed
    from s_t sqrt(3/4) on d = 4) must fail, and the real GAN passes."""
    theorem = get("000-eq1")
    inst = theorem.default(0)
    assert check(theorem, inst).holds

    @dataclasses.dataclass(frozen=True)
    class PopulationStd(GradientAutoscale):
        def scale(self, s, p):
            return super().scale(s * math.sqrt(3 / 4), p)

    wrong = dataclasses.replace(theorem, method=lambda i: KeepStates(Transformed(
        SGD(lr=i.hyper["lr"]), PopulationStd(shapes=None, clip_a=None))))
    assert not check(wrong, inst).holds


def test_the_printed_form_fails_at_every_step_of_its_counterexample():
    c = check(get("000-eq1/printed"), get("000-eq1/printed").counterexample())
    T = c.instance.T
    assert not c.holds
    assert (c.bound[:T] > 1.5 * c.measured[:T]).all()     # printed 8/x against GAN's 16/x^2, p_t = 2


def test_a_noisy_oracle_is_refused_by_name():
    theorem = get("000-eq1")
    inst = dataclasses.replace(theorem.default(0), oracle={"noise": "gaussian", "sigma": 1e-3})
    with pytest.raises(ValueError, match=r"000-eq1 recomputes s_t .* without noise"):
        check(theorem, inst)
    lr = logistic_regression(n=20, d=4, seed=0)                 # a finite sum: its oracle samples terms
    with pytest.raises(ValueError, match="not a finite sum"):
        check(theorem, dataclasses.replace(inst, problem=lr, x0=numpy.zeros(4), oracle={}))
