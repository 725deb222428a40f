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
* :class:`SubmittedRun` makes a student's function that runs a whole method (``T`` steps on a
  ``stoch_grad`` callback) an optlab method object (``init``/``step``), so that ``optlab.algorithms.run``
  and the theorem checks of ``optlab.theory`` run it as the algorithm; :func:`assert_theorem` checks a
  theorem (its method replaced by the student's, with ``dataclasses.replace``) and names the failing
  bound. The bound is computed here, in the test's process, from the theorem object only.
  :func:`assert_progress` checks that a method gets closer to the minimum where the correct algorithm
  provably must (a theorem's inequality alone can hold for a method that never moves).

Example:
    >>> import numpy, optlab.numpy as onp
    >>> from optlab import Primitive
    >>> my_exp = Primitive("my_exp", numpy.exp, [lambda g, ans, x: g * ans])
    >>> assert_same_vjp(my_exp, onp.exp, (numpy.array([0.5, -1.0]),), rng=numpy.random.default_rng(0))
    >>> assert_close(numpy.array([1.0, 2.0]), [1.0, 2.5], what="y")
    Traceback (most recent call last):
    ...
    AssertionError: y is wrong at index (1,): got 2, expected 2.5 (error 0.5, tolerance 2.5e-06)

    A student's gradient descent, run by optlab as a method (it must query at its own iterates):
    >>> from optlab.algorithms import run
    >>> from optlab.problems import Problem
    >>> def my_gd(stoch_grad, w1, lr, T):
    ...     w = [numpy.array(w1, dtype=float)]
    ...     for _ in range(T):
    ...         w.append(w[-1] - lr * stoch_grad(w[-1]))
    ...     return numpy.array(w)
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=1, name="q", grad=lambda x: x)
    >>> method = SubmittedRun(lambda stoch_grad, w1: my_gd(stoch_grad, w1, 0.5, 3), T=3, along_gradient=True)
    >>> tr = run(method, p, steps=3, x0=numpy.array([8.0]))
    >>> tr.x[:, 0], tr.state.eta
    (array([8., 4., 2., 1.]), [0.5, 0.5, 0.5])
"""
from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, NamedTuple

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


# ---- a student's method inside optlab's runs and theorem checks ------------------------------------------

class SubmittedState(NamedTuple):
    """State of a :class:`SubmittedRun` after ``t`` steps: ``g`` and ``eta`` hold g_1..g_t and eta_1..eta_t."""

    x: Any
    t: int
    g: list
    eta: list
    iterates: Any
    grads: Any
    etas: Any


@dataclasses.dataclass(frozen=True)
class SubmittedRun:
    """A submitted function that runs a whole method, as an optlab method object (``init``/``step``).

    ``call(stoch_grad, x0)`` must run ``T`` steps from ``x0``, calling ``stoch_grad`` exactly once per step at
    its current iterate, and return the iterates x_1..x_{T+1} as an array of shape (T + 1, d). ``init`` calls it
    with ``stoch_grad(w) = oracle.stoch_grad(w, oracle.sample())``, the run's own oracle (so the seed, the
    noise model and the sample path are optlab's), and checks that protocol: T calls, at the returned
    iterates, finite values. ``step`` then hands out the iterates one by one, so ``optlab.algorithms.run``
    records the submission's run like any method's (the oracle calls are all counted at ``init``).

    The state also holds ``g`` (the stochastic gradients the oracle returned) and, with ``along_gradient``,
    ``eta``: each step must be x_{t+1} = x_t - eta_t g_t with eta_t >= 0, and
    eta_t = <x_t - x_{t+1}, g_t>/||g_t||^2 is read off the iterates (0 where g_t = 0), for theorems about
    step sizes.
    """

    call: Callable
    T: int
    along_gradient: bool = False
    what: str = "your function"

    def init(self, x0, oracle):
        x0 = numpy.array(x0, dtype=float)
        T, points, grads = int(self.T), [], []

        def stoch_grad(w):
            if len(points) >= T:
                raise RuntimeError(f"stoch_grad was called more than T = {T} times")
            w = as_array(w, "the point passed to stoch_grad")
            if w.shape != x0.shape:
                raise ValueError(f"stoch_grad expects a point of shape {x0.shape}, got shape {w.shape}")
            g = numpy.array(oracle.stoch_grad(w, oracle.sample()), dtype=float)
            points.append(w)
            grads.append(g)
            return g.copy()

        it = as_array(self.call(stoch_grad, x0.copy()), f"the iterates returned by {self.what}")
        if it.shape != (T + 1,) + x0.shape:
            raise AssertionError(f"{self.what} returned iterates of shape {it.shape}, "
                                 f"expected {(T + 1,) + x0.shape}")
        if not numpy.all(numpy.isfinite(it)):
            raise AssertionError(f"the iterates returned by {self.what} contain NaN or inf")
        if len(points) != T:
            raise AssertionError(f"{self.what} called stoch_grad {len(points)} times, expected exactly T = {T}")
        assert_close(it[0], x0, rtol=1e-12, atol=1e-12, what=f"w_1 returned by {self.what} (the start)")
        if T:
            assert_close(it[:-1], numpy.array(points), rtol=1e-10, atol=1e-12, what=f"w_1..w_T returned by "
                         f"{self.what} (compared with the points where stoch_grad was called)")
        grads = numpy.array(grads).reshape((T,) + x0.shape)
        etas = self._step_sizes(it, grads) if self.along_gradient else None
        return SubmittedState(it[0], 0, [], [], it, grads, etas)

    def _step_sizes(self, it, grads):
        step = (it[:-1] - it[1:]).reshape(len(grads), -1)
        g = grads.reshape(len(grads), -1)
        gg = numpy.sum(g * g, axis=1)
        eta = numpy.where(gg > 0, numpy.sum(step * g, axis=1) / numpy.where(gg > 0, gg, 1.0), 0.0)
        off = numpy.linalg.norm(step - eta[:, None] * g, axis=1)
        size = numpy.linalg.norm(numpy.maximum(abs(it[:-1]), abs(it[1:])).reshape(len(grads), -1), axis=1)
        bad = off > 1e-9 * numpy.linalg.norm(step, axis=1) + 1e-12 * size        # 1e-12 * size: rounding
        if numpy.any(bad):
            t = int(numpy.argmax(bad)) + 1
            raise AssertionError(f"step {t} of {self.what} is not along the stochastic gradient: "
                                 f"w_{t} - w_{t + 1} is not a multiple of g_{t}")
        if numpy.any(eta < 0):
            t = int(numpy.argmax(eta < 0)) + 1
            raise AssertionError(f"step {t} of {self.what} goes up the stochastic gradient: "
                                 f"w_{t + 1} = w_{t} - eta g_{t} with eta = {eta[t - 1]:.6g} < 0")
        return [float(e) for e in eta]

    def step(self, s, oracle):
        t = s.t + 1
        s.g.append(s.grads[t - 1])
        if s.etas is not None:
            s.eta.append(s.etas[t - 1])
        return s._replace(x=s.iterates[t], t=t)


def assert_theorem(theorem, instance, what="your method"):
    """``optlab.theory.check(theorem, instance)``; AssertionError naming the bound and the worst step if it fails.

    Returns the :class:`optlab.theory.Check`. Use ``dataclasses.replace(theorem, method=...)`` to run the
    student's method (a :class:`SubmittedRun`) as the theorem's algorithm.
    """
    from ..theory import check

    result = check(theorem, instance)
    if not result.holds:
        k, p = result.worst, instance.problem
        at = f"t = {k + 1}" if len(result.bound) == instance.T else f"checked point {k + 1}"
        raise AssertionError(
            f"{theorem.id} fails for {what}: {theorem.measured_text} = {result.measured[k]:.6g} exceeds "
            f"{theorem.bound_text} = {result.bound[k]:.6g} at {at} ({result.detail}; "
            f"{getattr(p, 'name', type(p).__name__)}, d = {getattr(p, 'd', '?')}, T = {instance.T})")
    return result


def assert_progress(method, problem, x0, T, ratio, *, what="your method", why=""):
    """Progress where progress is required: ``L(x_{T+1}) - L* <= ratio (L(x_0) - L*)`` after ``T`` steps.

    ``method`` (an optlab method object, e.g. a :class:`SubmittedRun`) is run by ``optlab.algorithms.run``
    on ``problem`` (whose ``f_star`` must be known) from ``x0``. ``ratio`` < 1 comes from a guarantee of
    the correct algorithm on this instance (say which one in ``why``), so a method that stands still, or
    takes steps too small to matter, fails although every inequality of a theorem may hold for it.
    Returns the measured ratio.

    >>> from optlab.problems import quadratic
    >>> from optlab.algorithms import GD
    >>> p = quadratic(2, mu=1.0, H=1.0, seed=0)          # lr = 1/H: one step of GD lands on the minimizer
    >>> assert_progress(GD(lr=1.0), p, p.x_star + 1.0, T=1, ratio=1e-12) <= 1e-12
    True
    """
    from ..algorithms import run

    if problem.f_star is None:
        raise ValueError("assert_progress needs a problem whose minimum f_star is known")
    x0 = numpy.array(x0, dtype=float)
    trace = run(method, problem, steps=T, x0=x0, progress=False)
    start = float(problem.f(x0)) - problem.f_star
    end = float(problem.f(trace.x[-1])) - problem.f_star
    if not start > 0:
        raise ValueError("assert_progress needs a start x0 that is not a minimizer")
    if not end <= ratio * start + 1e-12 * max(1.0, abs(problem.f_star)):
        raise AssertionError(
            f"{what} makes too little progress where progress is required: after T = {T} steps "
            f"L(w_T+1) - L* = {end:.6g}, above the bound {ratio:.6g} (L(w_1) - L*) = {ratio * start:.6g}"
            + (f" ({why})" if why else "") + f"; {getattr(problem, 'name', 'problem')}, d = {x0.size}")
    return end / start
