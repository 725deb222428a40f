"""Many seeds at once on a GPU: 10^5 seeds x 100 SGD steps on the d = 64 cosine sum, optlab's batched
run on CuPy against a hand-written vectorized CuPy loop and the same loop in NumPy, side by side.

Target (issue 12): optlab <= 2x the hand-written CuPy loop.

What each variant computes (SGD, eta = 1/H, Gaussian noise sigma = 1, x0 the family's start):
  optlab counter  ``run(SGD(lr), p, steps=T, seeds=range(S), x0=cupy x0, noise="gaussian", sigma=1,
                  stream="counter", every=T, grad_norm=False, keep_x=False)``: each seed's noise is
                  a hash of (seed, step, coordinate), computed for all seeds on the device (the
                  single run of seed s, on NumPy or CuPy, draws the same numbers);
  optlab host     the same with stream="host": seed s's noise from its own host generator
                  default_rng(s), drawn in blocks on the host and copied to the device;
  CuPy loop       the update written by hand, noise from cupy.random on the device (one stream);
  NumPy loop      the same loop on the host (one generator).
The target is read on "optlab counter". The bench checks on 16 seeds that the CuPy batch equals the
NumPy batch (both streams) to 1e-12.

Run: ``python bench/bench_batch_gpu.py`` (``--seeds``, ``--steps``, ``--d``). Without CuPy or a GPU it
says so and exits 0.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

from optlab.algorithms import SGD, run  # noqa: E402
from optlab.problems import BatchOracle, cosine_sum  # noqa: E402

TARGET = 2.0


def timed(fn, sync=lambda: None, repeats=3):
    best = math.inf
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
        cupy.zeros(1).sum()
    except Exception as err:                      # no CuPy, no driver, no device
        print(f"bench_batch_gpu: skipped, no usable CuPy GPU ({type(err).__name__}: {err})")
        return 0
    S, T, d = args.seeds, args.steps, args.d
    p = cosine_sum(d=d)
    lr, sigma = 1.0 / p.H, 1.0
    x0 = np.asarray(p.x0(0))
    Q_host = p.Q
    Q = cupy.asarray(Q_host)
    scale = sigma / math.sqrt(d)
    sync = cupy.cuda.Device().synchronize

    def cupy_loop():
        X = cupy.repeat(cupy.asarray(x0)[None], S, axis=0)
        for _ in range(T):
            G = -(cupy.sin(X @ Q.T) @ Q)
            X = X - lr * (G + scale * cupy.random.standard_normal((S, d)))
        return X

    def numpy_loop():
        rng = np.random.default_rng(0)
        X = np.repeat(x0[None], S, axis=0)
        for _ in range(T):
            G = -(np.sin(X @ Q_host.T) @ Q_host)
            X = X - lr * (G + scale * rng.standard_normal((S, d)))
        return X

    def optlab_run(stream, seeds=S):
        return run(SGD(lr=lr), p, steps=T, seeds=range(seeds), x0=cupy.asarray(x0), noise="gaussian",
                   sigma=sigma, stream=stream, every=T, grad_norm=False, keep_x=False, progress=False)

    def sampling_only():
        o = BatchOracle(p, seeds=range(S), noise="gaussian", sigma=sigma)
        for _ in range(T):
            cupy.asarray(o.sample())

    # correctness first: the device batch equals the host batch, seed by seed, for both streams
    agree = True
    for stream in ("counter", "host"):
        kw = dict(steps=T, seeds=range(16), noise="gaussian", sigma=sigma, stream=stream, progress=False)
        dev, host = run(SGD(lr=lr), p, x0=cupy.asarray(x0), **kw), run(SGD(lr=lr), p, x0=x0, **kw)
        agree &= bool(np.allclose(dev.x, host.x, rtol=1e-12, atol=1e-12))

    cupy_loop()                                   # warm-up: kernels compiled, memory pool filled
    optlab_run("counter", seeds=min(S, 1000))
    t = {"optlab counter": timed(lambda: optlab_run("counter"), sync, args.repeats),
         "CuPy loop": timed(cupy_loop, sync, args.repeats),
         "optlab host": timed(lambda: optlab_run("host"), sync, 1),
         "NumPy loop": timed(numpy_loop, repeats=1), "host sampling alone": timed(sampling_only, sync, 1)}
    print(f"{S} seeds x {T} SGD steps, cosine sum d = {d}, float64 (best of {args.repeats})")
    for name, v in t.items():
        print(f"  {name:<22}{v * 1e3:>10.1f} ms")
    ratio = t["optlab counter"] / t["CuPy loop"]
    print(f"optlab counter / CuPy loop: {ratio:.2f}x (target <= {TARGET:g}x): "
          f"{'PASS' if ratio <= TARGET else 'MISS'}")
    print(f"optlab host / CuPy loop: {t['optlab host'] / t['CuPy loop']:.2f}x (host sampling alone: "
          f"{t['host sampling alone'] * 1e3:.0f} ms); optlab counter / NumPy loop: "
          f"{t['optlab counter'] / t['NumPy loop']:.2f}x")
    print(f"device batch == host batch on 16 seeds, both streams (1e-12): {agree}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
