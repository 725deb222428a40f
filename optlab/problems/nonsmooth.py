"""G-Lipschitz non-smooth convex losses, for the convex Lipschitz theorems (GD / SGD with D, G).

* ``norm_loss(d, G)``: f(x) = G ||x - x*||, convex, G-Lipschitz (attained everywhere but x*), f* = 0.
  The worst case for subgradient descent: with x_1 = x* + D e and lr D/(G sqrt(T)) the averaged bound
  G D / sqrt(T) is met up to a ratio -> 1 (seed-notes part 1 §7.4).
* ``absolute_loss(n, d)``: f(x) = (1/n) sum_i |x_i^T w - y_i| (least absolute deviations), convex,
  G = (1/n) sum ||x_i|| (attained for d = 1, where every subgradient is a signed mean of |x_i|).
  With ``noise=0`` (the default) y = X w_true, so w* = w_true and f* = 0 (unique when rank X = d).

The (sub)gradient at a kink is the minimum-norm choice (0 at x* for the norm, sign(0) = 0 per term).

Source: EC500 notes (seed 003) Def 2.2, Prop 2.3 and Theorem 2.4 (GD on convex Lipschitz losses), and
seed-notes part 1 §7.1 (the norm is the tight instance).

Example:
    >>> import numpy as np
    >>> p = norm_loss(d=3, G=2.0, seed=0)
    >>> float(np.linalg.norm(p.grad(p.x_star + np.array([1.0, 0.0, 0.0]))))
    2.0
    >>> q = absolute_loss(n=30, d=2, seed=0)
    >>> q.f_star
    0.0
"""
from __future__ import annotations

import numpy

import optlab.numpy as onp

from ._linalg import margins, pullback
from .base import Problem, check_int, check_nonnegative, check_positive
from .declared import DataFitProblem
from .device_data import DeviceData


def norm_loss(d, G=1.0, seed=0, x_star=None):
    """G ||x - x*||, with x* ~ N(0, I) from ``seed`` unless given."""
    d = check_int("d", d)
    G = check_positive("G", G)
    xs = numpy.random.default_rng(seed).standard_normal(d) if x_star is None else \
        numpy.asarray(x_star, dtype=float)

    data = DeviceData(xs)

    def f(x):
        r = x - data(x)[1]
        return G * onp.sqrt(onp.sum(r * r, axis=-1))

    def grad(x):
        xp, xs_ = data(x)
        r = x - xs_
        nr = xp.sqrt(xp.sum(r * r, axis=-1, keepdims=True))       # per seed for a batch (S, d)
        return G * r / xp.where(nr > 0, nr, 1.0)                   # the minimum-norm subgradient 0 at x*

    def hvp(x, v):
        xp, xs_ = data(x)
        r = x - xs_
        nr = xp.sqrt(xp.sum(r * r, axis=-1, keepdims=True))
        u = r / xp.where(nr > 0, nr, 1.0)
        out = G * (v - u * xp.sum(u * v, axis=-1, keepdims=True)) / xp.where(nr > 0, nr, 1.0)
        return xp.where(nr > 0, out, numpy.nan)                    # undefined at the kink x = x*

    return Problem(f, d, f"norm loss (G={G:g})", grad=grad, hvp=hvp, G=G, x_star=xs, f_star=0.0,
                   assumptions={"convex", "lipschitz"}, x0=numpy.zeros(d),
                   source="seed 003 Theorem 2.4; seed-notes part 1 §7.1 (worst case)",
                   notes="non-smooth at x*: the gradient there is the minimum-norm subgradient 0",
                   batched=True)


def absolute_loss(n, d, seed=0, noise=0.0):
    """(1/n) sum |x_i^T w - y_i| with x_i ~ N(0, I), y = X w_true + noise * N(0, 1)."""
    n = check_int("n", n)
    d = check_int("d", d)
    noise = check_nonnegative("noise", noise)
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w_true = rng.standard_normal(d)
    y = X @ w_true + noise * rng.standard_normal(n)

    data = DeviceData(X, y)

    # idx: (B,) for one iterate; for a batch of seeds w (S, d), (S, B) per seed or (B,) shared
    def f_i(w, idx):
        _, X_, y_ = data(w)
        return onp.mean(onp.abs(margins(X_[idx], w) - y_[idx]), axis=-1)

    def grad_i(w, idx):
        xp, X_, y_ = data(w)
        Xi = X_[idx]
        return pullback(Xi, xp.sign(margins(Xi, w) - y_[idx])) / idx.shape[-1]

    def grad_all(w):
        xp, X_, y_ = data(w)
        return X_ * xp.sign(X_ @ w - y_)[:, None]

    def hvp_i(w, v, idx):
        return data(w)[0].zeros(v.shape)          # piecewise linear: no curvature off the kinks

    row = numpy.linalg.norm(X, axis=1)
    exact = noise == 0 and numpy.linalg.matrix_rank(X) == d
    return DataFitProblem(f_i, n, d, f"absolute loss (n={n}, d={d})", X=X, y=y, loss="absolute",
                         w_true=w_true, grad_i=grad_i,
                         grad_all=grad_all, hvp_i=hvp_i,
                         G=float(row.mean()), x_star=w_true if exact else None,
                         f_star=0.0 if exact else None, assumptions={"convex", "lipschitz"},
                         x0=numpy.zeros(d), source="seed 003 Theorem 2.4 / 3.2 (convex Lipschitz)",
                         notes="G = mean ||x_i|| is attained for d = 1 and an upper bound otherwise",
                         extra={"G_max": float(row.max())}, batched=True)
