"""A theorem as an object: algorithm, assumptions, measured quantity, bound, source, and how to check it.

A :class:`Theorem` is written once and used everywhere: ``optlab verify``, the property tests, the
report's plots, the lectures and the graders all call :func:`check`, and ``ERRATA.md`` is generated
from the same objects.

Kinds of statement:

* ``"every_step"``: a deterministic bound that must hold on every run at every step ``t`` (the
  measured curve is compared with the bound curve pointwise, with a relative tolerance of 1e-9 for
  rounding, since several bounds are attained with equality);
* ``"expectation"``: a bound on an expectation. Where the theorem supplies the exact expectation
  (``exact=True``: e.g. moment recursions on quadratics with additive noise) the comparison is
  deterministic; otherwise many seeds are run and a one-sided z-test is used, with false-alarm rate
  ``ALPHA`` split over the checked points (Bonferroni);
* ``"probability"``: holds with a stated probability; the fraction of seeds on which the event fails
  is compared with the allowed probability by a one-sided binomial (normal-approximation) test.

Printed versus corrected: a misprinted statement is encoded as printed with ``expect=False`` and a
``counterexample`` instance on which it fails; its corrected form is a separate theorem with
``expect=True`` that passes the property tests. ``Check.holds == Check.expect`` is what ``verify``
asserts.
"""
from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist
from typing import Any, Callable, Mapping, Optional

import numpy

ALPHA = 1e-3          # false-alarm rate of every statistical check (one-sided)
RTOL, ATOL = 1e-9, 1e-12


class AssumptionError(ValueError):
    """The problem does not satisfy an assumption (or lacks a constant) that the theorem needs."""


@dataclasses.dataclass(frozen=True)
class Instance:
    """What a theorem is checked on: a problem, a start, a horizon, the hyperparameters, the oracle."""

    problem: Any
    x0: Any
    T: int
    hyper: Mapping[str, float] = dataclasses.field(default_factory=dict)
    oracle: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    seeds: int = 1
    label: str = ""


@dataclasses.dataclass(frozen=True)
class Theorem:
    """One bound from the sources, executable.

    Attributes:
        id: short identifier, e.g. ``"EC500-5.8"``; a printed form gets the suffix ``"/printed"``.
        title: what it says in a few words.
        source: document, result number and lines, e.g. ``"EC500 notes (seed 003) Thm 5.8, L917-945"``.
        algorithm: the method's class from :mod:`optlab.algorithms` (or a method class of the theory
            module, e.g. an algorithm as misprinted); :attr:`algorithm_name` is its display name.
        requires: assumptions the problem must satisfy (names as in ``Problem.assumptions``).
        constants: problem constants and data (``x_star``, ``f_star``, ...) the bound reads (must not be None).
        rule: the hyperparameter rule, in words (e.g. ``"lr <= 1/H"``).
        admissible: ``name -> (low, high)``, where each end may be a number or a function of the
            problem; hyperparameters outside are refused with the range.
        kind: ``"every_step"``, ``"expectation"`` or ``"probability"``.
        measured_text, bound_text: the two sides as formulas (for tables, plots and ERRATA.md).
        method: ``instance -> algorithm object`` (the hyperparameter rule made concrete).
        measure: ``(runs, instance) -> array``: the measured quantity per checked point, one row per
            seed (``runs`` is the list of traces); for ``exact`` expectations, the exact values.
        bound: ``instance -> array`` of the bound at the same points.
        default: ``seed -> Instance`` used by ``optlab verify``.
        statement: ``"as printed"`` (printed and correct), ``"printed"`` (misprinted), or ``"corrected"``.
        expect: True where the bound should hold; False for a printed statement on its counterexample.
        counterexample: ``() -> Instance`` on which a misprinted statement fails.
        exact: for expectations, ``measure`` returns the exact expectation (no seeds needed).
        probability: for ``"probability"`` statements, the allowed failure probability.
        tight: the source (or our derivation) gives an instance attaining the bound ...
        tight_instance, tight_factor: ... and a run on it must reach ``tight_factor * bound``.
        note: why the printed form is wrong / how it was corrected (goes into ERRATA.md).
        draw: optional ``(problem, T, u) -> Instance`` for property tests, where ``u`` is a tuple of
            numbers in [0, 1) chosen by hypothesis (the theorem maps them into its admissible range).
        projected: the algorithm projects onto the problem's domain, so families on a constrained
            domain (``problem.constrained``) may be paired with it.
        path_bound: the bound reads the checked run itself (e.g. the step sizes an adaptive method
            chose): ``bound(instance, runs)`` returns one row per run, compared with that run's row.
            Only for ``"every_step"`` statements.
    """

    id: str
    title: str
    source: str
    algorithm: Any
    requires: frozenset
    constants: tuple
    rule: str
    kind: str
    measured_text: str
    bound_text: str
    method: Callable
    measure: Callable
    bound: Callable
    default: Callable
    admissible: Mapping[str, tuple] = dataclasses.field(default_factory=dict)
    statement: str = "as printed"
    expect: bool = True
    counterexample: Optional[Callable] = None
    exact: bool = False
    probability: Optional[float] = None
    tight: bool = False
    tight_instance: Optional[Callable] = None
    tight_factor: Optional[float] = None
    note: str = ""
    draw: Optional[Callable] = None
    projected: bool = False
    path_bound: bool = False

    def __post_init__(self):
        if self.kind not in ("every_step", "expectation", "probability"):
            raise ValueError(f"{self.id}: kind must be every_step, expectation or probability, got {self.kind!r}")
        if self.statement not in ("as printed", "printed", "corrected"):
            raise ValueError(f"{self.id}: statement must be 'as printed', 'printed' or 'corrected'")
        if not self.expect and self.counterexample is None:
            raise ValueError(f"{self.id}: a statement expected to fail needs a counterexample")
        if self.path_bound and self.kind != "every_step":
            raise ValueError(f"{self.id}: a bound that reads the run (path_bound) must be an every_step bound")

    @property
    def algorithm_name(self):
        """The algorithm's name in ``optlab list`` (e.g. ``"gd"``), or its class name outside the catalogue."""
        if isinstance(self.algorithm, str):
            return self.algorithm
        from ..algorithms import ALGORITHMS

        return next((e.name for e in ALGORITHMS if e.method is self.algorithm), self.algorithm.__name__)

    def check(self, instance):
        """Run the algorithm on ``instance`` and compare the measured quantity with the bound."""
        return check(self, instance)

    def __repr__(self):
        return f"<Theorem {self.id}: {self.title}>"


