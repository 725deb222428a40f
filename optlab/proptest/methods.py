"""A user's method as the theorem's algorithm: a plain function as an optlab method, the hyperparameters
it receives, and an independent seed stream for confirmations (see :mod:`optlab.proptest`).

Example:
    >>> import numpy as np
    >>> from optlab.algorithms import GD, run
    >>> from optlab.problems import quadratic
    >>> def gd(grad, x0, T, lr):
    ...     w = [x0]
    ...     for _ in range(T):
    ...         w.append(w[-1] - lr * grad(w[-1]))
    ...     return np.array(w)
    >>> p = quadratic(d=2, mu=1.0, H=2.0, seed=0)
    >>> mine = run(FunctionMethod(gd, T=3, hyper={"lr": 0.25}, stochastic=False), p, steps=3, x0=np.ones(2))
    >>> bool(np.allclose(mine.x, run(GD(lr=0.25), p, steps=3, x0=np.ones(2)).x))
    True
    >>> hyperparameters(GD(lr=0.25))
    {'lr': 0.25}
"""
from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Callable, NamedTuple

import numpy

from ..theory.measures import KeepStates


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
    from ..problems import Oracle

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
        last = {}            # check() builds the method once per seed of the same instance: probe once

        def wrap(inst):
            if last.get("instance") is not inst:
                algorithm = own(inst)
                last.update(instance=inst, hyper=hyperparameters(algorithm), stochastic=_samples(algorithm, inst))
            return FunctionMethod(method, inst.T, last["hyper"], last["stochastic"], _name(method))
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
