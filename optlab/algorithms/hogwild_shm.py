"""Hogwild! for real: worker processes update one shared parameter array without locks.

EC500 Algorithm 14 (seed 003 L2608-2620) on a sparse finite sum: w lives in shared memory
(``multiprocessing.shared_memory``); each of M worker processes repeats

.. code-block:: text

    sample i;  g = grad l(w, z_i)     (reads the shared w: possibly mid-update by another worker)
    w[j] = w[j] - eta g[j]  for the j in the support of x_i   (no lock)

For l(w, z_i) = phi(<x_i, w>, y_i) the gradient phi'(<x_i, w>) x_i touches only the support of x_i,
so on sparse data the workers rarely collide (Niu et al. [19]; the sparsity argument is external to the
notes, which assume none). The read-modify-write ``w[S] -= eta g`` is not atomic: an update can be lost
when two workers write the same coordinate at once, as the notes concede (L2661). The measured delays
(global updates between a worker's read and its write) are reported when ``record_delays=True``.

Losses (``loss``): ``"logistic"``, phi = log(1 + exp(-y z)); ``"squares"``, phi = (z - y)^2 / 2.
The problem must carry its data: CSR arrays ``indptr, indices, data`` or a dense ``X``, and labels
``y`` (``optlab.problems`` finite sums do). The deterministic model with bounded staleness used by the
theorem is :class:`optlab.algorithms.HogwildSim`.

Worker k draws its sample indices from ``numpy.random.default_rng([seed, k])``, all upfront, so one
worker follows the serial SGD path on those indices (the tests check it).

Example:
    >>> import numpy as np
    >>> from optlab.problems import least_squares
    >>> r = hogwild(least_squares(n=50, d=5, seed=0), lr=0.05, updates=2000, workers=2)
    >>> r.updates, r.workers, r.x.shape
    (2000, 2, (5,))
"""
from __future__ import annotations

import multiprocessing as mp
import time
from multiprocessing import shared_memory
from typing import Any, NamedTuple

import numpy

from ..problems.declared import DataFitProblem
from .base import check_choice, check_int, check_positive


class HogwildResult(NamedTuple):
    x: Any                 # the shared vector after all updates (a copy)
    seconds: float         # wall time from the start signal until every worker finished
    updates: int           # total updates (over all workers)
    workers: int
    max_delay: int         # largest observed read-to-write delay (-1 if not recorded)

    @property
    def updates_per_second(self):
        return self.updates / self.seconds


def _data_fit(problem):
    if not isinstance(problem, DataFitProblem):
        raise ValueError(f"hogwild needs a data-fit problem (optlab.problems.DataFitProblem: its rows X, "
                         f"labels y and per-example loss), got {problem!r}")
    return problem


def sparse_rows(problem):
    """(indptr, indices, data, y) of the problem's data matrix ``X`` in CSR form (no copy when ``X``
    is already a scipy.sparse CSR matrix, as in sparse_hogwild)."""
    from scipy import sparse

    p = _data_fit(problem)
    X = p.X if sparse.isspmatrix_csr(p.X) else sparse.csr_matrix(numpy.asarray(p.X, dtype=float))
    return X.indptr, X.indices, X.data, numpy.asarray(p.y, dtype=float)


def infer_loss(problem):
    """The problem's declared per-example loss, where Hogwild!'s workers have it."""
    loss = _data_fit(problem).loss
    if loss not in ("logistic", "squares"):
        raise ValueError(f"hogwild's workers compute the logistic and squares losses; this problem's loss "
                         f"is {loss!r}")
    return loss


