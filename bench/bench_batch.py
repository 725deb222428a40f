"""Many seeds at once on the CPU: optlab's batched runs and Monte Carlo checks against hand-written
vectorized NumPy loops, timed side by side in this run (issue 12).

Cases (S = 1000 seeds, T = 100 steps):
  (i)   the Monte Carlo check of EC500-6.1 (SGD, cosine sum d = 4, sphere noise sigma = 1):
        ``check(THM_6_1, Instance(..., seeds=1000))`` against the same check written by hand as one
        vectorized loop over a (1000, 4) array. Target: at most 3x.
  (ii)  batched runs of Adam and AdaGrad-norm (cosine sum, sphere noise) and SVRG (least squares
        n = 100, d = 10, index sampling): ``run(method, p, steps=T, seeds=range(S), every=T,
        grad_norm=False, keep_x=False)`` (recording what the hand loop keeps: the last iterate) against
        the update written by hand. Target: at most 3x. The "full trace" column is the default run,
        which also records f(x_t), ||grad f(x_t)|| and x_t of every seed at every step.

Two floors per case. "one stream" is the loop as one would type it: a single generator draws the
noise of all seeds. "per-seed streams" computes the same runs as optlab (seed s's noise from
``default_rng(s)``, which is what makes seed s of a batch equal the single run of seed s), still
vectorized over the seeds: it adds the cost of S generators. The check (i) records ||grad f(x_t)|| of
every seed at every step, as its measure needs; so does the hand loop.

Run: ``python bench/bench_batch.py`` (``--seeds 1000 --steps 100``; ``--loop`` also times today's
seed-by-seed loop on 50 seeds). Exit status 0 when every case ran and the hand loops agree with
optlab (a MISS is reported, not raised).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

# One BLAS thread: on a small shared machine OpenBLAS's threads thrash (a (1000, 10) @ (10, 100) product
# measured 64 ms with its default threads under load, 0.09 ms with one); every variant runs alike.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

from optlab.algorithms import SVRG, AdaGradNorm, Adam, run  # noqa: E402
from optlab.algorithms.run import Trace  # noqa: E402,F401
from optlab.problems import cosine_sum, least_squares  # noqa: E402
from optlab.problems.streams import generators  # noqa: E402
from optlab.theory import get  # noqa: E402
from optlab.theory.theorem import ALPHA, Instance, check  # noqa: E402

TARGET = 3.0


def LEAN(T):
    """run()'s records reduced to what a hand loop keeps: the start and the last iterate's loss."""
    return dict(every=T, grad_norm=False, keep_x=False, progress=False)


def best_of(fns, repeats=5):
    """Min seconds per variant, the variants timed in alternation (so load hits them alike)."""
    best = {k: math.inf for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


# ------------------------------------------------------------------------------ noise, as the oracle's
def sphere_noise(S, T, d, sigma, per_seed):
    """An iterator over T noise draws (S, d), uniform on the sphere of radius sigma: from one generator,
    or (per_seed) each seed's own stream, drawn as blocks of T."""
    if per_seed:
        Z = np.empty((S, T, d))
        for r, z in zip(generators(range(S)), Z):
            r.standard_normal(out=z)
        Z = Z.swapaxes(0, 1)
    else:
        Z = None
        rng = np.random.default_rng(0)
    for t in range(T):
        z = Z[t] if per_seed else rng.standard_normal((S, d))
        yield z * (sigma / np.sqrt(np.einsum("ij,ij->i", z, z)))[:, None]


def cosine_grad(Q):
    """grad of sum_i cos((Q w)_i) (a = b = 1) for a batch of rows W (S, d)."""
    return lambda W: -(np.sin(W @ Q.T) @ Q)


