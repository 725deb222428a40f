"""CuPy iterates follow the NumPy trajectory (randomness is drawn on the host; no numpy-only calls on
iterates). Skipped where CuPy or a GPU is missing (marker ``gpu``)."""
import numpy as np
import pytest

from optlab.algorithms import (
    ANGD, GD, LAMB, SGD, AcceleratedGD, AdaGrad, Adam, CubicNewton, GradientAutoscale, HogwildSim,
    Momentum, NesterovMomentum, NormalizedSTORM, SGDMomentum, Transformed, run,
)
from optlab.backend import get_xp, to_numpy
from optlab.problems import Problem

pytestmark = pytest.mark.gpu


def _device_problem(d=40_000):
    """f(x) = sum a_i r_i^2 / 2 + sqrt(1 + r_i^2) - 1, r = x - c; gradient on the array's own device."""
    rng = np.random.default_rng(0)
    a, c = rng.uniform(0.5, 2.0, d), rng.standard_normal(d)
    cache = {}

    def consts(x):
        xp = get_xp(x)
        if xp not in cache:
            cache[xp] = (xp.asarray(a), xp.asarray(c))
        return cache[xp]

    def f(x):
        A, C = consts(x)
        r = x - C
        return float((0.5 * A * r * r + (1 + r * r) ** 0.5 - 1).sum())

    def grad(x):
        A, C = consts(x)
        r = x - C
        return A * r + r / (1 + r * r) ** 0.5

    def hvp(x, v):
        A, C = consts(x)
        r = x - C
        return (A + (1 + r * r) ** -1.5) * v

    return Problem(f, d=d, name="separable quartic", grad=grad, hvp=hvp)


METHODS = [GD(lr=0.1), SGD(lr=0.1), Momentum(lr=0.05, momentum=0.9, two_step=True),
           Momentum(lr=0.05, momentum=NesterovMomentum(), two_step=True), AcceleratedGD(lr=0.05),
           Adam(lr=0.01), Adam(lr=0.01, eps_mode="kingma"), AdaGrad(c=0.1), ANGD(lr=0.05, beta=0.5),
           NormalizedSTORM(lr=0.05, alpha=0.3), SGDMomentum(lr=0.1, alpha=0.5),
           LAMB(lr=0.01, blocks=(20_000, 20_000)), HogwildSim(lr=0.1, tau=3),
           HogwildSim(lr=0.1, tau=2, coordinate=True, coordinate_scale=1, delay="uniform"),
           Transformed(SGD(lr=0.1), GradientAutoscale(shapes=((200, 100), (20_000,))))]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: repr(m)[:40])
def test_cupy_follows_the_numpy_trajectory(method):
    import cupy

    p = _device_problem()
    x0 = np.random.default_rng(1).standard_normal(p.d)
    host = run(method, p, steps=30, x0=x0, seed=3, grad_norm=False)
    dev = run(method, p, steps=30, x0=cupy.asarray(x0), seed=3, grad_norm=False)
    assert isinstance(dev.state.x, cupy.ndarray)
    np.testing.assert_allclose(dev.x, host.x, rtol=1e-9, atol=1e-12)


def test_cubic_newton_on_cupy():
    import cupy

    p = _device_problem(d=30)
    x0 = np.random.default_rng(1).standard_normal(30)
    host = run(CubicNewton(J=6.0), p, steps=5, x0=x0)
    dev = run(CubicNewton(J=6.0), p, steps=5, x0=cupy.asarray(x0))
    np.testing.assert_allclose(to_numpy(dev.state.x), host.state.x, rtol=1e-9, atol=1e-12)


def test_counter_normals_kernel_equals_the_host_arithmetic():
    """The one-pass CUDA kernel hashes exactly as the NumPy code; Box-Muller differs at most in the
    last bits of the device's log and cos."""
    cupy = pytest.importorskip("cupy")
    import optlab.problems.streams as streams

    seeds = list(range(300)) + [2 ** 40 + 3]
    host = streams.counter_normals(np, seeds, t=7, n=33)
    dev = streams.counter_normals(cupy, seeds, t=7, n=33)
    np.testing.assert_allclose(to_numpy(dev), host, rtol=1e-14, atol=1e-15)


def test_batched_counter_stream_run_on_the_gpu_follows_the_host_batch():
    cupy = pytest.importorskip("cupy")
    from optlab.problems import cosine_sum

    p = cosine_sum(d=16)
    kw = dict(steps=40, seeds=range(64), noise="gaussian", sigma=1.0, stream="counter")
    x0 = np.asarray(p.x0(0))
    host, dev = run(SGD(lr=0.5), p, x0=x0, **kw), run(SGD(lr=0.5), p, x0=cupy.asarray(x0), **kw)
    np.testing.assert_allclose(dev.x, host.x, rtol=1e-10, atol=1e-12)