def _worker(k, shm_name, d, rows, loss, lr, count, seed, start, counter_name, delays, coord_scale):
    indptr, indices, data, y = rows
    shm = shared_memory.SharedMemory(name=shm_name)
    w = numpy.ndarray((d,), dtype=numpy.float64, buffer=shm.buf)     # the shared w (no lock)
    ctr_shm = ctr = None
    if counter_name is not None:
        ctr_shm = shared_memory.SharedMemory(name=counter_name)
        ctr = numpy.ndarray((1,), dtype=numpy.int64, buffer=ctr_shm.buf)
    n = len(indptr) - 1
    rng = numpy.random.default_rng([seed, k])
    idx = rng.integers(0, n, count)                                   # sample z_{t,k}, t = 1..T
    coords = rng.integers(0, d, count).tolist() if coord_scale else None   # j_{t,k} (Algorithm 15)
    logistic = loss == "logistic"
    max_delay = 0
    start.wait()                                                      # all workers ready: go
    for t, i in enumerate(idx.tolist()):
        a, b = indptr[i], indptr[i + 1]
        cols, vals = indices[a:b], data[a:b]
        if ctr is not None:
            read_at = int(ctr[0])
        z = float(vals @ w[cols])                                     # <x_i, w> (reads shared w)
        if logistic:
            yi = y[i]
            c = -yi / (1.0 + numpy.exp(yi * z))                       # phi'(z) = -y sigmoid(-y z)
        else:
            c = z - y[i]                                              # phi'(z) = z - y
        if coord_scale:                                               # Algorithm 15: one coordinate j
            j = coords[t]
            pos = numpy.searchsorted(cols, j)
            if pos < len(cols) and cols[pos] == j:                    # g[j] = 0 off the support
                w[j] -= lr * coord_scale * c * vals[pos]              # w[j] -= eta (d) g[j]
        else:
            w[cols] -= (lr * c) * vals                                # w[j] -= eta g[j], j in support
        if ctr is not None:
            ctr[0] += 1                                               # racy counter (an estimate)
            max_delay = max(max_delay, int(ctr[0]) - 1 - read_at)
    if delays is not None:
        delays[k] = max_delay
    del w, ctr
    shm.close()
    if ctr_shm is not None:
        ctr_shm.close()


def hogwild(problem, lr, updates, workers=2, *, seed=0, x0=None, loss=None, record_delays=False,
            coordinate=False, coordinate_scale="d"):
    """Run lock-free Hogwild! with ``workers`` processes for ``updates`` total updates.

    ``coordinate=False``: Algorithm 14 (the whole sparse gradient is written); ``coordinate=True``:
    Algorithm 15 (one uniformly random coordinate j of 0..d-1, scaled by ``coordinate_scale``: d, the
    analysed unbiased version, or 1, as printed).
    """
    lr = check_positive("lr", lr)
    updates = check_int("updates", updates)
    workers = check_int("workers", workers)
    loss = check_choice("loss", loss or infer_loss(problem), ("logistic", "squares"))
    rows = sparse_rows(problem)
    d = problem.d
    if coordinate and coordinate_scale not in ("d", 1):
        raise ValueError(f"coordinate_scale must be 'd' or 1, got coordinate_scale={coordinate_scale!r}")
    coord_scale = 0 if not coordinate else (d if coordinate_scale == "d" else 1)
    if coordinate:                                                      # sort each row's support
        order = [numpy.argsort(rows[1][a:b]) + a for a, b in zip(rows[0][:-1], rows[0][1:])]
        perm = numpy.concatenate(order) if order else numpy.arange(0)
        rows = (rows[0], rows[1][perm], rows[2][perm], rows[3])        # sorted supports
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    shm = shared_memory.SharedMemory(create=True, size=8 * d)
    ctr_shm = shared_memory.SharedMemory(create=True, size=8) if record_delays else None
    try:
        w = numpy.ndarray((d,), dtype=numpy.float64, buffer=shm.buf)
        w[:] = 0.0 if x0 is None else numpy.asarray(x0, dtype=float)
        if ctr_shm is not None:
            numpy.ndarray((1,), dtype=numpy.int64, buffer=ctr_shm.buf)[0] = 0
        delays = ctx.Array("q", workers, lock=False) if record_delays else None
        start = ctx.Barrier(workers + 1)
        counts = [updates // workers + (k < updates % workers) for k in range(workers)]
        procs = [ctx.Process(target=_worker, args=(k, shm.name, d, rows, loss, lr, counts[k], seed,
                                                   start, None if ctr_shm is None else ctr_shm.name,
                                                   delays, coord_scale), daemon=True)
                 for k in range(workers)]
        for p in procs:
            p.start()
        start.wait()                              # every worker has drawn its samples
        tic = time.perf_counter()
        for p in procs:
            p.join()
        seconds = time.perf_counter() - tic
        bad = [p.exitcode for p in procs if p.exitcode != 0]
        if bad:
            raise RuntimeError(f"a Hogwild! worker failed (exit codes {bad})")
        x = w.copy()
        del w
        return HogwildResult(x=x, seconds=seconds, updates=updates, workers=workers,
                             max_delay=max(delays) if record_delays else -1)
    finally:
        shm.close()
        shm.unlink()
        if ctr_shm is not None:
            ctr_shm.close()
            ctr_shm.unlink()
