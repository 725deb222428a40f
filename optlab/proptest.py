"""Property-test your own method against a theorem: hypothesis draws instances inside the theorem's
hypotheses, runs your method on each, checks the bound, and shrinks a failure to a small counterexample.

Your method is one of

* a plain function ``f(grad, x0, T, **hyper) -> iterates``: ``grad(w)`` is the gradient oracle of the
  theorem's own algorithm (stochastic, with the instance's noise, if that algorithm samples; the exact
  gradient if it does not), ``hyper`` are the hyperparameters of that algorithm on the drawn instance
  (e.g. ``lr``; a step size may be a schedule, a callable ``t -> eta_t`` for t = 1, 2, ...), and it
  returns the iterates w_1 .. w_{T+1} as an array of shape (T + 1, d);
* an optlab-style method class (``init(x0, oracle)``/``step(state, oracle)``, see
  ``optlab.algorithms.base``) built with those hyperparameters, ``MyMethod(**hyper)``;
* an optlab-style method object, used as it is: its fields named like the theorem's hyperparameters
  (e.g. ``lr``) are pinned, like ``hyper=`` below.

:func:`check_method` runs the property test (:func:`theorem_test` makes it a pytest test, and
``optlab test module:name --theorem ID`` runs it from the command line). For every drawn
:class:`optlab.strategies.Case` it runs ``optlab.theory.check`` with the theorem's algorithm replaced
by your method. A failure raises :class:`Counterexample`, after hypothesis has shrunk it, naming the
family, dimension, seed, T and hyperparameters, the measured value, the bound and the first failing
step, with an ``Instance(...)`` expression that reproduces it (:func:`check_instance`). Pinned
hyperparameters outside the theorem's admissible range are not failures: those draws are skipped, and
:class:`NotApplicable` is raised if no draw is left.

Statistics and shrinking: every check is deterministic given its case (the Monte Carlo seeds are
0 .. seeds-1), as hypothesis needs for shrinking. A statistical check (a bound in expectation, tested by
``check``'s one-sided z-test at false-alarm rate ALPHA = 1e-3) that fails is repeated once on
``CONFIRM`` times as many fresh sample paths (an independent seed stream); a case counts as a
counterexample only if both fail, so a correct method is reported wrong with probability at most
ALPHA**2 = 1e-6 per drawn case, while a real violation (whose failure probability grows with the number
of seeds) survives both and the shrunk case is itself confirmed.

Example:
    >>> import numpy as np
    >>> def gd(grad, x0, T, lr):
    ...     w = [x0]
    ...     for _ in range(T):
    ...         w.append(w[-1] - lr * grad(w[-1]))
    ...     return np.array(w)
    >>> print(check_method(gd, "EC500-5.8", max_examples=5))
    EC500-5.8 held for gd on 5 drawn instances
    >>> def gd_wrong_sign(grad, x0, T, lr):             # ascends along the last coordinate
    ...     w = [x0]
    ...     for _ in range(T):
    ...         step = lr * grad(w[-1])
    ...         step[-1] *= -1
    ...         w.append(w[-1] - step)
    ...     return np.array(w)
    >>> try:
    ...     check_method(gd_wrong_sign, "EC500-5.8", families=["quadratic_strongly_convex", "cosine_sum"])
    ... except Counterexample as err:
    ...     print(err.case.describe(), "| first failing step:", err.step)
    family quadratic_strongly_convex, d = 1, seed = 0, T = 2 | first failing step: 2
"""
from __future__ import annotations

import dataclasses
import inspect
import sys
import traceback
from typing import Any, Callable, NamedTuple, Optional

import numpy

from .strategies import T_RANGE, cases
from .theory import get, validate
from .theory.measures import KeepStates
from .theory.theorem import ATOL, RTOL, AssumptionError, check

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


# ---- a plain function as an optlab method ---------------------------------------------------------

class FunctionState(NamedTuple):
    x: Any
    t: int
    iterates: Any


