"""Parallel minibatch SGD (EC500 Algorithm 13) on Dask workers: wall-clock speed-up and communication.

A least-squares problem whose gradient dominates each step (n = 100000 rows, d = 200, minibatch
B = 40000: about 3e7 multiply-adds per step) is run for T steps

* in one process, with ``run(MinibatchSGD(...))`` (the floor: no scheduling, no messages);
* with :func:`optlab.distributed.parallel_sgd` on a LocalCluster of 1 worker and of 2 workers (one
  thread each, BLAS pinned to one thread).

Printed: seconds per step, speed-up of 2 workers over 1, and the communication share of a step
(1 - gradient compute / wall time: scheduling, serialisation, the barrier). The trajectories are
checked equal to the in-process run (1e-9), so the timing is of the same computation.

Cost model (what a larger cluster changes): a step costs about c B d / M (compute, shared by M
workers) + a per-step overhead o (one task per worker through the scheduler, ~1-5 ms on one machine;
more over a network) + the barrier's wait for the slowest worker. Speed-up ~ (c B d + o) / (c B d / M
+ o): it saturates at M ~ c B d / o, so bigger minibatches and models scale to more workers.

Run: ``.venv/bin/python bench/bench_distributed.py [T]``. Exit status 0 when every case ran.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"                      # the floor single-threaded too, like each worker

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

from optlab.algorithms import MinibatchSGD, run  # noqa: E402
from optlab.distributed import connect, parallel_sgd  # noqa: E402
from optlab.problems import least_squares  # noqa: E402


def main(argv):
    T = int(argv[1]) if len(argv) > 1 else 20
    p = least_squares(n=100_000, d=200, seed=0)
    B, lr = 40_000, 0.5 / p.H
    t0 = time.perf_counter()
    ref = run(MinibatchSGD(lr=lr, batch_size=B), p, T, seed=0, progress=False, grad_norm=False)
    serial = (time.perf_counter() - t0) / T
    print(f"problem: {p.name}, B = {B}, T = {T}")
    print(f"{'case':<28}{'s/step':>10}{'vs 1 worker':>14}{'communication':>16}")
    print(f"{'in process (floor)':<28}{serial:>10.4f}{'':>14}{'0':>16}")
    per = {}
    for M in (1, 2):
        with connect(f"local:{M}") as client:
            parallel_sgd(p, lr, B, 2, client, seed=0)                     # warm-up: blocks placed
            t0 = time.perf_counter()
            tr = parallel_sgd(p, lr, B, T, client, seed=0)
            per[M] = (time.perf_counter() - t0) / T
        if not np.allclose(tr.x, np.asarray(ref.x), rtol=0, atol=1e-9):
            print(f"ERROR: the {M}-worker run left the in-process trajectory")
            return 1
        speed = per[1] / per[M]
        print(f"{f'Dask, {M} worker(s)':<28}{per[M]:>10.4f}{speed:>13.2f}x{tr.communication_share:>15.0%}")
    print(f"\nspeed-up with 2 workers: {per[1] / per[2]:.2f}x (ideal 2x on 2 idle cores); "
          f"overhead of Dask with 1 worker over the in-process floor: {per[1] / serial:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
