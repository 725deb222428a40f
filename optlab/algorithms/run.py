"""``run(method, problem, steps=T)``: drive a method against a counting oracle and record a Trace.

The trace holds, at t = 0, every-th step and the last step: the iterate (unless ``keep_x=False``),
the loss f(x_t), ||grad f(x_t)||, ||x_t - x_star|| (when x_star is known), the oracle's call count and
gradient evaluations, and the wall time spent inside ``method.step`` (metrics are computed with the
problem directly, so they are neither counted nor timed).

``seeds=[0, ..., K-1]`` runs K independent sample paths from the same x0 **as one batch**: the iterate
is a (K, d) array, the oracle a :class:`~optlab.problems.BatchOracle` (each seed's samples from its
own stream), the method keeps per-seed state. It returns a batched trace whose arrays have a leading
dimension K (shape (K, n) for the metrics); ``trace[k]`` is the single trace of ``seeds[k]``, equal
to ``run(..., seed=seeds[k])`` (to rounding; the tests hold every method to 1e-12). A method that
cannot run its seeds together (its ``no_batch`` says why) runs them one by one, with a
:class:`SeedLoopWarning` naming it.

``inplace``: take the method's fast path (in-place host code, fused GPU kernels) instead of its pure
reference step; the default takes it on CuPy only (see :func:`optlab.algorithms.base.stepper`).

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
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy

from ..backend import get_xp, is_cupy, to_numpy
from . import diagnostics
from .base import check_int, norm, stepper


class SeedLoopWarning(UserWarning):
    """``run(..., seeds=...)`` runs the seeds one by one: the method cannot batch them (it says why)."""


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
        one_by_one = isinstance(self.state, tuple) and not hasattr(self.state, "_fields")
        view = Trace if one_by_one or self.state is None else _SeedTrace
        tr = view(self.method, self.problem, self.seed[k], self.t, pick(self.loss),
                  pick(self.grad_norm), pick(self.dist), pick(self.oracle_calls),
                  pick(self.grad_evals), pick(self.time), pick(self.x), self.f_star,
                  self.state[k] if one_by_one else None)
        if view is _SeedTrace:            # seed k's state is taken out of the batch when first read
            tr._lazy = (self.state, k, getattr(self, "template", None),
                        None if self.x is None else self.x.shape[-1])
        return tr

    def __repr__(self):
        seeds = f"{len(self.seed)} seeds" if self.batched else f"seed={self.seed}"
        last = numpy.mean(self.loss[..., -1]) if len(self.t) else math.nan
        return (f"<Trace {self.method} on {self.problem}: {seeds}, steps={int(self.t[-1])}, "
                f"records={len(self.t)}, final loss={last:.6g}>")


class _SeedTrace(Trace):
    """Seed k's view of a batched run: its ``state`` is cut out of the batched state on first access."""

    _lazy = None

    @property
    def state(self):
        if self._lazy is not None:
            self._state, self._lazy = seed_row(*self._lazy), None
        return self._state

    @state.setter
    def state(self, value):
        self._state = value


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


def batch_reason(method):
    """Why ``method`` cannot run a batch of seeds, or None when it can. A method says so itself in
    ``no_batch``; the catalogue's methods (optlab.algorithms, each tested batched against its single
    runs) batch unless they say otherwise; any other class batches only once it declares
    ``no_batch = None`` (its step keeps per-seed state, see optlab.algorithms.base)."""
    if hasattr(method, "no_batch"):
        return method.no_batch
    if type(method).__module__.startswith("optlab.algorithms."):
        return None
    return (f"{type(method).__name__} does not declare that its step keeps per-seed state "
            f"(a class outside optlab.algorithms batches once it sets no_batch = None)")


def seed_row(state, k, template=None, d=None):
    """Seed k's part of a batched state. ``template`` is the same method's state for one iterate (its
    ``init``): where it holds a number, the batch holds one per seed, an (S, 1) array, and seed k gets
    a float; where it holds an array, the batch's array has one more (leading) axis and seed k gets
    its row, or the same number of axes and is shared; lists (a kept log of states) are viewed lazily.
    Without a template (the entries of a kept list that are not states), an (S, d) array gives its
    row, an (S,) array seed k's number, and an (S, 1) array a float unless d = 1. Shared numbers (t)
    are returned as is."""
    types = {}
    _collect_types(template, types)
    return _row(state, k, template, types, d)


def _collect_types(template, out):
    """The NamedTuple templates inside ``template``, by type (a kept log's entries find theirs here)."""
    if hasattr(template, "_fields"):
        out.setdefault(type(template), template)
    if isinstance(template, (tuple, list)):
        for v in template:
            _collect_types(v, out)


