"""A tour of the autodiff engine that prints real, checked numbers (run by ``optlab demo``).

Every line compares the engine with an independent source: a closed form from the notes, finite
differences, or a second way of computing the same derivative.
"""
from __future__ import annotations

import time

import numpy

from . import numpy as onp
from .autodiff import check_grad, grad, hessian, hvp, jacobian
from .autodiff.notes import MultiplyOperation, PlusConstantOperation, backward_paths
from .autodiff.graph import Variable


def _row(name, engine, reference):
    err = float(numpy.max(numpy.abs(numpy.asarray(engine) - numpy.asarray(reference))))
    verdict = "ok" if err < 1e-6 else "MISMATCH"
    return f"  {name:<52} engine={numpy.round(numpy.asarray(engine), 6).tolist()!s:<30} "\
           f"reference={numpy.round(numpy.asarray(reference), 6).tolist()!s:<30} {verdict}", err < 1e-6


def engine_demo(seed=0, out=print):
    """Print the notes' worked examples and gradient checks; return True if all agree."""
    rng = numpy.random.default_rng(seed)
    rows = []
    out("optlab autodiff engine: worked examples of EC500 section 4 and gradient checks\n")

    x = Variable(value=2.0, name="x")  # x^2 + x as x * (x + 1), through the notes' own objects
    z = MultiplyOperation().forward(x, PlusConstantOperation(constant=1).forward(x))
    backward_paths(z)
    rows.append(_row("d/dx (x^2 + x) at x=2, Algorithms 4-5 (2x+1)", x.derivative, 5.0))
    rows.append(_row("same, reverse topological order", grad(lambda t: t * (t + 1))(2.0), 5.0))

    x0 = rng.standard_normal(2)
    f = lambda v: onp.stack([v[1], 1 + v[0]])                                   # noqa: E731
    g = lambda w: onp.stack([w[0] * w[1], w[0], w[1]])                          # noqa: E731
    closed = [[x0[1], x0[0] + 1], [0, 1], [1, 0]]
    rows.append(_row("Jacobian of g(f(x)) (notes' chain-rule example)", jacobian(lambda v: g(f(v)))(x0), closed))

    p = lambda t: (t ** 2) * (3 * t)  # f(g(x), h(x)) = 3x^3 (the notes print 3x^4, a misprint)  # noqa: E731
    rows.append(_row("p'(x) for p = f(x^2, 3x) = 3x^3 at x=1.5 (9x^2)", grad(p)(1.5), 9 * 1.5 ** 2))

    X = rng.standard_normal((200, 5))
    y = numpy.sign(rng.standard_normal(200))
    w = rng.standard_normal(5)
    loss = lambda v: onp.mean(onp.softplus(-y * (X @ v)))                       # noqa: E731
    s = 1 / (1 + numpy.exp(y * (X @ w)))
    rows.append(_row("logistic gradient vs X^T(-y s)/n by hand", grad(loss)(w), X.T @ (-y * s) / 200))
    v = rng.standard_normal(5)
    rows.append(_row("Hessian-vector product vs hessian(f) @ v", hvp(loss)(w, v), hessian(loss)(w) @ v))
    err = check_grad(lambda t: onp.sum(onp.tanh(t) * onp.log1p(t ** 2)), rng.standard_normal(6))
    rows.append(_row("check_grad: finite-difference rel. error (~0)", min(err, 1.0), 0.0))

    for line, _ in rows:
        out(line)
    t0 = time.perf_counter()
    for _ in range(20):
        loss(w)
    forward = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(20):
        grad(loss)(w)
    backward = time.perf_counter() - t0
    out(f"\n  cheap-gradient principle: gradient / forward time = {backward / forward:.2f} "
        "(reverse mode costs a small constant times the forward pass)")
    ok = all(good for _, good in rows)
    out(f"\n{sum(good for _, good in rows)} of {len(rows)} checks agree" + ("" if ok else " -- FAILURES above"))
    return ok
