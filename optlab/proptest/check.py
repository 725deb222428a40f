"""The property test itself: check a user's method on one instance, on drawn instances (with shrinking
and statistical confirmation), and as a pytest test (see :mod:`optlab.proptest` for the whole story)."""
from __future__ import annotations

import dataclasses
import sys
import traceback

import numpy

from ..strategies import T_RANGE, cases
from ..theory import get, validate
from ..theory.theorem import ATOL, RTOL, AssumptionError, check
from .methods import Reseeded, _name, _pinned, _received, as_algorithm, hyperparameters

CONFIRM = 4                  # the confirmation of a failed statistical check uses CONFIRM x the seeds

PROFILES = {                 # hypothesis settings by name; 'quick' is derandomized (the same draws each run)
    "quick": dict(max_examples=25, derandomize=True),
    "thorough": dict(max_examples=200, derandomize=False),
}
SHRINK_BUDGET = {"quick": 150, "thorough": 1000}   # new cases run while shrinking (see check_method)


class NotApplicable(ValueError):
    """The method (or its pinned hyperparameters) does not meet the theorem's hypotheses, or the theorem
    cannot be checked on a user's runs; not a failure of the method."""


class Counterexample(AssertionError):
    """A drawn instance on which the method violates the bound (the smallest one hypothesis found).

    Attributes: ``case`` (the :class:`optlab.strategies.Case`), ``instance``, ``check`` (the
    :class:`optlab.theory.Check`, None if the run diverged), ``step`` (the first failing t, or checked
    point), ``hyper`` (what the method received).
    """

    def __init__(self, message, case=None, instance=None, check=None, step=None, hyper=None):
        super().__init__(message)
        self.case, self.instance, self.check, self.step, self.hyper = case, instance, check, step, hyper


def checkable(theorem):
    """The theorem as a Theorem record, or NotApplicable saying why a user's method cannot be checked on it."""
    t = get(theorem) if isinstance(theorem, str) else theorem
    if not t.expect:
        raise NotApplicable(f"{t.id} is a misprinted statement (it fails on purpose on its counterexample); "
                            f"test against its corrected form {t.id.replace('/printed', '')}")
    if t.draw is None:
        raise NotApplicable(f"{t.id} has no drawn instances (it is checked on its hand-made default only)")
    if t.exact:
        raise NotApplicable(f"{t.id} computes its expectation in closed form, not from runs, so it cannot "
                            f"see your method; test against its Monte Carlo form")
    return t


# ---- one instance -----------------------------------------------------------------------------------

def _first_failure(result):
    bad = numpy.atleast_1d(result.measured > result.bound * (1 + RTOL) + ATOL)
    return int(numpy.argmax(bad)) if bad.any() else result.worst


def _statistical(theorem):
    return theorem.kind != "every_step" and not theorem.exact


def _verdict(tested, instance):
    """(holds, Check or None, index of the first failing point, detail) for the user's method."""
    from ..algorithms.run import DivergenceError

    try:
        result = _check(tested, instance)
        if not result.holds and _statistical(tested):
            fresh = dataclasses.replace(tested, method=lambda inst: Reseeded(tested.method(inst), 1))
            result = _check(fresh, dataclasses.replace(instance, seeds=CONFIRM * instance.seeds))
            result.detail += f"; confirmed on {CONFIRM * instance.seeds} fresh sample paths"
    except DivergenceError as err:
        return False, None, err.step - 1, f"the iterates became NaN or inf at step {err.step}"
    return result.holds, result, _first_failure(result), result.detail


def _check(tested, instance):
    try:
        return check(tested, instance)
    except (AttributeError, KeyError, IndexError, AssumptionError) as err:
        # Raised by the theorem's own measure or bound (not by your method): it reads quantities of
        # optlab's algorithm (its step sizes, momentum, inner solves) that a user's run does not have.
        where = traceback.extract_tb(err.__traceback__)[-1].filename.replace("\\", "/")
        if "/optlab/theory/" in where:
            raise NotApplicable(f"{tested.id} reads quantities internal to optlab's {tested.algorithm} "
                                f"({type(err).__name__}: {err}), which your method's runs do not record; "
                                f"test an optlab-style class with the same state, or another theorem") from err
        raise


def _message(theorem, what, case, instance, result, k, detail, hyper, examples=None):
    at = f"t = {k + 1}" if result is None or len(result.bound) == instance.T else f"checked point {k + 1}"
    lines = [f"{theorem.id} fails for {what}" + (f" (the smallest failing instance hypothesis found, after "
                                                 f"{examples} run{'s' if examples > 1 else ''})" if examples else "") + ":"]
    if case is not None:
        lines.append(f"  {case.describe()}, hyperparameters {_fmt(hyper)}")
    if result is None:
        lines.append(f"  {detail}")
    else:
        lines.append(f"  {theorem.measured_text} = {result.measured[k]:.6g} exceeds {theorem.bound_text} = "
                     f"{result.bound[k]:.6g}, first at {at} ({detail})")
    code = case.code(instance) if case is not None else repr(instance)
    lines.append(f"  reproduce: check_instance({what}, {theorem.id!r}, {code})")
    return "\n".join(lines)


def _fmt(hyper):
    return ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in hyper.items()) or "none"


def check_instance(method, theorem, instance, *, what=None):
    """Check ``method`` against ``theorem`` on one instance (e.g. a printed counterexample); returns the
    :class:`optlab.theory.Check`, or raises :class:`Counterexample`."""
    t = checkable(theorem)
    what = what or _name(method)
    tested = dataclasses.replace(t, method=as_algorithm(method, t))
    validate(t, instance)
    holds, result, k, detail = _verdict(tested, instance)
    if not holds:
        hyper = _received(method, t, instance)
        raise Counterexample(_message(t, what, None, instance, result, k, detail, hyper), None, instance,
                             result, k + 1, hyper)
    return result