def _row(state, k, template, types, d):
    if state is None or isinstance(state, (bool, int, float, str)):
        return state
    if hasattr(state, "_fields"):                                   # a NamedTuple state
        tmpl = template if type(template) is type(state) else types.get(type(state))
        fields = tmpl if tmpl is not None else (None,) * len(state)
        return type(state)(*(_row(v, k, tv, types, d) for v, tv in zip(state, fields)))
    if isinstance(state, list):
        return _RowList(state, k, types, d)
    if isinstance(state, tuple):
        fields = template if isinstance(template, tuple) and len(template) == len(state) else (None,) * len(state)
        return tuple(_row(v, k, tv, types, d) for v, tv in zip(state, fields))
    ndim = getattr(state, "ndim", 0)
    if ndim == 0:
        return state
    if isinstance(template, (int, float)) and not isinstance(template, bool):
        return float(state[k].reshape(-1)[0])                       # a per-seed number
    if getattr(template, "ndim", None) is not None:
        return state[k] if ndim == template.ndim + 1 else state     # per seed, or shared
    if ndim == 2 and state.shape[1] == 1 and d != 1:
        return float(state[k, 0])                                   # (S, 1): a per-seed number
    return state[k]


class _RowList:
    """A list of batched states seen as seed k's list (converted on access)."""

    def __init__(self, items, k, types, d):
        self._items, self._k, self._types, self._d = items, k, types, d

    def __len__(self):
        return len(self._items)

    def _view(self, v):
        return _row(v, self._k, None, self._types, self._d)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._view(v) for v in self._items[i]]
        return self._view(self._items[i])

    def __iter__(self):
        return (self._view(v) for v in self._items)


