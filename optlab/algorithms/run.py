"""``run(method, problem, steps=T)``: drive a method against a counting oracle and record a Trace.

The trace holds, at t = 0, every-th step and the last step: the iterate (unless ``keep_x=False``),
the loss f(x_t), ||grad f(x_t)||, ||x_t - x_star|| (when x_star is known), the oracle's call count and
gradient evaluations, and the wall time spent inside ``method.step`` (metrics are computed with the
problem directly, so they are neither counted nor timed).

``seeds=[0, ..., K-1]`` runs K independent sample paths from the same x0 and returns a batched trace
whose arrays have a leading dimension K (shape (K, n) for the metrics); ``trace[k]`` is the single
trace of ``seeds[k]``, equal to ``run(..., seed=seeds[k])``.

A run whose iterate becomes NaN or inf stops with :class:`DivergenceError`; the exception names the
step and carries the trace up to the last finite iterate (``err.trace``). Ctrl-C stops the run with
:class:`~optlab.algorithms.diagnostics.RunInterrupted` (a KeyboardInterrupt), which likewise carries
the trace up to the last recorded step (``err.trace``; in Jupyter ``sys.last_value.trace``), and, over
several seeds, the seeds that finished (``err.completed``). A start with NaN, a finite but diverging run
and SGD without noise (gradient descent) are reported by :mod:`~optlab.algorithms.diagnostics`.

x0 defaults to ``problem.x0(0)`` (the same start for every seed; the seed drives the oracle's sample
path). Randomness is drawn on the host, so a CuPy x0 follows the NumPy sample path.

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem
    >>> from optlab.algorithms import GD
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=2, name="q", grad=lambda x: x, x_star=np.zeros(2),
    ...             f_star=0.0)
    >>> tr = run(GD(lr=0.5), p, steps=3, x0=np.array([4.0, 0.0]))
    >>> tr.loss, tr.dist
    (array([8.   , 2.   , 0.5  , 0.125]), array([4. , 2. , 1. , 0.5]))
    >>> run(GD(lr=0.5), p, steps=3, x0=np.array([4.0, 0.0]), seeds=[0, 1]).loss.shape
    (2, 4)
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy

from ..backend import get_xp, is_cupy, to_numpy
from . import diagnostics
from .base import check_int, norm


class DivergenceError(FloatingPointError):
    """The iterate became NaN or inf. ``step``: the first bad step; ``trace``: the finite prefix."""

    def __init__(self, message, step, trace):
        super().__init__(message)
        self.step, self.trace = step, trace


@dataclass(eq=False)
class Trace:
    """A recorded run. Arrays are indexed by record (``t`` gives the step of each record); a batched
    trace (``seeds=[...]``) has a leading seed dimension on every array except ``t``."""
    method: str
    problem: str
    seed: Any
    t: Any
    loss: Any
    grad_norm: Any
    dist: Any
    oracle_calls: Any
    grad_evals: Any
    time: Any
    x: Any = None
    f_star: Any = None
    state: Any = field(default=None, repr=False)

    @property
    def batched(self):
        return isinstance(self.seed, tuple)

    @property
    def gap(self):
        """f(x_t) - f_star (the loss itself when f_star is unknown)."""
        return self.loss if self.f_star is None else self.loss - self.f_star

    def __len__(self):
        return len(self.t)

    def __getitem__(self, k):
        if not self.batched:
            raise TypeError("only a batched trace (run with seeds=[...]) can be indexed by seed")
        pick = lambda a: None if a is None else a[k]
        return Trace(self.method, self.problem, self.seed[k], self.t, pick(self.loss),
                     pick(self.grad_norm), pick(self.dist), pick(self.oracle_calls),
                     pick(self.grad_evals), pick(self.time), pick(self.x), self.f_star,
                     None if self.state is None else self.state[k])

    def __repr__(self):
        seeds = f"{len(self.seed)} seeds" if self.batched else f"seed={self.seed}"
        last = numpy.mean(self.loss[..., -1]) if len(self.t) else math.nan
        return (f"<Trace {self.method} on {self.problem}: {seeds}, steps={int(self.t[-1])}, "
                f"records={len(self.t)}, final loss={last:.6g}>")


def _stack(traces, seeds):
    first = traces[0]
    cat = lambda name: (None if getattr(first, name) is None
                        else numpy.stack([getattr(tr, name) for tr in traces]))
    return Trace(first.method, first.problem, tuple(seeds), first.t, cat("loss"), cat("grad_norm"),
                 cat("dist"), cat("oracle_calls"), cat("grad_evals"), cat("time"), cat("x"),
                 first.f_star, tuple(tr.state for tr in traces))


def _progress(progress, total, desc):
    if progress is None:
        progress = total >= 20_000 and (sys.stderr.isatty() or diagnostics.in_notebook())
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False)


def run(method, problem, steps, *, x0=None, seed=0, seeds=None, every=1, keep_x=None, noise=None,
        sigma=None, batch_size=1, replace=True, grad_norm=True, progress=None, oracle=None, tau1=0.0):
    """Run ``method`` for ``steps`` iterations on ``problem``; return a :class:`Trace` (see module doc).

    Args:
        every: record every k-th iterate (the last step is always recorded).
        keep_x: store the iterates (default: when the record would hold at most 2e7 numbers).
        noise, sigma, batch_size, replace, tau1: the oracle's model (see optlab.problems.Oracle; tau1 is
            the relative noise level of noise='affine').
        grad_norm: record ||grad f(x_t)|| (costs a full gradient per record).
        progress: a tqdm bar (default: on for long runs when stderr is a terminal).
        oracle: a ready oracle to use instead of building one (single-seed runs only).
    """
    steps = check_int("steps", steps, minimum=0)
    every = check_int("every", every)
    if seeds is not None:
        seeds = list(seeds)
        if not seeds:
            raise ValueError("seeds must be a non-empty list of seeds, got []")
        if oracle is not None:
            raise ValueError("oracle cannot be shared between seeds; pass noise/sigma/... instead")
        bar = _progress(progress, steps * len(seeds), f"{method!r}"[:40])
        traces = []
        for s in seeds:
            try:
                traces.append(_run_one(method, problem, steps, x0, s, every, keep_x, noise, sigma,
                                       batch_size, replace, grad_norm, bar, None, tau1))
            except DivergenceError as err:
                err.args = (f"seed {s}: {err.args[0]}",)
                raise
            except diagnostics.RunInterrupted as err:   # keep the seeds that finished too
                err.completed = _stack(traces, seeds[:len(traces)]) if traces else None
                raise
        if bar is not None:
            bar.close()
        return _stack(traces, seeds)
    bar = _progress(progress, steps, f"{method!r}"[:40])
    try:
        return _run_one(method, problem, steps, x0, seed, every, keep_x, noise, sigma, batch_size,
                        replace, grad_norm, bar, oracle, tau1)
    finally:
        if bar is not None:
            bar.close()


def _finite(x):
    return bool(get_xp(x).isfinite(x).all())


def _run_one(method, problem, steps, x0, seed, every, keep_x, noise, sigma, batch_size, replace,
             grad_norm, bar, oracle, tau1=0.0):
    if oracle is None:
        from ..problems import Oracle

        kwargs = dict(seed=seed, noise=noise, batch_size=batch_size, replace=replace)
        if sigma is not None:
            kwargs["sigma"] = sigma
        if tau1:
            kwargs["tau1"] = tau1
        oracle = Oracle(problem, **kwargs)
    x0 = problem.x0(0) if x0 is None else x0
    diagnostics.check_x0(problem, x0)
    n_rec = steps // every + 2
    if keep_x is None:
        keep_x = problem.d * n_rec <= 2e7
    x_star = getattr(problem, "x_star", None)
    if x_star is not None and is_cupy(x0):
        x_star = get_xp(x0).asarray(x_star)
    rec = {k: [] for k in ("t", "loss", "grad_norm", "dist", "calls", "evals", "time", "x")}
    elapsed = 0.0

    def record(t, x):
        rec["t"].append(t)
        rec["loss"].append(float(problem.f(x)))
        rec["grad_norm"].append(norm(problem.grad(x)) if grad_norm else math.nan)
        rec["dist"].append(norm(x - x_star) if x_star is not None else math.nan)
        rec["calls"].append(sum(oracle.calls.values()))
        rec["evals"].append(oracle.grad_evals)
        rec["time"].append(elapsed)
        if keep_x:
            rec["x"].append(to_numpy(x).copy())

    def trace(state):
        arr = lambda k, dt=float: numpy.asarray(rec[k], dtype=dt)
        return Trace(repr(method), getattr(problem, "name", repr(problem)), seed, arr("t", int),
                     arr("loss"), arr("grad_norm") if grad_norm else None,
                     arr("dist") if x_star is not None else None, arr("calls", int), arr("evals", int),
                     arr("time"), numpy.stack(rec["x"]) if keep_x and rec["x"] else None,
                     getattr(problem, "f_star", None), state)

    state = method.init(x0, oracle)
    record(0, state.x)
    diagnostics.check_start(problem, rec["loss"][0], rec["grad_norm"][0] if grad_norm else 0.0)
    last_t = 0
    try:
        for t in range(1, steps + 1):
            prev_x = state.x
            tic = time.perf_counter()
            state = method.step(state, oracle)
            elapsed += time.perf_counter() - tic
            if not _finite(state.x):
                if last_t != t - 1 and _finite(prev_x):
                    record(t - 1, prev_x)
                raise DivergenceError(
                    f"{method!r} diverged at step {t}: the iterate x_{t} contains NaN or inf "
                    f"(last finite iterate: step {rec['t'][-1]}); the trace up to it is attached as "
                    f"err.trace. Try a smaller lr.", t, trace(None))
            if t % every == 0 or t == steps:
                record(t, state.x)
                last_t = t
            if bar is not None:
                bar.update(1)
    except KeyboardInterrupt:   # keep the work done so far (the state may be half-updated: not kept)
        n = min(len(v) for k, v in rec.items() if keep_x or k != "x")   # drop a half-made record
        for v in rec.values():
            del v[n:]
        raise diagnostics.interrupted(method, rec["t"][-1] + 1, steps, trace(None)) from None
    diagnostics.after_run(method, problem, oracle, rec["loss"])
    return trace(state)
