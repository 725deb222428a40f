"""GPU benchmarks (CuPy): optlab against the memory-bandwidth floor measured in the same run.

The floor of a workload is the bytes it must move divided by the measured device-to-device copy
bandwidth (bytes read plus written). Targets (issue 6, performance-anchors.md):

* logistic-regression value and gradient through the engine, n = 2^22, d = 64, float32 and float64:
  at most 1.3x the floor of two reads of X (hand-written CuPy: 1.58x / 1.16x);
* Adam, AdaGrad, SGD with momentum and normalized SGD steps on d = 2^26 float32: at most 1.2x the
  floor of the streams each update must read and write (plain CuPy expressions: 6.7x for Adam).

Run on a machine with CuPy and an NVIDIA GPU: ``python bench/bench_gpu.py``. Skips itself otherwise.
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled


def _timer(cupy, fn, repeats=20, warmup=3):
    for _ in range(warmup):
        fn()
    cupy.cuda.Device().synchronize()
    times = []
    for _ in range(repeats):
        start, end = cupy.cuda.Event(), cupy.cuda.Event()
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(cupy.cuda.get_elapsed_time(start, end) / 1e3)
    return statistics.median(times)


def copy_bandwidth(cupy, nbytes=1 << 30):
    a = cupy.ones(nbytes // 4, dtype=cupy.float32)
    b = cupy.empty_like(a)
    t = _timer(cupy, lambda: cupy.copyto(b, a))
    return 2 * nbytes / t


class _FixedGradient:
    """An oracle that returns one precomputed gradient: the benchmark times the update alone."""

    def __init__(self, g):
        self.g = g
        self.problem = None

    def sample(self):
        return None

    def stoch_grad(self, x, xi):
        return self.g


def main():
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # no CuPy or no GPU
        print(f"bench_gpu: skipped ({type(err).__name__}: {err})")
        return 0
    import optlab
    import optlab.numpy as onp
    from optlab.algorithms import SGDMomentum, AdaGrad, Adam, NormalizedSGDMomentum
    from optlab.algorithms.base import stepper

    bw = copy_bandwidth(cupy)
    print(f"device-to-device copy bandwidth: {bw / 1e12:.2f} TB/s (bytes read + written)\n")
    rows = []

    n, d = 1 << 22, 64
    for dtype in (cupy.float32, cupy.float64):
        rng = cupy.random.default_rng(0)
        X = rng.standard_normal((n, d), dtype=dtype)
        y = cupy.sign(rng.standard_normal(n, dtype=dtype))
        w = (rng.standard_normal(d, dtype=dtype) / 8).astype(dtype)
        vg = optlab.value_and_grad(lambda v: onp.mean(onp.softplus(-y * (X @ v))))

        def by_hand():
            z = -y * (X @ w)
            loss = cupy.logaddexp(0, z).mean()
            s = 1 / (1 + cupy.exp(-z))
            return loss, X.T @ (-y * s) / n

        ref = by_hand()[1]
        err = float(cupy.abs(vg(w)[1] - ref).max() / cupy.abs(ref).max())
        print(f"{cupy.dtype(dtype).name}: engine gradient vs hand-written, max relative difference {err:.1e}")
        floor = 2 * X.nbytes / bw
        for name, fn, target in (("engine", lambda: vg(w), 1.3), ("hand-written CuPy", by_hand, None)):
            t = _timer(cupy, fn)
            rows.append((f"logistic value+grad {name}, {cupy.dtype(dtype).name}", t, floor, target))
        # where the time goes: each product alone against one read of X
        from optlab import fused_linalg as fl

        for name, fn in (("X @ w kernel", lambda: fl.matvec(X, w)), ("X @ w cuBLAS", lambda: X @ w),
                         ("X.T @ g kernel", lambda: fl.rmatvec(X, y)), ("X.T @ g cuBLAS", lambda: X.T @ y)):
            rows.append((f"  {name}, {cupy.dtype(dtype).name}", _timer(cupy, fn), X.nbytes / bw, None))

    D = 1 << 26
    g = cupy.random.default_rng(1).standard_normal(D, dtype=cupy.float32)
    x0 = cupy.random.default_rng(2).standard_normal(D, dtype=cupy.float32)
    oracle = _FixedGradient(g)
    for name, method, streams, target in (
        ("Adam step", Adam(lr=1e-3), 7, 1.2),                          # read x g m v, write x m v
        ("AdaGrad step", AdaGrad(c=0.1), 5, 1.2),                      # read x g s, write x s
        ("SGD momentum step", SGDMomentum(lr=0.1, alpha=0.1), 5, 1.2),  # read x g m, write x m
        # read x g m, write x m, plus one read of m for its norm before x can move
        ("normalized SGD step", NormalizedSGDMomentum(lr=0.1, alpha=0.1), 6, 1.2),
    ):
        state = [method.init(x0.copy(), oracle)]
        step = stepper(method, x0)                # on CuPy: the fused-kernel fast path (step_inplace)
        state[0] = step(state[0], oracle)         # past t = 1, where some methods take a shortcut

        def one_step(step=step, state=state):
            state[0] = step(state[0], oracle)

        t = _timer(cupy, one_step)
        rows.append((f"{name}, d=2^26 float32", t, streams * 4 * D / bw, target))

    print(f"{'case':<44} {'time':>10} {'floor':>10} {'ratio':>7}  target")
    ok = True
    for name, t, floor, target in rows:
        ratio = t / floor
        verdict = "" if target is None else ("PASS" if ratio <= target else "MISS")
        ok &= verdict != "MISS"
        print(f"{name:<44} {t * 1e3:8.3f}ms {floor * 1e3:8.3f}ms {ratio:6.2f}x  "
              f"{'' if target is None else f'<= {target}x {verdict}'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
