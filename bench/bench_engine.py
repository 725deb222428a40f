"""Speed of the autodiff engine against a hand-written NumPy floor measured in the same run.

Each case times optlab and a hand-written NumPy computation of the same quantity (value and gradient,
or a Hessian-vector product), checks that the two agree, and prints the ratio of the medians next to
its target. The two are timed in alternation (engine, floor, engine, ...) so that a slow-down of the
shared machine affects both alike. Everything is float64; the environment (BLAS threads, ...) is left
as the caller set it.

Cases (targets from the engine's brief):
  (i)   logistic regression, n=1e5, d=100, value and gradient       <= 1.25 x NumPy
  (ii)  784-256-256-10 tanh MLP, softmax cross-entropy, batch 512   <= 1.2 x NumPy backprop
  (iii) Hessian-vector product of the logistic loss, n=1e4, d=100,
        reverse-over-reverse (optlab.hvp)                           <= 3 x X^T(s(1-s) * Xv)/n
  (iv)  graphs of scalar operations on Python floats (a chain and a scalar MLP, ~1e3 and ~1e4
        nodes), build plus backward                                 <= 5 microseconds per node
  (v)   what three design choices buy, as a ratio to the alternative (no target): releasing unread
        values under grad (optlab/autodiff/lean.py) on the MLP; the sigmoid and softplus formulas of
        optlab/autodiff/ops/elementwise.py against np.where branches and np.logaddexp

Run: ``.venv/bin/python bench/bench_engine.py`` (or ``make bench`` for every bench_*.py). Each case
runs in its own interpreter. The exit status is 0 when every case ran (a MISS is reported, not
raised) and 1 if one failed or optlab disagreed with its floor.
"""
from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, uninstalled

import optlab  # noqa: E402
import optlab.numpy as onp  # noqa: E402
from optlab.autodiff import reverse_topological_order  # noqa: E402


def _best_loop(fn, min_time=0.05):
    """How many calls of ``fn`` make one timing sample of at least ``min_time`` seconds."""
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    return max(1, int(min_time / max(once, 1e-9)))


def paired_medians(engine, floor, repeats=11, warmup=0.3):
    """Median seconds per call of ``engine`` and of ``floor``, sampled alternately.

    Both run for ``warmup`` seconds first: the first calls after another case pay for growing the
    heap again (page faults), which says nothing about the steady state of a training loop.
    """
    n_engine, n_floor = _best_loop(engine), _best_loop(floor)
    end = time.perf_counter() + warmup
    while time.perf_counter() < end:
        engine()
        floor()
    samples_e, samples_f = [], []
    for _ in range(repeats):
        for fn, n, out in ((engine, n_engine, samples_e), (floor, n_floor, samples_f)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            out.append((time.perf_counter() - start) / n)
    return statistics.median(samples_e), statistics.median(samples_f)


def _agree(name, got, want, rtol=1e-8):
    for g, w in zip(got, want):
        if not np.allclose(np.asarray(g), np.asarray(w), rtol=rtol, atol=1e-12):
            raise AssertionError(f"{name}: optlab and the NumPy floor disagree")


# ---- (i) logistic regression ------------------------------------------------------------------------

def logistic_data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) / math.sqrt(d)
    y = np.where(rng.standard_normal(n) > 0, 1.0, -1.0)
    w = rng.standard_normal(d)
    return X, y, w


def case_logistic(n=100_000, d=100):
    X, y, w = logistic_data(n, d)

    def loss(w):
        return onp.mean(onp.softplus(-y * (X @ w)))

    engine = optlab.value_and_grad(loss)

    def floor():
        m = -y * (X @ w)
        value = np.mean(np.logaddexp(0.0, m))
        return value, X.T @ (-y / (1.0 + np.exp(-m))) / n

    _agree("logistic", engine(w), floor())
    return paired_medians(lambda: engine(w), floor)


# ---- (ii) tanh MLP with softmax cross-entropy ---------------------------------------------------------

