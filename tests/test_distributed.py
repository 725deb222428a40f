"""optlab on Dask: a LocalCluster of two worker processes (the CI machine has two cores)."""
import os
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed", reason="needs Dask: pip install 'optlab[dask]'")

from optlab.algorithms import MinibatchSGD, ParallelMinibatchSGD, run  # noqa: E402
from optlab.distributed import (ClusterError, async_parameter_server, connect, parallel_sgd,  # noqa: E402
                                parse_cluster, shard, staleness_check)
from optlab.distributed.cluster import workers_of  # noqa: E402
from optlab.distributed.sweep import plan, verify_on_cluster  # noqa: E402
from optlab.problems import huber, least_squares, logistic_regression  # noqa: E402
from optlab.theory import get  # noqa: E402
from optlab.theory.verify import verify  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with connect("local:2") as c:
        yield c


# ------------------------------------------------------------------------------------------- cluster
@pytest.mark.parametrize("bad", ["", "locl", "local:0", "local:x", 3, None])
def test_cluster_spec_errors_name_the_argument(bad):
    with pytest.raises(ValueError, match="cluster"):
        parse_cluster(bad)


def test_unreachable_scheduler_is_a_clear_error_not_a_hang():
    start = time.perf_counter()
    with pytest.raises(ClusterError, match="could not reach the Dask scheduler"):
        with connect("tcp://127.0.0.1:9", timeout=2):
            pass
    assert time.perf_counter() - start < 30


# -------------------------------------------------------------------------------------------- shards
def test_shards_identify_lam_and_route_every_sample_once():
    p = logistic_regression(n=50, d=4, lam=0.25, seed=1)
    data = shard(p, parts=3)
    assert data.lam == 0.25
    z = np.random.default_rng(0).integers(0, 50, 200)
    local = data.route(z)
    assert sum(len(b) for b in local) == len(z)
    back = np.sort(np.concatenate([b + lo for b, (lo, _) in zip(local, data.bounds)]))
    assert np.array_equal(back, np.sort(z))
    assert [data.owner(r) for r in (0, 16, 17, 49)] == [0, 0, 1, 2]


def test_shards_refuse_what_they_cannot_compute():
    with pytest.raises(ValueError, match="does not match"):        # wrong loss for the data
        shard(logistic_regression(n=30, d=3, seed=0), parts=2, loss="squares")
    with pytest.raises(ValueError, match="loss"):                   # Huber: no per-row rule here
        shard(huber(n=30, d=3, seed=0), parts=2)
    with pytest.raises(ValueError, match="parts"):
        shard(least_squares(n=5, d=2, seed=0), parts=6)


# ------------------------------------------------------------------------------ Algorithm 13 (sync)
@pytest.mark.parametrize("family", [lambda: logistic_regression(n=120, d=4, lam=0.01, seed=2),
                                    lambda: least_squares(n=120, d=4, seed=2)])
def test_parallel_sgd_follows_minibatch_sgd_seed_for_seed(client, family):
    p = family()
    tr = parallel_sgd(p, 0.3, 8, 15, client, seed=5)
    for method in (MinibatchSGD(lr=0.3, batch_size=8), ParallelMinibatchSGD(lr=0.3, batch_size=8, workers=2)):
        ref = run(method, p, 15, seed=5, progress=False)
        np.testing.assert_allclose(tr.x, np.asarray(ref.x), rtol=0, atol=1e-12)
    assert tr.max_staleness == 0 and len(tr.wall) == 15
    assert 0.0 <= tr.communication_share <= 1.0


def test_a_worker_killed_mid_run_loses_no_work(client):
    p = least_squares(n=400, d=6, seed=3)
    ref = run(MinibatchSGD(lr=0.2, batch_size=16), p, 60, seed=1, progress=False)
    victim = workers_of(client)[0]
    killed = []

    def kill():
        try:
            client.run(os._exit, 1, workers=[victim])
        except Exception:                                   # the worker dies before it can answer
            pass
        killed.append(time.perf_counter())

    killer = threading.Timer(0.3, kill)
    killer.start()
    tr = parallel_sgd(p, 0.2, 16, 60, client, seed=1)
    finished = time.perf_counter()
    killer.join()
    assert killed and killed[0] < finished                   # the worker died while the run went on
    np.testing.assert_allclose(tr.x, np.asarray(ref.x), rtol=0, atol=1e-12)
    client.wait_for_workers(2, timeout=60)
    assert victim not in workers_of(client)                  # its nanny started a new worker


# ------------------------------------------------------------------------ asynchronous parameter server
def test_async_server_staleness_record_is_what_the_arithmetic_did(client):
    p = logistic_regression(n=80, d=3, lam=0.1, seed=4)
    eta = 0.3
    tr = async_parameter_server(p, eta, 40, client, seed=2)
    assert len(tr.wall) == 40 and tr.x.shape == (41, 3)
    t = np.arange(40)
    assert np.array_equal(tr.staleness, t - tr.read_version)
    assert (tr.read_version <= t).all() and (tr.staleness >= 0).all()
    for s in range(40):   # replay each update with the problem's own gradient at the version it read
        g = np.asarray(p.grad_i(tr.x[tr.read_version[s]], tr.samples[s]))
        np.testing.assert_allclose(tr.x[s + 1], tr.x[s] - eta * g, rtol=0, atol=1e-12)


def test_async_server_converges(client):
    p = least_squares(n=100, d=3, seed=6)
    x0 = np.ones(3)
    tr = async_parameter_server(p, 0.5 / p.extra["H_max"], 300, client, seed=0, x0=x0)
    gap = lambda x: p.value(x) - p.f_star  # noqa: E731
    assert gap(tr.x[-1]) < 0.05 * gap(x0)


def test_theorem_19_1_on_real_asynchronous_runs(client):
    p = logistic_regression(n=60, d=3, seed=7)               # lam = 0: per-sample G_max is known
    eta = 0.02
    runs = [async_parameter_server(p, eta, 60, client, seed=s, update="coordinate") for s in range(3)]
    measured, bound, tau = staleness_check(p, runs, eta)
    assert tau == max(r.max_staleness for r in runs)
    assert bound.shape == measured.shape
    assert (measured <= bound).all()
    with pytest.raises(ValueError, match="coordinate"):
        staleness_check(p, [async_parameter_server(p, eta, 5, client, seed=0)], eta)


# ------------------------------------------------------------------------------------ verify sweep
FAST = ("EC500-2.4", "EC500-5.8", "EC500-13.2", "EC500-6.1", "EC500-19.1/printed")


def test_sweep_gives_the_serial_verdicts_and_values(client):
    theorems = [get(t) for t in FAST]
    serial = verify(theorems, progress=False)
    distributed_checks = verify_on_cluster(theorems, client, progress=False)
    assert len(distributed_checks) == len(serial) == len(plan(theorems))
    for a, b in zip(serial, distributed_checks):
        assert a.theorem.id == b.theorem.id and a.holds == b.holds
        np.testing.assert_array_equal(a.measured, b.measured)
        np.testing.assert_array_equal(a.bound, b.bound)
