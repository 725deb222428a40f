"""Connecting to a Dask cluster: a local one by default, or an existing scheduler by its address.

optlab runs its distributed work (verification sweeps, class-sized grading, the parameter server of
EC500 §19) on ``dask.distributed``; it never starts a scheduler of its own making. One argument names
the cluster everywhere (``--cluster`` on the command line, ``cluster=`` in Python):

* ``"local"``: a :class:`distributed.LocalCluster` on this machine, one single-threaded worker process
  per core;
* ``"local:N"``: the same with N worker processes;
* ``"tcp://host:port"`` (or any address Dask accepts, e.g. ``"tls://..."``): an existing scheduler,
  started by hand (``dask scheduler`` then ``dask worker tcp://host:8786`` on each machine) or by
  dask-jobqueue on a batch system (pass ``cluster.scheduler_address``);
* a ready :class:`distributed.Client`: used as it is.

Workers are started with one thread each and with BLAS pinned to one thread, so that N workers use N
cores and never oversubscribe them.

Example:
    >>> parse_cluster("local:2")
    ('local', 2)
    >>> parse_cluster("tcp://10.0.0.5:8786")
    ('address', 'tcp://10.0.0.5:8786')
"""
from __future__ import annotations

import contextlib
import os

INSTALL_HINT = "install it with: pip install 'optlab[dask]'  (or: pip install 'dask[distributed]')"

# Environment for worker processes: one BLAS thread each (N single-threaded workers = N cores).
_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


class ClusterError(RuntimeError):
    """The cluster could not be reached or started (the message says which and what to do)."""


def require_dask():
    """Import ``distributed``, or raise an ImportError that says what to install."""
    try:
        import distributed
    except ImportError as err:                      # pragma: no cover - dask is in [dev]
        raise ImportError(f"optlab's distributed mode needs Dask's distributed scheduler; "
                          f"{INSTALL_HINT}") from err
    return distributed


def parse_cluster(spec):
    """``spec`` -> ``("local", n_workers or None)`` or ``("address", address)``; errors name the value."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"cluster must be 'local', 'local:N' or a scheduler address such as "
                         f"'tcp://host:8786', got cluster={spec!r}")
    spec = spec.strip()
    if spec == "local":
        return "local", None
    if spec.startswith("local:"):
        n = spec.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise ValueError(f"cluster='local:N' needs a positive whole number of workers N, "
                             f"got cluster={spec!r}")
        return "local", int(n)
    if "://" in spec:
        return "address", spec
    raise ValueError(f"cluster must be 'local', 'local:N' or a scheduler address such as "
                     f"'tcp://host:8786', got cluster={spec!r}")


@contextlib.contextmanager
def connect(cluster="local", timeout=10.0):
    """A :class:`distributed.Client` for ``cluster`` (see the module docstring), closed on exit.

    A local cluster is started here and shut down on exit; an existing scheduler is only connected
    to. An unreachable scheduler raises :class:`ClusterError` after ``timeout`` seconds (no hang).
    """
    distributed = require_dask()
    if isinstance(cluster, distributed.Client):
        yield cluster
        return
    kind, value = parse_cluster(cluster)
    if kind == "local":
        n = value or max(1, os.cpu_count() or 1)
        local = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         dashboard_address=None, env=dict(_ONE_THREAD))
        client = distributed.Client(local)
        try:
            yield client
        finally:
            client.close()
            local.close()
        return
    try:
        client = distributed.Client(value, timeout=timeout)
    except (OSError, TimeoutError) as err:
        raise ClusterError(f"could not reach the Dask scheduler at {value!r} within {timeout:g} s "
                           f"({err.__class__.__name__}: {err}); check that a scheduler runs there "
                           f"('dask scheduler') and that this machine can reach it") from err
    try:
        yield client
    finally:
        client.close()


def workers_of(client):
    """The workers' addresses, sorted (a fixed order, so that shard i always goes to worker i)."""
    return sorted(client.scheduler_info()["workers"])
