"""Every theorem of the catalogue, checked on real runs.

* Property tests: each theorem is paired automatically with every problem family whose claimed
  assumptions include the theorem's (and whose instances carry the constants its bound reads); the
  public strategy ``optlab.strategies.instances`` draws the family's dimension and seed, the horizon
  and the theorem's hyperparameters inside their admissible range, and the bound must hold. A new
  theorem or family is tested without a new test.
* Each default instance holds; each misprint fails on its counterexample; each tight instance
  comes within the stated factor of its bound.
* Bad input: a missing assumption and an inadmissible hyperparameter are refused.
"""
import os

import numpy
import pytest
from hypothesis import given, settings, strategies as st

from optlab.problems import norm_loss, quadratic
from optlab.strategies import cases
from optlab.theory import THEOREMS, AssumptionError, Instance, check, compatible_families

THOROUGH = os.environ.get("OPTLAB_PROFILE") == "thorough"


def _has_constants(theorem, family):
    example = family.make()
    return all(getattr(example, c, None) is not None for c in theorem.constants)


PAIRS = [(t, f) for t in THEOREMS if t.expect and t.draw is not None
         for f in compatible_families(t) if _has_constants(t, f)]


def test_every_theorem_is_paired_or_has_its_own_instances():
    """A theorem that no family satisfies would be checked only on its hand-made default."""
    unpaired = {t.id for t in THEOREMS if t.expect and t.draw is not None} - {t.id for t, _ in PAIRS}
    assert not unpaired, f"theorems with a draw() but no compatible family: {sorted(unpaired)}"


@pytest.mark.parametrize("theorem, family", PAIRS, ids=[f"{t.id}-{f.name}" for t, f in PAIRS])
@settings(max_examples=60 if THOROUGH else 4)
@given(data=st.data())
def test_theorem_holds_on_compatible_family(theorem, family, data):
    case = data.draw(cases(theorem, families=[family.name]), label="case")
    instance = case.instance()
    result = check(theorem, instance)
    assert result.holds, (f"{theorem.id} ({theorem.source}) violated on {case.describe()}, "
                          f"hyper={dict(instance.hyper)}: measured {result.measured[result.worst]:.6g} > bound "
                          f"{result.bound[result.worst]:.6g} at point {result.worst}; {case.code(instance)}")


@pytest.mark.parametrize("theorem", [t for t in THEOREMS if t.expect], ids=lambda t: t.id)
def test_default_instance_holds(theorem):
    result = check(theorem, theorem.default(0))
    assert result.holds, f"{theorem.id}: ratio {result.ratio:.4g} on its default instance ({result.detail})"


@pytest.mark.parametrize("theorem", [t for t in THEOREMS if not t.expect], ids=lambda t: t.id)
def test_misprint_fails_on_its_counterexample(theorem):
    result = check(theorem, theorem.counterexample())
    assert not result.holds, f"{theorem.id}: the printed statement held on its counterexample"


@pytest.mark.parametrize("theorem", [t for t in THEOREMS if t.tight_instance is not None],
                         ids=lambda t: t.id)
def test_tight_instance_attains_the_bound(theorem):
    result = check(theorem, theorem.tight_instance())
    assert result.holds and result.ratio >= theorem.tight_factor, (
        f"{theorem.id}: ratio {result.ratio:.6g} on the tight instance, expected >= {theorem.tight_factor}")


def test_every_misprint_has_a_correction():
    ids = {t.id for t in THEOREMS}
    orphans = [t.id for t in THEOREMS if t.statement == "printed" and t.id.replace("/printed", "") not in ids]
    assert not orphans, f"printed statements without a corrected theorem: {orphans}"


def test_missing_assumption_is_refused_with_its_name():
    theorem = next(t for t in THEOREMS if t.id == "EC500-2.4")
    smooth_only = quadratic(d=3, mu=1.0, H=2.0)   # not claimed G-Lipschitz (unbounded domain)
    with pytest.raises(AssumptionError, match="lipschitz"):
        check(theorem, Instance(smooth_only, numpy.ones(3), T=5))


def test_inadmissible_hyperparameter_is_refused_with_the_range():
    theorem = next(t for t in THEOREMS if t.id == "EC500-5.8")
    p = quadratic(d=3, mu=1.0, H=2.0)
    with pytest.raises(ValueError, match=r"admits lr in \[0.0, 0.5\]"):
        check(theorem, Instance(p, numpy.ones(3), T=5, hyper={"lr": 0.9}))


def test_every_step_check_can_fail():
    """A bound that is too small by 1% must be reported as violated (the check is not vacuous)."""
    import dataclasses

    theorem = next(t for t in THEOREMS if t.id == "EC500-2.4")
    shrunk = dataclasses.replace(theorem, bound=lambda inst: 0.99 * theorem.bound(inst))
    assert not check(shrunk, theorem.tight_instance()).holds
    p = norm_loss(d=2, G=1.0)
    assert check(theorem, Instance(p, numpy.asarray(p.x_star) + 1.0, T=20)).holds
