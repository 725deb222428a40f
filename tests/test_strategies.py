"""The public hypothesis strategies (optlab.strategies) draw only inside each theorem's hypotheses.

* Every drawn instance of every theorem with a draw() passes the theorem's own validation
  (``optlab.theory.theorem.validate``: assumptions, constants, admissible hyperparameters).
* ``problems(requires=...)`` yields problems claiming those assumptions; an impossible request is refused.
* A Case is reproducible: its ``code()`` evaluates to the same instance (same problem values, start,
  hyperparameters, oracle), and the dimensions drawn for a family keep its claimed assumptions.
"""
import numpy
import pytest
from hypothesis import given, settings, strategies as st

import optlab.problems
from optlab.problems import FAMILIES
from optlab.strategies import Case, cases, family_dims, problems, starting_points
from optlab.theory import THEOREMS, Instance, validate

DRAWN = [t for t in THEOREMS if t.expect and t.draw is not None]


@pytest.mark.parametrize("theorem", DRAWN, ids=lambda t: t.id)
@settings(max_examples=8)
@given(data=st.data())
def test_drawn_instances_pass_the_theorems_own_validation(theorem, data):
    case = data.draw(cases(theorem), label="case")
    instance = case.instance()
    validate(theorem, instance)                      # raises if outside the hypotheses
    assert 1 <= instance.T and numpy.shape(instance.x0) == (instance.problem.d,)


def test_validation_refuses_what_the_strategies_never_draw():
    """The check above can fail: the same validation refuses an instance outside the hypotheses."""
    thm = next(t for t in THEOREMS if t.id == "EC500-5.8")
    case = Case("EC500-5.8", "cosine_sum", d=2, seed=0, T=3, u=(0.5, 0.5, 0.0, 0.0), hyper={"lr": 2.0})
    with pytest.raises(ValueError, match="admits lr"):
        validate(thm, case.instance())                 # cosine_sum has H = 1: lr = 2 > 1/H
    nonsmooth = optlab.problems.norm_loss(d=2, G=1.0)       # a family the strategies never pair with 5.8
    with pytest.raises(ValueError, match="smooth"):
        validate(thm, Instance(nonsmooth, numpy.ones(2), T=3, hyper={"lr": 0.1}))


@settings(max_examples=30)
@given(p=problems(requires={"smooth", "convex"}, constants=("H", "x_star")))
def test_problems_satisfy_what_was_required(p):
    assert {"smooth", "convex"} <= p.assumptions and p.H is not None and p.x_star is not None


@settings(max_examples=10)
@given(data=st.data())
def test_starting_points_are_points_of_the_problem(data):
    p = data.draw(problems(requires={"nonconvex"}))
    x0 = data.draw(starting_points(p))
    assert x0.shape == (p.d,) and numpy.isfinite(float(p.f(x0)))


def test_impossible_requests_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="no problem family claims"):
        problems(requires={"smooth", "no_such_assumption"})
    with pytest.raises(ValueError, match="not compatible with EC500-5.8"):
        cases("EC500-5.8", families=["norm_loss"])
    with pytest.raises(ValueError, match="no draw"):
        cases(next(t for t in THEOREMS if t.draw is None))


def test_family_dims_keep_the_claimed_assumptions():
    assert family_dims("cosine_sum") == (1, 2, 3, 4)
    assert family_dims("least_squares_overparameterized") == (6, 7, 8, 9, 10)   # n = 5 < d
    assert family_dims("median_example") == ()
    for f in FAMILIES:
        for d in family_dims(f.name):
            assert f.make(d=d).assumptions == f.assumptions, (f.name, d)


@settings(max_examples=15)
@given(case=cases("EC500-6.1"))
def test_case_code_reproduces_its_instance(case):
    inst = case.instance()
    namespace = {"np": numpy, "Instance": Instance, **vars(optlab.problems)}
    again = eval(case.code(inst), namespace)                                       # noqa: S307
    assert numpy.array_equal(again.x0, inst.x0) and again.T == inst.T and again.seeds == inst.seeds
    assert dict(again.hyper) == dict(inst.hyper) and dict(again.oracle) == dict(inst.oracle)
    x = numpy.random.default_rng(0).standard_normal(inst.problem.d)
    assert float(again.problem.f(x)) == float(inst.problem.f(x))
    assert case.instance().x0.tolist() == inst.x0.tolist()                           # the same every time
