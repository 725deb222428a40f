"""Quantities read from a trace, evaluated exactly with the problem (not through the counting oracle).

The notes index iterates from 1: ``w_1`` is the start, ``w_{t+1}`` the result of step t. A trace of
T steps holds ``w_1 .. w_{T+1}`` as rows 0 .. T of :func:`iterates`.
"""
from __future__ import annotations

import numpy

from ..backend import to_numpy


def iterates(trace):
    """The iterates w_1 .. w_{T+1} of one run as a host array of shape (T + 1, d)."""
    return numpy.asarray(to_numpy(trace.x))


def losses(problem, W):
    """f(w) for each row of W."""
    return numpy.array([float(to_numpy(problem.f(w))) for w in W])


def grad_sq_norms(problem, W):
    """||grad f(w)||^2 for each row of W."""
    return numpy.array([float(numpy.sum(to_numpy(problem.grad(w)) ** 2)) for w in W])


def per_run(runs, fn):
    """Stack ``fn(trace)`` over the runs (one row per seed)."""
    return numpy.array([fn(r) for r in runs])


def dist(a, b):
    return float(numpy.linalg.norm(numpy.asarray(a, dtype=float) - numpy.asarray(b, dtype=float)))