# ------------------------------------------------------------------------------ (i) the Monte Carlo check
def case_check(S, T):
    thm = get("EC500-6.1")
    inst0 = thm.default(0)
    inst = Instance(inst0.problem, inst0.x0, T=T, hyper=inst0.hyper, oracle=inst0.oracle, seeds=S)
    p, lr, sigma = inst.problem, inst.hyper["lr"], inst.oracle["sigma"]
    grad, d = cosine_grad(p.Q), p.d
    bound = np.asarray(thm.bound(inst))
    z = __import__("scipy.stats", fromlist=["norm"]).norm.isf(ALPHA / T)

    def by_hand(per_seed):
        X = np.repeat(np.asarray(inst.x0, dtype=float)[None], S, axis=0)
        sq = np.empty((T, S))
        for t, xi in enumerate(sphere_noise(S, T, d, sigma, per_seed)):
            G = grad(X)
            sq[t] = np.einsum("ij,ij->i", G, G)                    # ||grad L(w_t)||^2 per seed
            X = X - lr * (G + xi)
        cum = np.cumsum(sq, axis=0)
        mean, se = cum.mean(axis=1), cum.std(axis=1, ddof=1) / math.sqrt(S)
        return bool(np.all(mean - z * se <= bound)), mean

    result = {}
    fns = {"optlab": lambda: result.__setitem__("c", check(thm, inst)),
           "one stream": lambda: by_hand(False), "per-seed streams": lambda: result.__setitem__(
               "hand", by_hand(True))}
    t = best_of(fns)
    holds, mean = result["hand"]
    agree = result["c"].holds == holds and np.allclose(result["c"].measured, mean, rtol=1e-9)
    return t, agree


# ------------------------------------------------------------------------------ (ii) batched runs
def case_adam(S, T):
    p = cosine_sum(d=4)
    grad, d, sigma, lr, b1, b2, eps = cosine_grad(p.Q), 4, 1.0, 0.05, 0.9, 0.999, 1e-8
    x0 = np.asarray(p.x0(0))
    out = {}

    def by_hand(per_seed):
        X = np.repeat(x0[None], S, axis=0)
        m, v = np.zeros_like(X), np.full_like(X, eps ** 2)
        for t, xi in enumerate(sphere_noise(S, T, d, sigma, per_seed), start=1):
            g = grad(X) + xi
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * (g * g)
            X = X - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t))
        return X

    fns = {"optlab": lambda: out.__setitem__("run", run(Adam(lr=lr), p, steps=T, seeds=range(S),
                                                           noise="sphere", sigma=sigma, **LEAN(T))),
           "full trace": lambda: run(Adam(lr=lr), p, steps=T, seeds=range(S), noise="sphere", sigma=sigma),
           "one stream": lambda: by_hand(False),
           "per-seed streams": lambda: out.__setitem__("hand", by_hand(True))}
    t = best_of(fns)
    return t, np.allclose(out["run"].state.x, out["hand"], rtol=1e-9, atol=1e-12)


def case_adagrad_norm(S, T):
    p = cosine_sum(d=4)
    grad, d, sigma, c, eps = cosine_grad(p.Q), 4, 1.0, 0.5, 1e-4
    x0 = np.asarray(p.x0(0))
    out = {}

    def by_hand(per_seed):
        X = np.repeat(x0[None], S, axis=0)
        acc = np.zeros((S, 1))
        for xi in sphere_noise(S, T, d, sigma, per_seed):
            g = grad(X) + xi
            acc = acc + np.einsum("ij,ij->i", g, g)[:, None]          # per-seed sum of ||g||^2
            X = X - (c / np.sqrt(eps ** 2 + acc)) * g
        return X

    fns = {"optlab": lambda: out.__setitem__("run", run(AdaGradNorm(c=c, eps=eps), p, steps=T,
                                                           seeds=range(S), noise="sphere", sigma=sigma,
                                                           **LEAN(T))),
           "full trace": lambda: run(AdaGradNorm(c=c, eps=eps), p, steps=T, seeds=range(S), noise="sphere",
                                     sigma=sigma),
           "one stream": lambda: by_hand(False),
           "per-seed streams": lambda: out.__setitem__("hand", by_hand(True))}
    t = best_of(fns)
    return t, np.allclose(out["run"].state.x, out["hand"], rtol=1e-9, atol=1e-12)