@dataclasses.dataclass(frozen=True)
class FunctionMethod:
    """``fn(grad, x0, T, **hyper) -> iterates`` as an optlab method: ``init`` runs the whole function on
    the run's oracle (``grad`` = ``oracle.stoch_grad(w, oracle.sample())`` if ``stochastic``, else
    ``oracle.full_grad(w)``), ``step`` hands out its iterates one at a time, so ``run`` records them.
    (The grader's :class:`optlab.grading.testing.SubmittedRun` is the strict variant for exercises: one
    query per step, at the returned iterates.)"""

    fn: Callable
    T: int
    hyper: dict
    stochastic: bool
    name: str = "your function"

    def init(self, x0, oracle):
        x0 = numpy.array(x0, dtype=float)

        def grad(w):
            w = numpy.asarray(w, dtype=float)
            if w.shape != x0.shape:
                raise ValueError(f"grad expects a point of shape {x0.shape}, got shape {w.shape}")
            g = oracle.stoch_grad(w, oracle.sample()) if self.stochastic else oracle.full_grad(w)
            return numpy.array(g, dtype=float)

        try:
            it = numpy.array(self.fn(grad, x0.copy(), self.T, **self.hyper), dtype=float)
        except TypeError as err:
            if "argument" in str(err):
                raise TypeError(f"{self.name}(grad, x0, T, **hyper) was called with the hyperparameters "
                                f"{sorted(self.hyper)} of the theorem's algorithm and failed: {err}") from err
            raise
        if it.shape != (self.T + 1,) + x0.shape:
            raise ValueError(f"{self.name} must return the iterates w_1 .. w_(T+1) as an array of shape "
                             f"{(self.T + 1,) + x0.shape}; it returned shape {it.shape}")
        if not numpy.allclose(it[0], x0, rtol=1e-12, atol=1e-12):
            raise ValueError(f"{self.name} must return the start x0 as its first iterate")
        return FunctionState(it[0], 0, it)

    def step(self, s, oracle):
        return s._replace(x=s.iterates[s.t + 1], t=s.t + 1)

    def __repr__(self):
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.hyper.items())})"


@dataclasses.dataclass(frozen=True)
class Reseeded:
    """``method`` on the independent sample paths of seed stream ``stream`` (for the confirmation):
    the oracle's generator is replaced by one seeded with (stream, oracle.seed) before ``init``."""

    method: Any
    stream: int

    def init(self, x0, oracle):
        oracle.rng = numpy.random.default_rng([self.stream, int(oracle.seed)])
        return self.method.init(x0, oracle)

    def step(self, s, oracle):
        return self.method.step(s, oracle)

    def __repr__(self):
        return repr(self.method)


# ---- the user's method as the theorem's algorithm -------------------------------------------------

def hyperparameters(algorithm):
    """The hyperparameters of an optlab method object (its dataclass fields)."""
    if isinstance(algorithm, KeepStates):
        return hyperparameters(algorithm.method)
    if dataclasses.is_dataclass(algorithm):
        return {f.name: getattr(algorithm, f.name) for f in dataclasses.fields(algorithm)}
    return {k: v for k, v in vars(algorithm).items() if not k.startswith("_")}


def _samples(algorithm, instance):
    """Does the theorem's algorithm query stochastic gradients? (One step on a counting oracle.)"""
    from .problems import Oracle

    oracle = Oracle(instance.problem, seed=0, **dict(instance.oracle))
    try:
        algorithm.step(algorithm.init(numpy.array(instance.x0, dtype=float), oracle), oracle)
    except Exception:                    # noqa: BLE001 - fall back on the instance's noise model
        return bool(instance.oracle.get("noise")) or instance.problem.is_finite_sum
    return oracle.calls["stoch_grad"] > 0


def _name(method):
    return getattr(method, "__name__", None) or type(method).__name__


