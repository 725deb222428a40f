"""The theorem block form (optlab/theory/block.py): what ``@theorem`` compiles, and what it refuses.

* A block compiles to the same record fields a hand-written ``Theorem(...)`` had: the title is the
  docstring's first line, the formula its first indented block, ``constants + data`` the values checked.
* A variant overrides only what differs and inherits the rest; its helper methods are resolved on the
  variant (``self.lr``), not on the parent.
* Mistakes are refused with the class's name and the fix.
"""
import numpy
import pytest

from optlab.algorithms import GD
from optlab.problems import quadratic
from optlab.theory import Instance, check
from optlab.theory.block import formula, theorem
from optlab.theory.measures import grad_sq_norms, iterates, per_run


class _Base:
    """Base of the test blocks (not a theorem)."""
    id, source, algorithm, kind = "T-1", "test", GD, "every_step"
    requires, constants, data = {"smooth"}, ("H",), ("f_star",)

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(grad_sq_norms(inst.problem, iterates(r)[:-1])))

    def lr(self, inst):
        return 1 / inst.problem.H

    def method(self, inst):
        return GD(lr=self.lr(inst))

    def bound(self, inst):
        delta = float(inst.problem.f(inst.x0)) - inst.problem.f_star
        return numpy.full(inst.T, 2 * delta / self.lr(inst))

    def default(self, seed):
        return Instance(quadratic(d=2, mu=1.0, H=2.0, seed=seed), numpy.ones(2), T=5)


@theorem
class _Whole(_Base):
    """a test theorem

    Statement:

        sum_{s<=t} ||grad L(w_s)||^2  <=  2 Delta /
          eta
    """


@theorem
class _Halved(_Whole):
    """the same with half the step (a variant)

        sum_{s<=t} ||grad L(w_s)||^2  <=  4 Delta / eta'
    """
    id = "T-1/half"

    def lr(self, inst):
        return 0.5 / inst.problem.H


def test_block_compiles_to_the_record():
    t = _Whole.theorem
    assert (t.title, t.measured_text, t.bound_text) == (
        "a test theorem", "sum_{s<=t} ||grad L(w_s)||^2", "2 Delta / eta")
    assert t.constants == ("H", "f_star") and t.requires == frozenset({"smooth"}) and t.algorithm is GD
    assert t.expect and t.statement == "as printed" and t.tight_instance is None and t.draw is None
    assert check(t, t.default(0)).holds


def test_variant_overrides_only_what_differs():
    whole, half = _Whole.theorem, _Halved.theorem
    inst = whole.default(0)
    assert numpy.allclose(half.bound(inst), 2 * whole.bound(inst))      # lr halved, read through self.lr
    assert half.method(inst).lr == 0.5 * whole.method(inst).lr
    assert half.measure is not None and half.title == "the same with half the step (a variant)"
    assert _Whole.theorem is whole                                       # the parent's record is untouched


def test_formula_skips_doctest_output_and_needs_one_separator():
    doc = "Title\n\n>>> f(1)\n    array([1])\n\n    a  <=  b\n"
    assert formula(doc) == ("a", "b")
    with pytest.raises(TypeError, match="two spaces"):
        formula("Title\n\n    a <= b\n")


def _compile(body, **attrs):
    return theorem(type("_Bad", (_Base,), {"__doc__": body, **attrs}))


@pytest.mark.parametrize("doc, attrs, message", [
    ("t\n\n    a  <=  b", {"algorithm": "GD"}, "algorithm must be the method's class"),
    ("t\n\n    a  <=  b", {"bound_text": "b"}, "do not set bound_text"),
    ("t\n\n    a  <=  b", {"tight_factr": 0.9}, "unknown attribute.*tight_factr"),
    ("t, with no formula", {}, "one indented formula"),
    (None, {}, "docstring"),
])
def test_mistakes_are_refused_with_the_fix(doc, attrs, message):
    with pytest.raises(TypeError, match=message):
        _compile(doc, **attrs)


def test_a_block_without_a_bound_is_refused():
    class _NoBound:
        """t

            a  <=  b
        """
        id, source, algorithm, kind = "T-2", "test", GD, "every_step"

        def measure(self, runs, inst):
            return 0.0

        def default(self, seed):
            return None

    with pytest.raises(TypeError, match="needs the method.*bound"):
        theorem(_NoBound)


def test_default_method_passes_the_hyperparameters_by_name():
    class _NoMethod:
        """t

            a  <=  b
        """
        id, source, algorithm, kind = "T-3", "test", GD, "every_step"

        def measure(self, runs, inst):
            return 0.0

        def bound(self, inst):
            return 1.0

        def default(self, seed):
            return None

    method = theorem(_NoMethod).theorem.method(Instance(quadratic(d=1, mu=1.0, H=1.0), [1.0], T=1, hyper={"lr": 0.3}))
    assert method == GD(lr=0.3)


def test_a_printed_statement_defaults_to_its_counterexample():
    class _Printed(_Base):
        """t

            a  <=  b
        """
        id, statement = "T-1/printed", "printed"

        def counterexample(self):
            return "the counterexample"

    t = theorem(_Printed).theorem
    assert not t.expect and t.default(0) == t.default() == "the counterexample"
    with pytest.raises(TypeError, match="needs the method.*counterexample"):
        theorem(type("_NoCex", (_Base,), {"__doc__": "t\n\n    a  <=  b\n", "statement": "printed"}))
