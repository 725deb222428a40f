"""Up-front validation of an :class:`~optlab.theory.theorem.Instance` before a theorem is checked on it.

Every mistake is reported where it was made, naming the argument and what to do, before any run: a
problem that is not a Problem, ``T`` or ``seeds`` that are not positive integers, an ``x0`` of the wrong
size or with NaN, hyperparameters that are not finite numbers, an oracle setting that ``run`` does not
know, a sampled expectation on one seed, a stated sigma that the run would ignore. A hyperparameter the
theorem reads but the instance does not give is reported when it is read (the hyperparameters are
wrapped in :class:`Hyper`), with the theorem's admissible ranges and the keys given (and a close match
for a misspelt key), never as a bare KeyError.

Example:
    >>> import numpy as np
    >>> from optlab.problems import cosine_sum
    >>> from optlab.theory import get, Instance
    >>> inst = Instance(cosine_sum(d=2), np.zeros(3), T=10, hyper={"lr": 0.1})
    >>> validated(get("EC500-6.1"), inst)
    Traceback (most recent call last):
    ...
    ValueError: EC500-6.1: x0 must have shape (d,) = (2,) for problem 'cosine sum (a=1, b=1)', got shape (3,)
"""
from __future__ import annotations

import dataclasses
import difflib
import math

import numpy

from .theorem import AssumptionError

ORACLE_KEYS = ("noise", "sigma", "batch_size", "replace", "tau1")   # run()'s oracle keywords


class MissingHyperparameter(AssumptionError, KeyError):
    """The theorem reads a hyperparameter that the instance does not give (also a KeyError, so code
    that looks a key up and catches KeyError keeps working; printed as a sentence, not a repr)."""

    def __str__(self):
        return str(self.args[0])


class Hyper(dict):
    """The instance's hyperparameters; reading a missing one raises :class:`MissingHyperparameter`
    with the theorem's admissible ranges (``get`` with a default still works for optional ones)."""

    def __init__(self, theorem, values, problem=None):
        super().__init__(values)
        self._theorem, self._problem = theorem, problem

    def __missing__(self, key):
        t = self._theorem
        given = ", ".join(sorted(map(str, self))) or "none"
        close = difflib.get_close_matches(str(key), [str(k) for k in self], n=1)
        hint = f" (did you mean {key!r} instead of {close[0]!r}?)" if close else ""
        raise MissingHyperparameter(
            f"{t.id} needs the hyperparameter {key!r}, which hyper does not give{hint}; given: {given}. "
            f"{describe_hyper(t, self._problem)} Pass e.g. hyper={{{key!r}: ...}}.")

    def __reduce__(self):  # pickles (process pools) as a plain dict
        return (dict, (dict(self),))


def describe_hyper(theorem, problem=None):
    """The theorem's hyperparameters in words: each admissible key with its range, and the rule."""
    parts = []
    for name, (low, high) in theorem.admissible.items():
        parts.append(f"{name} in [{_end(low, problem, '-inf')}, {_end(high, problem, 'inf')}]")
    ranges = "; ".join(parts) or "no admissible ranges declared"
    return f"Its hyperparameters: {ranges} (rule: {theorem.rule})."


def _end(end, problem, none):
    if end is None:
        return none
    if callable(end):
        if problem is None:
            return "(a function of the problem)"
        try:
            return f"{end(problem):.4g}"
        except Exception:  # noqa: BLE001 - a range that needs a constant the problem lacks
            return "(a function of the problem)"
    return f"{end:g}"