def mlp_data(batch=512, sizes=(784, 256, 256, 10), seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params += [rng.standard_normal((fan_in, fan_out)) / math.sqrt(fan_in), 0.1 * rng.standard_normal(fan_out)]
    X = rng.standard_normal((batch, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]
    return params, X, Y


def case_mlp():
    params, X, Y = mlp_data()
    B = X.shape[0]

    def loss(W1, b1, W2, b2, W3, b3):
        h1 = onp.tanh(X @ W1 + b1)
        h2 = onp.tanh(h1 @ W2 + b2)
        return -onp.mean(onp.sum(Y * onp.log_softmax(h2 @ W3 + b3, axis=1), axis=1))

    engine = optlab.value_and_grad(loss, argnums=tuple(range(6)))

    def floor():
        W1, b1, W2, b2, W3, b3 = params
        h1 = np.tanh(X @ W1 + b1)
        h2 = np.tanh(h1 @ W2 + b2)
        z = h2 @ W3 + b3
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        value = -np.mean(np.sum(Y * (z - np.log(s)), axis=1))
        dz = (e / s - Y) / B
        dh2 = (dz @ W3.T) * (1.0 - h2 * h2)
        dh1 = (dh2 @ W2.T) * (1.0 - h1 * h1)
        return value, (X.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ dz, dz.sum(0))

    got, want = engine(*params), floor()
    _agree("mlp", [got[0], *got[1]], [want[0], *want[1]])
    return paired_medians(lambda: engine(*params), floor)


# ---- (iii) Hessian-vector product ---------------------------------------------------------------------

def case_hvp(n=10_000, d=100):
    X, y, w = logistic_data(n, d, seed=1)
    v = np.random.default_rng(2).standard_normal(d)

    def loss(w):
        return onp.mean(onp.softplus(-y * (X @ w)))

    engine = optlab.hvp(loss)

    def floor():
        s = 1.0 / (1.0 + np.exp(-y * (X @ w)))
        return X.T @ (s * (1.0 - s) * (X @ v)) / n

    _agree("hvp", [engine(w, v)], [floor()])
    return paired_medians(lambda: engine(w, v), floor)


# ---- (iv) scalar graphs on Python floats --------------------------------------------------------------

def scalar_chain(n_steps):
    """f(x) = x_n with x_{k+1} = sin(x_k) * 0.5 + x_k * 0.25 (4 nodes per step)."""
    def f(x):
        for _ in range(n_steps):
            x = onp.sin(x) * 0.5 + x * 0.25
        return x

    return f, (0.3,)


def scalar_mlp(n_samples, width=8, seed=0):
    """Mean squared error of a 2-width-width-1 tanh MLP whose weights are separate Python floats."""
    rng = np.random.default_rng(seed)
    shapes = [(2, width), (width, width), (width, 1)]
    weights = [float(v) for a, b in shapes for v in rng.standard_normal(a * b + b) / math.sqrt(a)]
    data = [(float(a), float(b), float(a * b)) for a, b in rng.standard_normal((n_samples, 2))]

    def f(*w):
        total = 0.0
        for x0, x1, target in data:
            h, k = [x0, x1], 0
            for layer, (fan_in, fan_out) in enumerate(shapes):
                out = []
                for j in range(fan_out):
                    s = w[k + fan_in * fan_out + j]  # the bias
                    for i in range(fan_in):
                        s = s + w[k + i * fan_out + j] * h[i]
                    out.append(onp.tanh(s) if layer < len(shapes) - 1 else s)
                k += fan_in * fan_out + fan_out
                h = out
            total = total + (h[0] - target) ** 2
        return total / len(data)

    return f, tuple(weights)


def count_nodes(f, args):
    leaves = [optlab.Variable(a) for a in args]
    return len(reverse_topological_order(f(*leaves)))


def case_scalar(make, size, repeats=7):
    f, args = make(size)
    run = optlab.value_and_grad(f, argnums=tuple(range(len(args))))
    nodes = count_nodes(f, args)
    n = _best_loop(lambda: run(*args), min_time=0.2)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            run(*args)
        samples.append((time.perf_counter() - start) / n)
    return statistics.median(samples) / nodes * 1e6, nodes


# ---- (v) measurements behind design choices (no target: they say what a choice buys) -----------------

def case_lean():
    """The MLP's value and gradient with lean.py releasing unread values, against the same with
    nothing released (the size threshold set out of reach)."""
    from optlab.autodiff import lean

    params, X, Y = mlp_data()

    def loss(W1, b1, W2, b2, W3, b3):
        h1 = onp.tanh(X @ W1 + b1)
        h2 = onp.tanh(h1 @ W2 + b2)
        return -onp.mean(onp.sum(Y * onp.log_softmax(h2 @ W3 + b3, axis=1), axis=1))

    run = optlab.value_and_grad(loss, argnums=tuple(range(6)))
    default = lean.RELEASE_MIN_BYTES

    def kept():
        lean.RELEASE_MIN_BYTES = 1 << 62
        try:
            return run(*params)
        finally:
            lean.RELEASE_MIN_BYTES = default

    _agree("lean", [run(*params)[0], *run(*params)[1]], [kept()[0], *kept()[1]], rtol=0)
    return paired_medians(lambda: run(*params), kept)


def case_sigmoid_formula(n=1_000_000):
    """sigmoid as exp(min(x, 0)) / (1 + exp(-|x|)) (ops/elementwise.py) against np.where over the two
    overflow-free branches."""
    from optlab.autodiff.ops.elementwise import _sigmoid

    x = np.random.default_rng(0).standard_normal(n) * 10

    def branches():
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    _agree("sigmoid", [_sigmoid(x)], [branches()], rtol=1e-14)
    return paired_medians(lambda: _sigmoid(x), branches)


def case_softplus_formula(n=1_000_000):
    """softplus as max(x, 0) + log1p(exp(-|x|)) (ops/elementwise.py) against np.logaddexp(0, x)."""
    from optlab.autodiff.ops.elementwise import _softplus

    x = np.random.default_rng(0).standard_normal(n) * 10
    _agree("softplus", [_softplus(x)], [np.logaddexp(0.0, x)], rtol=1e-14)
    return paired_medians(lambda: _softplus(x), lambda: np.logaddexp(0.0, x))


# name, function, target; (iv) cases report microseconds per node instead of a ratio; (v) cases have
# no target (None) and report the ratio of optlab's choice to the alternative.
CASES = {
    "logistic": ("(i) logistic n=1e5 d=100 value+grad", case_logistic, 1.25),
    "mlp": ("(ii) MLP 784-256-256-10 b=512 value+grad", case_mlp, 1.2),
    "hvp": ("(iii) logistic hvp n=1e4 d=100", case_hvp, 3.0),
    "chain-1e3": ("(iv) chain", lambda: case_scalar(scalar_chain, 250), 5.0),
    "chain-1e4": ("(iv) chain", lambda: case_scalar(scalar_chain, 2500), 5.0),
    "mlp-1e3": ("(iv) scalar MLP", lambda: case_scalar(scalar_mlp, 5), 5.0),
    "mlp-1e4": ("(iv) scalar MLP", lambda: case_scalar(scalar_mlp, 50), 5.0),
    "lean": ("(v) MLP value+grad, released (lean.py) / kept", case_lean, None),
    "sigmoid": ("(v) sigmoid formula / np.where branches, n=1e6", case_sigmoid_formula, None),
    "softplus": ("(v) softplus formula / np.logaddexp, n=1e6", case_softplus_formula, None),
}


def run_case(key):
    """One row of the table. Raises AssertionError if optlab and the floor disagree."""
    name, case, target = CASES[key]
    if name.startswith("(iv)"):
        us, nodes = case()
        return (f"{name}, {nodes} nodes, build+backward", f"{us:.2f} us/node", "", "",
                f"<= {target:g} us/node", "PASS" if us <= target else "MISS")
    t_engine, t_floor = case()
    ratio = t_engine / t_floor
    if target is None:
        return (name, f"{t_engine * 1e3:.2f} ms", f"{t_floor * 1e3:.2f} ms", f"{ratio:.2f}x", "", "info")
    return (name, f"{t_engine * 1e3:.2f} ms", f"{t_floor * 1e3:.2f} ms", f"{ratio:.2f}x",
            f"<= {target:g}x", "PASS" if ratio <= target else "MISS")


def main(argv):
    """Run every case, each in a fresh interpreter, and print the table.

    A fresh process per case (as pyperf does) keeps one case's heap from skewing the next: after the
    80 MB logistic case, the MLP's large temporaries page-fault differently, which moved its ratio by
    up to 15% in either direction. ``--case KEY`` runs one case in this process and prints its row;
    ``KEY KEY ...`` runs only those cases.
    """
    if argv[:1] == ["--case"]:
        print(json.dumps(run_case(argv[1])))
        return 0
    only = set(argv)  # case keys to run; all if none given
    rows, wrong = [], False
    for key in CASES:
        if only and key not in only:
            continue
        proc = subprocess.run([sys.executable, __file__, "--case", key], capture_output=True, text=True)
        if proc.returncode != 0:
            wrong = True
            last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            rows.append((CASES[key][0], "ERROR", "", "", "", last))
            continue
        rows.append(tuple(json.loads(proc.stdout.strip().splitlines()[-1])))
    header = ("case", "optlab", "numpy floor", "ratio", "target", "result")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths)] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