# ---- the property test ------------------------------------------------------------------------------

@dataclasses.dataclass
class Report:
    """The outcome of a property test that found no counterexample."""

    theorem: str
    what: str
    examples: int
    skipped: int
    reasons: list

    def __str__(self):
        text = f"{self.theorem} held for {self.what} on {self.examples} drawn instances"
        if self.skipped:
            text += (f" ({self.skipped} draws outside the theorem's hypotheses were skipped, e.g. "
                     f"{self.reasons[0]})")
        return text


class _Progress:
    """The progress line on stderr (rewritten in place on a terminal, printed once at the end otherwise)."""

    def __init__(self, on, label):
        self.on, self.label, self.n, self.skipped, self.failing = on, label, 0, 0, None
        self.tty = on and sys.stderr.isatty()

    def line(self):
        state = f", shrinking (latest failing: {self.failing})" if self.failing else ""
        return f"{self.label}: {self.n} instances run, {self.skipped} outside the hypotheses{state}"

    def show(self):
        if self.tty:
            sys.stderr.write(f"\r{self.line()}\033[K")
            sys.stderr.flush()

    def done(self):
        if self.on:
            sys.stderr.write(("\r" if self.tty else "") + self.line() + "\n")


def check_method(method, theorem, *, hyper=None, profile="quick", max_examples=None, families=None, T=T_RANGE,
                 progress=False, what=None):
    """Property-test ``method`` against ``theorem`` (an id or a Theorem); see the module docstring.

    Args:
        hyper: hyperparameters to pin (names as in the theorem's ``admissible``, e.g. ``{"lr": 0.1}``).
        profile: ``"quick"`` (25 derandomized draws) or ``"thorough"`` (200 fresh ones); ``max_examples``
            overrides the count.
        families: restrict the problem families (names); T: the range of horizons.
        progress: write a progress line to stderr.

    Returns a :class:`Report`; raises :class:`Counterexample` (an AssertionError) with the shrunk case,
    or :class:`NotApplicable` if no draw meets the theorem's hypotheses.
    """
    from hypothesis import HealthCheck, Phase, assume, given, settings
    from hypothesis.errors import Unsatisfiable

    t = checkable(theorem)
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got profile={profile!r}")
    what = what or _name(method)
    tested = dataclasses.replace(t, method=as_algorithm(method, t))
    options = dict(PROFILES[profile], **({"max_examples": max_examples} if max_examples else {}))
    bar, reasons = _Progress(progress, f"{t.id} for {what}"), []
    # Shrinking re-runs the property on ever simpler cases. Verdicts are memoized by case, and once
    # `budget` new cases have run after the first failure, unseen cases count as passing without a
    # run: shrinking then stops at the smallest failure found so far, which replays (from the memo)
    # as the same confirmed failure. The budget bounds the time, never the correctness of the report.
    memo, budget = {}, SHRINK_BUDGET[profile]

    @settings(database=None, deadline=None, report_multiple_bugs=False, print_blob=False,
              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), **options)
    @given(case=cases(t, families=families, T=T, hyper=_pinned(method, t, hyper)))
    def property_test(case):
        nonlocal budget
        instance = case.instance()
        try:
            validate(t, instance)
        except ValueError as err:            # pinned hyperparameters outside the admissible range
            reasons.append(str(err))
            bar.skipped += 1
            bar.show()
            assume(False)
        key = (case.family, case.d, case.seed, case.T, case.u)
        if key not in memo:
            if bar.failing and budget <= 0:
                return
            budget -= 1 if bar.failing else 0
            memo[key] = _verdict(tested, instance)
            bar.n += 1
        holds, result, k, detail = memo[key]
        if not holds:
            bar.failing = f"{case.describe()}"
        bar.show()
        if not holds:
            given_hyper = _received(method, t, instance)
            raise Counterexample(_message(t, what, case, instance, result, k, detail, given_hyper, bar.n),
                                 case, instance, result, k + 1, given_hyper)

    try:
        property_test()
    except Unsatisfiable:
        raise NotApplicable(f"{what} does not meet the hypotheses of {t.id} on any drawn instance: "
                            f"{reasons[0] if reasons else 'every draw was rejected'}") from None
    finally:
        bar.done()
    if bar.n == 0:
        raise NotApplicable(f"{what} does not meet the hypotheses of {t.id} on any drawn instance: "
                            f"{reasons[0] if reasons else 'every draw was rejected'}")
    return Report(t.id, what, bar.n, bar.skipped, reasons)


def theorem_test(theorem, method=None, **options):
    """A pytest test that property-tests ``method`` against ``theorem`` (a decorator without ``method``).

    ``test_my_sgd = theorem_test("EC500-6.1", my_sgd)``, or decorate the method itself::

        @theorem_test("EC500-5.8")
        def test_my_gd(grad, x0, T, lr): ...

    The test fails with the shrunk :class:`Counterexample`, and is skipped (with the reason) when the
    method does not meet the theorem's hypotheses. ``options`` are those of :func:`check_method`.
    """
    def make(m):
        def test():
            try:
                check_method(m, theorem, **options)
            except NotApplicable as err:
                import pytest

                pytest.skip(str(err))

        test.__name__ = test.__qualname__ = _name(m)
        test.__module__ = getattr(m, "__module__", __name__)
        test.__doc__ = f"{_name(m)} satisfies {getattr(theorem, 'id', theorem)} on drawn instances."
        return test

    return make if method is None else make(method)