def _positive_int(theorem, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 1:
        raise ValueError(f"{theorem.id}: {name} must be an integer >= 1, got {name}={value!r}")
    return int(value)


def _problem(theorem, p):
    from ..problems import Problem

    if not isinstance(p, Problem):
        raise TypeError(
            f"{theorem.id}: problem must be an optlab Problem (a family such as "
            f"optlab.problems.quadratic(...), or your own loss via optlab.problems.wrap(f, d, H=...)), "
            f"got {type(p).__name__}")
    return p


def _x0(theorem, p, x0):
    if x0 is None:
        raise ValueError(f"{theorem.id}: x0 is None; pass a start point, e.g. x0=problem.x0(0)")
    from ..backend import to_numpy

    try:
        a = numpy.asarray(to_numpy(x0), dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{theorem.id}: x0 must be a vector of {p.d} numbers, got {x0!r}") from None
    if a.shape != (p.d,):
        raise ValueError(f"{theorem.id}: x0 must have shape (d,) = ({p.d},) for problem '{p.name}', "
                         f"got shape {a.shape}")
    if not numpy.all(numpy.isfinite(a)):
        raise ValueError(f"{theorem.id}: x0 contains NaN or inf at index {int(numpy.argmin(numpy.isfinite(a)))}; "
                         f"pass a finite start point")
    f0 = float(p.f(x0))
    if not math.isfinite(f0):
        raise ValueError(f"{theorem.id}: the loss of '{p.name}' at x0 is {f0}: check the problem's data "
                         f"for NaN or inf, or start inside its domain")
    return x0


def _hyper(theorem, hyper, problem):
    if not hasattr(hyper, "items"):
        raise TypeError(f"{theorem.id}: hyper must be a dict of name -> number (or a named choice), got {type(hyper).__name__}")
    for k, v in hyper.items():
        if (isinstance(v, str) or callable(v)) and k not in theorem.admissible:
            continue            # a named choice (Adam's eps_mode) or a schedule t -> eta_t: the theorem
            #                     reads it itself (no numeric range to check here)
        if isinstance(v, (bool, str)) or not isinstance(v, (int, float, numpy.number)) or not math.isfinite(v):
            raise ValueError(f"{theorem.id}: hyperparameter {k} must be a finite number, got {k}={v!r}")
    missing = [k for k in theorem.admissible if k not in hyper]
    for k in set(hyper) - set(theorem.admissible):     # a misspelt admissible key (read with a default?)
        close = difflib.get_close_matches(str(k), missing, n=1, cutoff=0.5)
        if close:
            raise MissingHyperparameter(
                f"{theorem.id} got hyperparameter {k!r}: did you mean {close[0]!r}? "
                f"{describe_hyper(theorem, problem)}")
    return Hyper(theorem, hyper, problem)


def _oracle(theorem, p, oracle):
    if not hasattr(oracle, "items"):
        raise TypeError(f"{theorem.id}: oracle must be a dict of run() keywords, got {type(oracle).__name__}")
    unknown = sorted(set(oracle) - set(ORACLE_KEYS))
    if unknown:
        raise ValueError(f"{theorem.id}: oracle has unknown key(s) {', '.join(map(repr, unknown))}; it takes "
                         f"the oracle keywords of run(): {', '.join(ORACLE_KEYS)}")
    from ..problems import Oracle

    try:
        Oracle(p, **oracle)            # the oracle's own checks (noise model, sigma >= 0, batch size)
    except ValueError as err:
        raise ValueError(f"{theorem.id}: oracle={dict(oracle)!r}: {err}") from None
    if oracle.get("noise") is None and not p.is_finite_sum and p.sigma is not None:
        raise AssumptionError(
            f"{theorem.id}: problem '{p.name}' states sigma={p.sigma:g}, but the oracle adds no noise and "
            f"the problem is not a finite sum, so the run would use exact gradients and the bound would "
            f"read sigma = 0. Say which noise to draw: oracle={{'noise': 'gaussian', 'sigma': {p.sigma:g}}}")


def _random(p, oracle):
    if oracle.get("noise") is not None:
        return bool(oracle.get("sigma")) or bool(oracle.get("tau1"))
    return p.is_finite_sum


def validated(theorem, instance):
    """``instance`` checked against ``theorem`` (see the module docstring); returns it with ``x0`` as
    given and ``hyper`` wrapped in :class:`Hyper`. Raises TypeError, ValueError or AssumptionError."""
    from .theorem import Instance

    if not isinstance(instance, Instance):
        raise TypeError(f"{theorem.id}: check needs an optlab.theory.Instance(problem, x0, T, ...), "
                        f"got {type(instance).__name__}")
    p = _problem(theorem, instance.problem)
    T = _positive_int(theorem, "T", instance.T)
    seeds = _positive_int(theorem, "seeds", instance.seeds)
    x0 = _x0(theorem, p, instance.x0)
    hyper = _hyper(theorem, instance.hyper, p)
    _oracle(theorem, p, instance.oracle)
    sampled = theorem.kind != "every_step" and not theorem.exact and not theorem.path_bound
    if sampled and seeds < 2 and _random(p, instance.oracle):
        raise ValueError(f"{theorem.id} bounds an expectation, checked by sampling: seeds must be >= 2 "
                         f"(a one-sided test needs a spread; 100 is typical), got seeds={seeds}")
    return dataclasses.replace(instance, problem=p, x0=x0, T=T, seeds=seeds, hyper=hyper)
