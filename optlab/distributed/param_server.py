"""Parallel minibatch SGD and the parameter server on Dask workers (EC500 §19, seed 003).

The data are split into row blocks, one per worker (:mod:`optlab.distributed.shards`); the driver
process is the server that holds w. Two algorithms:

**Algorithm 13** (L2579-2592), synchronous, :func:`parallel_sgd`::

    for t = 1..T:
        server draws z_{t,1..B} ~ Uniform{rows}          (the same draws as MinibatchSGD, seed for seed)
        worker i computes g_{t,i} = sum of grad l(w_t, z) over the z it holds
        wait for all workers                              (the barrier)
        g_t = (1/B) sum_i g_{t,i};   w_{t+1} = w_t - eta_t g_t

Seed for seed it follows ``run(MinibatchSGD(lr, B), problem, T, seed=seed)`` (and
:class:`~optlab.algorithms.ParallelMinibatchSGD`) up to the order of floating-point additions.

**Asynchronous parameter server** (§19.1; the model of Theorem 19.1), :func:`async_parameter_server`::

    keep one task in flight per worker; whenever a task finishes:
        its gradient g = grad l(w_k, z) was computed at the version k the task read
        server: w_{t+1} = w_t - eta g          (or eta d g[j] e_j on one random j: update="coordinate")
        record the staleness t - k, then send the finished worker a new task with w_{t+1}

The sample z of each task is drawn by the server and the task goes to the worker holding row z, so
every update uses an unbiased sample of the whole sum, as the theorem assumes. The trace records, per
update, which worker computed it, the version it read and its staleness; :func:`staleness_check`
evaluates Theorem 19.1's bound (``optlab.theory.get("EC500-19.1")``) at the largest staleness seen.

Timing: each trace records the wall time of every step and the compute time the workers reported,
so ``communication_share`` = 1 - compute / wall (scheduling, serialisation, network, the barrier).
"""
from __future__ import annotations

import time
import warnings
from typing import NamedTuple

import numpy

from .cluster import require_dask, workers_of
from .shards import Block, grad_sum, local_rows, shard


class DistributedTrace(NamedTuple):
    """What a distributed run recorded (one row per update)."""
    x: numpy.ndarray               # iterates w_1 .. w_{T+1}, shape (T+1, d)
    wall: numpy.ndarray            # seconds per update (server's clock)
    compute: numpy.ndarray         # seconds of gradient work per update (largest worker's, synchronous)
    worker: numpy.ndarray          # which worker's gradient made each update (-1: all, synchronous)
    read_version: numpy.ndarray    # the version k of w each gradient was computed at
    staleness: numpy.ndarray       # t - k for update t (0 for the synchronous algorithm)
    samples: list                  # the global sample indices used by each update
    coords: numpy.ndarray          # the coordinate j of each update (-1: every coordinate)
    workers: int

    @property
    def max_staleness(self):
        return int(self.staleness.max()) if len(self.staleness) else 0

    @property
    def seconds(self):
        return float(self.wall.sum())

    @property
    def communication_share(self):
        """Fraction of the wall time not spent computing gradients (synchronous runs)."""
        return float(max(0.0, 1.0 - self.compute.sum() / self.wall.sum()))


def _block_grad(block, w, local_idx, version):
    """Worker side: the gradient sum over the sampled rows this worker holds, and its compute time."""
    t0 = time.perf_counter()
    g = grad_sum(w, block.X, block.y, block.loss, block.lam, local_idx)
    return g, time.perf_counter() - t0, version


def _block_grad_drawn(block, w, rng_state, n, B, version):
    """Worker side of Algorithm 13: redraw the server's sample z_{t,1..B} from its generator state
    (a few bytes travel instead of B indices) and sum the gradients of the rows this worker holds."""
    t0 = time.perf_counter()
    rng = numpy.random.default_rng()
    rng.bit_generator.state = rng_state
    z = rng.integers(0, n, B)                                # the same draw as the server's
    local = local_rows(z, block.lo, block.lo + block.X.shape[0])
    g = grad_sum(w, block.X, block.y, block.loss, block.lam, local)
    return g, time.perf_counter() - t0, version


def _place_blocks(client, data):
    """Send block i to worker i (round robin); each future can be rebuilt elsewhere if a worker dies."""
    addrs = workers_of(client)
    futures = []
    with warnings.catch_warnings():          # sending each block once, with its task, is the intent
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        for i, (lo, hi) in enumerate(data.bounds):
            # Only block i's rows travel with this task (never the whole X); the scheduler keeps the
            # task, so the block is rebuilt on another worker if its worker dies.
            futures.append(client.submit(Block, data.X[lo:hi], data.y[lo:hi], lo, data.loss, data.lam,
                                         workers=[addrs[i % len(addrs)]], allow_other_workers=True,
                                         pure=False))
    return futures, [addrs[i % len(addrs)] for i in range(data.parts)]


def _lr_at(lr, t):
    return lr(t) if callable(lr) else lr


def _setup(problem, client, x0, workers):
    require_dask()
    n_workers = len(workers_of(client))
    parts = workers or n_workers
    data = shard(problem, parts=parts)
    x = numpy.array(problem.x0(0) if x0 is None else x0, dtype=float)
    if x.shape != (data.X.shape[1],):
        raise ValueError(f"x0 must have shape ({data.X.shape[1]},), got {x.shape}")
    return data, x