@dataclasses.dataclass
class Check:
    """The outcome of checking one theorem on one instance (one row of ``optlab verify``)."""

    theorem: Theorem
    instance: Instance
    measured: numpy.ndarray          # per checked point (the seed mean for expectations)
    bound: numpy.ndarray
    holds: bool
    spread: Optional[numpy.ndarray] = None   # per-seed values, for the band in plots
    detail: str = ""

    @property
    def worst(self):
        """Index of the checked point where measured/bound is largest."""
        return int(numpy.argmax(_ratio(self.measured, self.bound)))

    @property
    def ratio(self):
        return float(_ratio(self.measured, self.bound)[self.worst])

    def record(self):
        """The JSON record of ``optlab verify --json``."""
        t = self.theorem
        return {
            "theorem": t.id, "source": t.source, "algorithm": t.algorithm_name,
            "problem": getattr(self.instance.problem, "name", type(self.instance.problem).__name__),
            "kind": t.kind, "statement": "printed" if t.statement != "corrected" else "corrected",
            "measured": float(self.measured[self.worst]), "bound": float(self.bound[self.worst]),
            "ratio": self.ratio, "holds": bool(self.holds), "expect": bool(t.expect),
        }


def _ratio(measured, bound):
    with numpy.errstate(divide="ignore", invalid="ignore"):
        r = numpy.where(bound > 0, measured / numpy.where(bound > 0, bound, 1.0),
                        numpy.where(measured <= bound, 0.0, numpy.inf))
    return numpy.asarray(r, dtype=float)


def _resolve(end, problem):
    return end(problem) if callable(end) else end