def as_algorithm(method, theorem):
    """``instance -> algorithm object``: the theorem's ``method`` field, with ``method`` in its place."""
    own = theorem.method
    if hasattr(method, "init") and hasattr(method, "step") and not inspect.isclass(method):
        return lambda inst: KeepStates(method) if isinstance(own(inst), KeepStates) else method
    if inspect.isclass(method):
        def build(inst):
            algorithm = own(inst)
            hyper = hyperparameters(algorithm)
            try:
                mine = method(**hyper)
            except TypeError as err:
                raise TypeError(f"{theorem.id}'s algorithm is {algorithm!r}; {method.__name__}(**{sorted(hyper)}) "
                                f"failed ({err}): give it the same hyperparameter names, or test a function") from err
            return KeepStates(mine) if isinstance(algorithm, KeepStates) else mine
        return build
    if callable(method):
        def wrap(inst):
            algorithm = own(inst)
            return FunctionMethod(method, inst.T, hyperparameters(algorithm), _samples(algorithm, inst), _name(method))
        return wrap
    raise TypeError(f"method must be a function (grad, x0, T, **hyper) -> iterates, or an optlab-style "
                    f"method class or object (init/step); got {type(method).__name__}")


def _received(method, theorem, instance):
    """The hyperparameters the user's method ran with on ``instance``."""
    fixed = hasattr(method, "init") and not inspect.isclass(method)
    return hyperparameters(method if fixed else theorem.method(instance))


def _pinned(method, theorem, hyper):
    """Hyperparameters fixed by the caller (``hyper``) or by a method object's own fields."""
    pins = dict(hyper or {})
    if hasattr(method, "init") and not inspect.isclass(method):
        pins.update({k: v for k, v in hyperparameters(method).items() if k in theorem.admissible and k not in pins})
    return pins


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
    from .algorithms.run import DivergenceError

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


# ---- optlab test MODULE:NAME --theorem ID -----------------------------------------------------------

def load(spec):
    """The object named by ``module:name`` (``module`` may be a dotted module or a path to a .py file)."""
    import importlib
    import importlib.util
    import os

    module, sep, name = spec.rpartition(":")
    if not sep or not module or not name:
        raise ValueError(f"METHOD must be module:name (e.g. mysgd:sgd), got {spec!r}")
    if module.endswith(".py") or os.sep in module:
        if not os.path.isfile(module):
            raise ValueError(f"no file {module!r} (from METHOD {spec!r})")
        loaded = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(module))[0], module)
        mod = importlib.util.module_from_spec(loaded)
        loaded.loader.exec_module(mod)
    else:
        if os.getcwd() not in sys.path:          # the console script does not put the working folder first
            sys.path.insert(0, os.getcwd())
        mod = importlib.import_module(module)
    try:
        return getattr(mod, name)
    except AttributeError:
        raise ValueError(f"module {module!r} has no {name!r} (from METHOD {spec!r})") from None


def _parse_hyper(items):
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise ValueError(f"--hyper takes NAME=NUMBER, e.g. --hyper lr=0.1; got {item!r}")
    return out


def main(args):
    """``optlab test``: exit status 0 if every theorem held, 1 on a counterexample, 2 if not applicable."""
    try:
        method, hyper = load(args.method), _parse_hyper(args.hyper)
    except (ValueError, ImportError) as err:
        print(f"optlab test: {err}", file=sys.stderr)
        return 2
    status = 0
    for theorem in args.theorem:
        try:
            report = check_method(method, theorem, hyper=hyper, profile="thorough" if args.thorough else "quick",
                                  max_examples=args.max_examples, families=args.family, progress=not args.quiet,
                                  what=args.method.rpartition(":")[2])
        except Counterexample as err:
            print(err)
            status = 1
        except (NotApplicable, KeyError, ValueError) as err:
            print(f"{theorem}: not applicable: {err}" if isinstance(err, NotApplicable) else f"optlab test: {err}")
            status = max(status, 2) if status != 1 else 1
        else:
            print(report)
    return status