def case_svrg(S, T):
    p = least_squares(n=100, d=10, seed=0)
    X_, y_, n, lr, N = p.X, p.y, p.n, 0.05, 25
    x0 = np.asarray(p.x0(0))
    out = {}

    def full(W):
        return (W @ X_.T - y_) @ X_ / n

    def by_hand(per_seed):
        if per_seed:
            I = np.stack([r.integers(0, n, (T, 1)) for r in generators(range(S))])[:, :, 0].T
        else:
            I = np.random.default_rng(0).integers(0, n, (T, S))
        W = np.repeat(x0[None], S, axis=0)
        V, gV, acc = W.copy(), full(W), np.zeros_like(W)
        for t in range(1, T + 1):
            Xi = X_[I[t - 1]]                                           # each seed's sample (S, d)
            g = Xi * (np.einsum("ij,ij->i", Xi, W) - np.einsum("ij,ij->i", Xi, V))[:, None] + gV
            acc += W
            W = W - lr * g
            if t % N == 0:
                V, acc = acc / N, np.zeros_like(W)
                gV = full(V)
        return W

    fns = {"optlab": lambda: out.__setitem__("run", run(SVRG(lr=lr, epoch=N), p, steps=T, seeds=range(S),
                                                           **LEAN(T))),
           "full trace": lambda: run(SVRG(lr=lr, epoch=N), p, steps=T, seeds=range(S)),
           "one stream": lambda: by_hand(False),
           "per-seed streams": lambda: out.__setitem__("hand", by_hand(True))}
    t = best_of(fns)
    return t, np.allclose(out["run"].state.x, out["hand"], rtol=1e-9, atol=1e-12)


def seed_loop_check(T, S=50):
    """Today's cost model: the same check with its seeds run one by one (run(seed=s) per seed)."""
    thm = get("EC500-6.1")
    inst0 = thm.default(0)
    inst = Instance(inst0.problem, inst0.x0, T=T, hyper=inst0.hyper, oracle=inst0.oracle, seeds=S)
    t0 = time.perf_counter()
    for s in range(S):
        run(thm.method(inst), inst.problem, steps=T, x0=inst.x0, seed=s, progress=False, **inst.oracle)
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--loop", action="store_true", help="also time the seed-by-seed loop (50 seeds)")
    args = ap.parse_args(argv)
    S, T = args.seeds, args.steps
    print(f"S = {S} seeds, T = {T} steps; best of 5, variants in alternation; target <= {TARGET:g}x\n")
    print(f"{'case':<26}{'optlab':>10}{'one stream':>12}{'per-seed':>10}{'ratio':>8}{'ratio':>8}"
          f"{'full trace':>12}  target")
    print(f"{'':<26}{'':>10}{'(floor A)':>12}{'(floor B)':>10}{'to A':>8}{'to B':>8}{'(to A)':>12}")
    ok = True
    for name, case in (("MC check EC500-6.1", case_check), ("batched Adam", case_adam),
                       ("batched AdaGrad-norm", case_adagrad_norm), ("batched SVRG", case_svrg)):
        t, agree = case(S, T)
        ra, rb = t["optlab"] / t["one stream"], t["optlab"] / t["per-seed streams"]
        verdict = "PASS" if ra <= TARGET else ("MISS (PASS to B)" if rb <= TARGET else "MISS")
        full = f"{t['full trace'] / t['one stream']:>11.2f}x" if "full trace" in t else f"{'-':>12}"
        print(f"{name:<26}{t['optlab'] * 1e3:>8.1f}ms{t['one stream'] * 1e3:>10.1f}ms"
              f"{t['per-seed streams'] * 1e3:>8.1f}ms{ra:>7.2f}x{rb:>7.2f}x{full}  {verdict}"
              + ("" if agree else "  DISAGREES with the hand loop"))
        ok &= agree
    if args.loop:
        t_loop = seed_loop_check(T)
        t_batch = best_of({"b": lambda: case_check(50, T)}, repeats=1)["b"]
        print(f"\nseed-by-seed loop, 50 seeds: {t_loop * 1e3:.0f} ms ({t_loop / 50 * S:.2f} s for {S} seeds)")
        del t_batch
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