def validate(theorem, instance):
    """Raise if the instance's problem or hyperparameters are outside the theorem's hypotheses."""
    p = instance.problem
    have = set(getattr(p, "assumptions", ()))
    missing = sorted(set(theorem.requires) - have)
    if missing:
        raise AssumptionError(
            f"{theorem.id} assumes {', '.join(missing)}, which problem "
            f"'{getattr(p, 'name', p)}' does not satisfy (it satisfies: {', '.join(sorted(have)) or 'nothing'})"
        )
    for c in theorem.constants:
        if getattr(p, c, None) is None:
            raise AssumptionError(f"{theorem.id} needs the constant {c} of the problem, which is not known")
    for name, (low, high) in theorem.admissible.items():
        if name not in instance.hyper:
            continue
        v, lo, hi = instance.hyper[name], _resolve(low, p), _resolve(high, p)
        if (lo is not None and v < lo * (1 - 1e-12)) or (hi is not None and v > hi * (1 + 1e-12)):
            raise ValueError(f"{theorem.id} admits {name} in [{lo}, {hi}] ({theorem.rule}); got {name}={v}")


def run_instance(theorem, instance, seeds=None):
    """The traces of the theorem's algorithm on ``instance``, one per seed."""
    from ..algorithms import run

    n = instance.seeds if seeds is None else seeds
    return [run(theorem.method(instance), instance.problem, steps=instance.T, x0=instance.x0,
                seed=s, progress=False, **dict(instance.oracle)) for s in range(n)]


def check(theorem, instance):
    """Check ``theorem`` on ``instance``: every step, or in expectation with a one-sided test."""
    validate(theorem, instance)
    if theorem.path_bound:
        return _path_check(theorem, instance)
    bound = numpy.atleast_1d(numpy.asarray(theorem.bound(instance), dtype=float))
    if theorem.exact:
        measured = numpy.atleast_1d(numpy.asarray(theorem.measure(None, instance), dtype=float))
        return Check(theorem, instance, measured, bound, _below(measured, bound), detail="exact expectation")
    runs = run_instance(theorem, instance, 1 if theorem.kind == "every_step" else None)
    values = numpy.atleast_2d(numpy.asarray(theorem.measure(runs, instance), dtype=float))
    if theorem.kind == "every_step":
        worst = values.max(axis=0)
        return Check(theorem, instance, worst, bound, _below(worst, bound), spread=values,
                     detail=f"every step of {values.shape[0]} run(s)")
    if theorem.kind == "expectation":
        return _expectation_check(theorem, instance, values, bound)
    return _probability_check(theorem, instance, values, bound)


def _path_check(theorem, instance):
    """Every step of every run, each run against the bound computed from its own path."""
    runs = run_instance(theorem, instance)
    values = numpy.atleast_2d(numpy.asarray(theorem.measure(runs, instance), dtype=float))
    bounds = numpy.atleast_2d(numpy.asarray(theorem.bound(instance, runs), dtype=float))
    worst = int(numpy.argmax([_ratio(v, b).max() for v, b in zip(values, bounds)]))
    return Check(theorem, instance, values[worst], bounds[worst], _below(values, bounds), spread=values,
                 detail=f"every step of {values.shape[0]} run(s), each against the bound of its own path")


def _below(measured, bound):
    return bool(numpy.all(measured <= bound * (1 + RTOL) + ATOL))


def _expectation_check(theorem, instance, values, bound):
    """One-sided z-test of H0: E[measured] <= bound at each point, Bonferroni over points."""
    k, m = values.shape
    mean = values.mean(axis=0)
    se = values.std(axis=0, ddof=1) / math.sqrt(k) if k > 1 else numpy.zeros(m)
    z = NormalDist().inv_cdf(1 - ALPHA / m)
    holds = bool(numpy.all(mean - z * se <= bound * (1 + RTOL) + ATOL))
    return Check(theorem, instance, mean, bound, holds, spread=values,
                 detail=f"mean of {k} seeds, one-sided z-test at false-alarm rate {ALPHA} (z = {z:.2f})")


def _probability_check(theorem, instance, values, bound):
    """The event measured <= bound must fail on at most a fraction `probability` of the seeds."""
    k = values.shape[0]
    fails = numpy.any(values > bound * (1 + RTOL) + ATOL, axis=1).mean()
    p = theorem.probability
    z = NormalDist().inv_cdf(1 - ALPHA)
    holds = bool(fails <= p + z * math.sqrt(max(p * (1 - p), 1e-12) / k))
    worst = numpy.quantile(values, 1 - p, axis=0) if p > 0 else values.max(axis=0)
    return Check(theorem, instance, worst, bound, holds, spread=values,
                 detail=f"failure rate {fails:.3f} over {k} seeds vs allowed {p}")