def parallel_sgd(problem, lr, batch_size, steps, client, *, seed=0, x0=None, workers=None, retries=2):
    """EC500 Algorithm 13 on Dask workers; returns a :class:`DistributedTrace` (see the module docstring).

    ``workers``: number of data blocks (default: one per worker of the client).
    """
    data, x = _setup(problem, client, x0, workers)
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, got batch_size={batch_size!r}")
    blocks, addrs = _place_blocks(client, data)
    rng = numpy.random.default_rng(seed)                    # the oracle's stream for this seed
    xs, wall, compute, samples = [x], [], [], []
    for t in range(1, steps + 1):
        t0 = time.perf_counter()
        state = rng.bit_generator.state
        z = rng.integers(0, data.n, batch_size)             # z_{t,1..B}
        futs = [client.submit(_block_grad_drawn, blocks[i], x, state, data.n, batch_size, t - 1,
                              workers=[addrs[i]], allow_other_workers=True, pure=False, retries=retries)
                for i in range(data.parts)]
        results = client.gather(futs)                       # the barrier: wait for every processor
        g = sum(r[0] for r in results) / batch_size         # g_t = (1/B) sum_i g_{t,i}
        x = x - _lr_at(lr, t) * g                           # w_{t+1} = w_t - eta g_t
        xs.append(x)
        wall.append(time.perf_counter() - t0)
        compute.append(max(r[1] for r in results))
        samples.append(z)
    T = steps
    return DistributedTrace(numpy.array(xs), numpy.array(wall), numpy.array(compute),
                            numpy.full(T, -1), numpy.arange(T), numpy.zeros(T, dtype=int), samples,
                            numpy.full(T, -1), data.parts)


def async_parameter_server(problem, lr, updates, client, *, seed=0, x0=None, workers=None,
                           update="full", retries=2):
    """The asynchronous parameter server (see the module docstring); ``update``: "full" or "coordinate"."""
    distributed = require_dask()
    if update not in ("full", "coordinate"):
        raise ValueError(f"update must be 'full' or 'coordinate', got update={update!r}")
    data, x = _setup(problem, client, x0, workers)
    blocks, addrs = _place_blocks(client, data)
    d = x.shape[0]
    rng = numpy.random.default_rng(seed)
    in_flight = {}

    def launch(version):
        r = int(rng.integers(0, data.n))                     # z ~ Uniform{rows}, drawn by the server
        i = data.owner(r)
        lo = data.bounds[i][0]
        fut = client.submit(_block_grad, blocks[i], x, numpy.array([r - lo]), version,
                            workers=[addrs[i]], allow_other_workers=True, pure=False, retries=retries)
        in_flight[fut.key] = (i, r, fut)
        return fut

    queue = distributed.as_completed([launch(0) for _ in range(min(data.parts, updates))])
    xs, wall, compute, who, read, stale, samples, coords = [x], [], [], [], [], [], [], []
    t0 = time.perf_counter()
    for fut in queue:
        if len(wall) >= updates:
            break
        t = len(wall)                                        # updates applied so far
        g, secs, version = fut.result()
        i, r, _ = in_flight.pop(fut.key)
        eta = _lr_at(lr, t + 1)
        if update == "coordinate":                           # Algorithm 15's step: eta d g[j] on one j
            j = int(rng.integers(0, d))
            x = x.copy()
            x[j] -= eta * d * g[j]
        else:
            j = -1
            x = x - eta * g                                  # w_{t+1} = w_t - eta grad l(w_k, z)
        xs.append(x)
        now = time.perf_counter()
        wall.append(now - t0)
        t0 = now
        compute.append(secs)
        who.append(i)
        read.append(version)
        stale.append(t - version)                            # updates applied since w_k was read
        samples.append(numpy.array([r]))
        coords.append(j)
        if len(wall) + len(in_flight) < updates:             # more updates still to come
            queue.add(launch(len(wall)))
    client.cancel([f for _, _, f in in_flight.values()])
    return DistributedTrace(numpy.array(xs), numpy.array(wall), numpy.array(compute), numpy.array(who),
                            numpy.array(read), numpy.array(stale), samples, numpy.array(coords),
                            data.parts)


def staleness_check(problem, traces, lr, theorem_id="EC500-19.1"):
    """Theorem 19.1 on real asynchronous runs: (measured, bound) at every horizon t.

    measured[t] = mean over the runs of sum_{s<=t} ||grad L(w_s)||^2; the bound is the theorem's own
    (read from the catalogue) with tau = the largest staleness seen in any run. The runs must use
    ``update="coordinate"`` (the update the theorem analyses). With few runs this compares one sample
    mean with an in-expectation bound: a sanity check, not a statistical test (one run is refused).
    """
    from optlab.theory import Instance, get
    from optlab.theory.theorem import validate
    traces = list(traces)
    if not traces or any((tr.coords < 0).any() for tr in traces):
        raise ValueError("staleness_check needs runs of async_parameter_server(..., update='coordinate')")
    T = min(len(tr.wall) for tr in traces)
    tau = max(tr.max_staleness for tr in traces)
    sq = [numpy.cumsum([float(numpy.sum(numpy.asarray(problem.grad(w)) ** 2)) for w in tr.x[:T]])
          for tr in traces]
    theorem = get(theorem_id)
    inst = Instance(problem, traces[0].x[0], T=T, hyper={"lr": float(lr), "tau": tau}, seeds=len(traces))
    validate(theorem, inst)                    # refuse a problem outside the theorem's hypotheses
    return numpy.mean(sq, axis=0), numpy.asarray(theorem.bound(inst), dtype=float), tau
