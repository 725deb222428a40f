"""Helpers for the test cells of exercises: fresh randomness and comparisons with clear messages.

They work the same in the student's notebook (public self-checks) and in the grader's checker process
(where the answer names are proxies to the sandbox; see :mod:`optlab.grading.checker`).

* :func:`fresh_rng` draws its seed from ``os.urandom``, so hidden tests see new problems at every
  grading and hard-coded numbers cannot pass; the seeds drawn are reported with the verdict so that
  an instructor can replay a failure.
* :func:`assert_close` accepts only numbers and NumPy arrays (the result is converted with
  ``numpy.array(..., dtype=float)``), checks shape and finiteness, and names the worst entry.
* :func:`assert_same_vjp` compares the pullbacks of a function built from the student's primitive with
  those of optlab's own, for each argument, at a random cotangent.

Example:
    >>> import numpy, optlab.numpy as onp
    >>> from optlab import Primitive
    >>> my_exp = Primitive("my_exp", numpy.exp, [lambda g, ans, x: g * ans])
    >>> assert_same_vjp(my_exp, onp.exp, (numpy.array([0.5, -1.0]),), rng=numpy.random.default_rng(0))
    >>> assert_close(numpy.array([1.0, 2.0]), [1.0, 2.5], what="y")
    Traceback (most recent call last):
    ...
    AssertionError: y is wrong at index (1,): got 2, expected 2.5 (error 0.5, tolerance 2.5e-06)
"""
from __future__ import annotations

import os

import numpy

_SEEDS = []


def fresh_rng():
    """A NumPy Generator seeded from the operating system's entropy (the seed is recorded)."""
    seed = int.from_bytes(os.urandom(8), "little")
    _SEEDS.append(seed)
    return numpy.random.default_rng(seed)


def drawn_seeds():
    return list(_SEEDS)


def reset_seeds():
    _SEEDS.clear()


def random_shape(rng, max_ndim=3, max_size=5):
    """A random array shape with 1 to ``max_ndim`` axes of sizes 1..max_size."""
    return tuple(int(n) for n in rng.integers(1, max_size + 1, size=int(rng.integers(1, max_ndim + 1))))


def as_array(value, what="the result"):
    """``value`` as a float array, if it is a number or a NumPy array; else AssertionError."""
    if isinstance(value, (bool, numpy.bool_)) or not isinstance(value, (int, float, numpy.number,
                                                                       numpy.ndarray)):
        raise AssertionError(f"{what} should be a NumPy array or a number, not {type(value).__name__}")
    try:
        return numpy.array(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise AssertionError(f"{what} cannot be read as an array of floats ({err})") from None


def assert_close(actual, expected, *, rtol=1e-6, atol=1e-9, what="the result"):
    """Assert ``|actual - expected| <= atol + rtol |expected|`` entrywise, with a helpful message."""
    a = as_array(actual, what)
    e = numpy.array(expected, dtype=float)
    if a.shape != e.shape:
        raise AssertionError(f"{what} has shape {a.shape}, expected shape {e.shape}")
    if not numpy.all(numpy.isfinite(a)):
        raise AssertionError(f"{what} contains NaN or inf")
    err = numpy.abs(a - e)
    tol = atol + rtol * numpy.abs(e)
    bad = err > tol
    if numpy.any(bad):
        idx = numpy.unravel_index(numpy.argmax(numpy.where(bad, err - tol, -numpy.inf)), a.shape)
        raise AssertionError(f"{what} is wrong at index {tuple(int(i) for i in idx)}: got {a[idx]:.6g}, "
                             f"expected {e[idx]:.6g} (error {err[idx]:.2g}, tolerance {tol[idx]:.2g})")


def assert_same_vjp(fn, reference, args, *, rng=None, rtol=1e-6, atol=1e-9, what=None, **params):
    """Check that ``fn(*args, **params)`` has the same pullbacks as ``reference`` for every argument.

    Each argument in turn is differentiated (the others held fixed) with a random cotangent ``g``;
    ``optlab.vjp`` computes both pullbacks, so this compares the VJP rules of ``fn`` with optlab's own.
    """
    from ..autodiff.api import vjp

    rng = rng if rng is not None else numpy.random.default_rng(0)
    name = what or getattr(fn, "name", None) or getattr(fn, "__name__", "the function")
    args = tuple(numpy.asarray(a, dtype=float) for a in args)
    for i in range(len(args)):
        def partial(f):
            return lambda a: f(*args[:i], a, *args[i + 1:], **params)

        value, pull = vjp(partial(fn), args[i])
        ref_value, ref_pull = vjp(partial(reference), args[i])
        assert_close(value, ref_value, rtol=rtol, atol=atol, what=f"{name}: the forward value")
        g = rng.standard_normal(numpy.shape(ref_value))
        assert_close(pull(g), ref_pull(g), rtol=rtol, atol=atol,
                     what=f"{name}: the cotangent of argument {i} (shapes {[a.shape for a in args]})")