def run(method, problem, steps, *, x0=None, seed=0, seeds=None, every=1, keep_x=None, noise=None,
        sigma=None, batch_size=1, replace=True, grad_norm=True, progress=None, oracle=None, tau1=0.0,
        inplace=None, stream="host"):
    """Run ``method`` for ``steps`` iterations on ``problem``; return a :class:`Trace` (see module doc).

    Args:
        every: record every k-th iterate (the last step is always recorded).
        keep_x: store the iterates (default: when the record would hold at most 2e7 numbers).
        noise, sigma, batch_size, replace, tau1: the oracle's model (see optlab.problems.Oracle; tau1 is
            the relative noise level of noise='affine').
        grad_norm: record ||grad f(x_t)|| (costs a full gradient per record).
        progress: a tqdm bar (default: on for long runs when stderr is a terminal).
        oracle: a ready oracle to use instead of building one (single-seed runs only).
        inplace: the method's fast path instead of its reference step (default: on CuPy only).
        stream: the oracle's noise stream, ``"host"`` (default) or ``"counter"`` (computed per seed on
            the iterates' device; see optlab.problems.Oracle).
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
        why = batch_reason(method)
        try:
            if why is None:
                from ..problems import BatchOracle, Oracle

                oracle = BatchOracle(problem, seeds, noise=noise, sigma=sigma, batch_size=batch_size,
                                     replace=replace, tau1=tau1, stream=stream,
                                     xp=numpy if x0 is None else get_xp(x0), horizon=steps)
                tr = _run_one(method, problem, steps, x0, tuple(seeds), every, keep_x, noise, sigma,
                              batch_size, replace, grad_norm, bar, oracle, tau1, inplace, stream)
                # one iterate's initial state tells which state fields are numbers (one per seed here)
                tr.template = method.init(problem.x0(0) if x0 is None else x0,
                                          Oracle(problem, seed=seeds[0], noise=noise, sigma=sigma,
                                                 batch_size=batch_size, replace=replace, tau1=tau1,
                                                 stream=stream))
                return tr
            if len(seeds) > 1:
                warnings.warn(f"{type(method).__name__} runs its seeds one by one: {why}",
                              SeedLoopWarning, stacklevel=2)
            traces = []
            for s in seeds:
                try:
                    traces.append(_run_one(method, problem, steps, x0, s, every, keep_x, noise, sigma,
                                           batch_size, replace, grad_norm, bar, None, tau1, inplace, stream))
                except DivergenceError as err:
                    err.args = (f"seed {s}: {err.args[0]}",)
                    raise
                except diagnostics.RunInterrupted as err:   # keep the seeds that finished too
                    err.completed = _stack(traces, seeds[:len(traces)]) if traces else None
                    raise
            return _stack(traces, seeds)
        finally:
            if bar is not None:
                bar.close()
    bar = _progress(progress, steps, f"{method!r}"[:40])
    try:
        return _run_one(method, problem, steps, x0, seed, every, keep_x, noise, sigma, batch_size,
                        replace, grad_norm, bar, oracle, tau1, inplace, stream)
    finally:
        if bar is not None:
            bar.close()


def _finite(x):
    return bool(get_xp(x).isfinite(x).all())


def _first_bad_seed(seeds, x):
    """The first seed whose iterate (a row of the batch x) is not finite."""
    bad = ~to_numpy(get_xp(x).isfinite(x).all(axis=-1))
    return seeds[int(numpy.argmax(bad))]


def _run_one(method, problem, steps, x0, seed, every, keep_x, noise, sigma, batch_size, replace,
             grad_norm, bar, oracle, tau1=0.0, inplace=None, stream="host"):
    """One run, or with ``seed`` a tuple of S seeds (and a BatchOracle) one batched run of all of them."""
    batch = isinstance(seed, tuple)
    if oracle is None:
        from ..problems import Oracle

        kwargs = dict(seed=seed, noise=noise, batch_size=batch_size, replace=replace)
        if sigma is not None:
            kwargs["sigma"] = sigma
        if tau1:
            kwargs["tau1"] = tau1
        if stream != "host":
            kwargs["stream"] = stream
        oracle = Oracle(problem, **kwargs)
    x0 = problem.x0(0) if x0 is None else x0
    diagnostics.check_x0(problem, x0)
    if batch:                                      # the same start for every seed, one row each
        xp = get_xp(x0)
        x0 = xp.repeat(xp.asarray(x0, dtype=float)[None, :], len(seed), axis=0)
    n_rec = steps // every + 2
    if keep_x is None:
        keep_x = problem.d * n_rec * (len(seed) if batch else 1) <= 2e7
    x_star = getattr(problem, "x_star", None)
    if x_star is not None and is_cupy(x0):
        x_star = get_xp(x0).asarray(x_star)
    rec = {k: [] for k in ("t", "loss", "grad_norm", "dist", "calls", "evals", "time", "x")}
    elapsed = 0.0

    def record(t, x):
        rec["t"].append(t)
        if batch:                                  # one value per seed, computed for all at once
            rec["loss"].append(to_numpy(problem.f(x)).astype(float))
            if grad_norm:
                g = problem.grad(x)
                oracle.remember(x, g)              # the next step's gradient at x: computed once
                rec["grad_norm"].append(to_numpy(norm(g))[:, 0])
            else:
                rec["grad_norm"].append(math.nan)
            rec["dist"].append(to_numpy(norm(x - x_star))[:, 0] if x_star is not None else math.nan)
        else:
            rec["loss"].append(float(problem.f(x)))
            rec["grad_norm"].append(norm(problem.grad(x)) if grad_norm else math.nan)
            rec["dist"].append(norm(x - x_star) if x_star is not None else math.nan)
        rec["calls"].append(sum(oracle.calls.values()))
        rec["evals"].append(oracle.grad_evals)
        rec["time"].append(elapsed)
        if keep_x:
            rec["x"].append(to_numpy(x).copy())

    def trace(state):
        def arr(k, dt=float):
            a = numpy.asarray(rec[k], dtype=dt)    # (records,) or, for a batch, (records, S)
            if batch:
                return a.T.copy() if a.ndim == 2 else numpy.repeat(a[None, :], len(seed), axis=0)
            return a
        xs = None
        if keep_x and rec["x"]:
            xs = numpy.stack(rec["x"], axis=1 if batch else 0)     # (S, records, d) for a batch
        return Trace(repr(method), getattr(problem, "name", repr(problem)), seed, arr("t", int)[0]
                     if batch else arr("t", int), arr("loss"), arr("grad_norm") if grad_norm else None,
                     arr("dist") if x_star is not None else None, arr("calls", int), arr("evals", int),
                     arr("time"), xs, getattr(problem, "f_star", None), state)

    state = method.init(x0, oracle)
    step = stepper(method, state.x, inplace)
    record(0, state.x)
    diagnostics.check_start(problem, rec["loss"][0], rec["grad_norm"][0] if grad_norm else 0.0)
    last_t = 0
    try:
        for t in range(1, steps + 1):
            prev_x = state.x
            tic = time.perf_counter()
            state = step(state, oracle)
            elapsed += time.perf_counter() - tic
            if not _finite(state.x):
                if last_t != t - 1 and _finite(prev_x):
                    record(t - 1, prev_x)
                who = f"seed {_first_bad_seed(seed, state.x)}: " if batch else ""
                raise DivergenceError(
                    f"{who}{method!r} diverged at step {t}: the iterate x_{t} contains NaN or inf "
                    f"(last finite iterate: step {rec['t'][-1]}); the trace up to it is attached as "
                    f"err.trace. Try a smaller lr.", t, trace(None))
            if t % every == 0 or t == steps:
                record(t, state.x)
                last_t = t
            if bar is not None:
                bar.update(len(seed) if batch else 1)
    except KeyboardInterrupt:   # keep the work done so far (the state may be half-updated: not kept)
        n = min(len(v) for k, v in rec.items() if keep_x or k != "x")   # drop a half-made record
        for v in rec.values():
            del v[n:]
        raise diagnostics.interrupted(method, rec["t"][-1] + 1, steps, trace(None)) from None
    diagnostics.after_run(method, problem, oracle, rec["loss"])
    return trace(state)
