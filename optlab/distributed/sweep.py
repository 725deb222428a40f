"""``optlab verify --cluster``: the verification sweep as Dask tasks, same results as the serial run.

The serial sweep (:func:`optlab.theory.verify.verify`) checks, for every theorem, its default
instance(s), its tight instance and, for a misprint, its counterexample. Here each of those checks is
one task, named by data only (theorem id, which instance, seed), so a task can be retried on any
worker: a worker that dies has its tasks run again elsewhere (Dask reschedules them), and each result
is stored once under its task's position, so none is lost or counted twice. Instances are rebuilt from
their seeds on the driver, so the :class:`~optlab.theory.theorem.Check` objects returned are the same
as the serial run's: same verdicts, same measured values (the tests compare them).

Example (a local cluster of two workers)::

    from optlab.distributed import connect
    from optlab.distributed.sweep import verify_on_cluster
    from optlab.theory import THEOREMS
    with connect("local:2") as client:
        checks = verify_on_cluster(THEOREMS, client)
"""
from __future__ import annotations

import sys

from .cluster import require_dask


def plan(theorems, seed=0, thorough=False):
    """The checks of the serial sweep, in its order, as ``(theorem id, which, seed)`` task specs."""
    from optlab.theory.verify import plan as plan_one

    return [(thm.id, which, s) for thm in theorems for which, s in plan_one(thm, seed, thorough)]


def run_spec(theorem_id, which, seed):
    """Worker side: check one spec; returns plain arrays and flags (no closures travel back)."""
    from optlab.theory import get
    from optlab.theory.theorem import check
    from optlab.theory.verify import instance_of, quiet_runs

    thm = get(theorem_id)
    with quiet_runs():                          # as in the serial sweep: the catalogue's instances are on purpose
        c = check(thm, instance_of(thm, which, seed))
    return c.measured, c.bound, bool(c.holds), c.spread, c.detail


def verify_on_cluster(theorems, client, seed=0, thorough=False, progress=True, retries=3):
    """The serial sweep's checks, computed on ``client``'s workers; a progress bar counts tasks done."""
    distributed = require_dask()
    from tqdm.auto import tqdm

    from optlab.theory.verify import Interrupted

    by_id = {t.id: t for t in theorems}
    specs = plan(theorems, seed=seed, thorough=thorough)
    futures = [client.submit(run_spec, *spec, pure=False, retries=retries) for spec in specs]
    position = {f.key: i for i, f in enumerate(futures)}
    results = [None] * len(specs)
    try:
        with tqdm(total=len(specs), desc="verifying on the cluster", unit="check", file=sys.stderr,
                  disable=not progress) as bar:
            for fut in distributed.as_completed(futures):
                i = position[fut.key]
                if results[i] is None:                  # each check is stored once, by position
                    results[i] = fut.result()
                    bar.update(1)
    except KeyboardInterrupt as err:                    # keep the finished checks, as the serial sweep does
        client.cancel(futures)
        raise Interrupted(_checks(by_id, specs, results)) from err
    return _checks(by_id, specs, results)


def _checks(by_id, specs, results):
    """Check objects for the finished specs, in the serial sweep's order."""
    from optlab.theory.theorem import Check
    from optlab.theory.verify import instance_of

    checks = []
    for (tid, which, s), result in zip(specs, results):
        if result is None:
            continue
        measured, bound, holds, spread, detail = result
        thm = by_id[tid]
        checks.append(Check(thm, instance_of(thm, which, s), measured, bound, holds, spread=spread,
                            detail=detail))
    return checks
