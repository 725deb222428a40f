"""Quantities read from a trace, evaluated exactly with the problem (not through the counting oracle).

The notes index iterates from 1: ``w_1`` is the start, ``w_{t+1}`` the result of step t. A trace of
T steps holds ``w_1 .. w_{T+1}`` as rows 0 .. T of :func:`iterates`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..backend import to_numpy


def iterates(trace):
    """The iterates w_1 .. w_{T+1} of one run as a host array of shape (T + 1, d)."""
    return numpy.asarray(to_numpy(trace.x))


def losses(problem, W):
    """f(w) for each row of W (one call where the problem vectorizes rows, see Problem.batched)."""
    if getattr(problem, "batched", False) and len(W):
        return numpy.asarray(to_numpy(problem.f(W)), dtype=float)
    return numpy.array([float(to_numpy(problem.f(w))) for w in W])


def grads(problem, W):
    """grad f(w) for each row of W, as a (rows, d) host array."""
    if getattr(problem, "batched", False) and len(W):
        return numpy.asarray(to_numpy(problem.grad(W)), dtype=float)
    return numpy.array([numpy.asarray(to_numpy(problem.grad(w)), dtype=float) for w in W])


def grad_sq_norms(problem, W):
    """||grad f(w)||^2 for each row of W."""
    return numpy.sum(grads(problem, W) ** 2, axis=-1) if len(W) else numpy.zeros(0)


def per_run(runs, fn):
    """Stack ``fn(trace)`` over the runs (one row per seed)."""
    return numpy.array([fn(r) for r in runs])


def dist(a, b):
    return float(numpy.linalg.norm(numpy.asarray(a, dtype=float) - numpy.asarray(b, dtype=float)))


EPS = numpy.finfo(float).eps


class KeptStates(NamedTuple):
    x: Any
    inner: Any
    log: list      # the inner state after each step: log[t - 1] is the state after step t


@dataclass(frozen=True)
class KeepStates:
    """``method`` unchanged, but every state it produces is kept (``trace.state.log``), for bounds that
    read a method's internal quantities (momentum, normalizers) at every step."""
    method: Any

    @property
    def no_batch(self):
        from ..algorithms.run import batch_reason

        return batch_reason(self.method)            # keeping the states batches when the method does

    def init(self, x0, oracle):
        s = self.method.init(x0, oracle)
        return KeptStates(s.x, s, [])

    def step(self, s, oracle):
        inner = self.method.step(s.inner, oracle)
        s.log.append(inner)
        return KeptStates(inner.x, inner, s.log)

    def __repr__(self):
        return repr(self.method)


def states(run):
    """The inner states of a :class:`KeepStates` run, one per step."""
    return run.state.log


def grad_norms(problem, W):
    return numpy.linalg.norm(grads(problem, W), axis=1)


def slack(*arrays):
    """Rounding allowance for a bound that compares differences of computed quantities."""
    return 64 * EPS * sum(numpy.abs(numpy.asarray(a, dtype=float)) for a in arrays)
