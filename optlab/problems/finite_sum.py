"""Finite-sum families: least squares, logistic regression (with or without L2), Huber regression.

All are f(x) = (1/n) sum_i f_i(x) (+ lam/2 ||x||^2 inside every term), with data drawn from ``seed``:
rows x_i ~ N(0, I_d) (or normalised to the unit sphere with ``normalize=True``).

* ``least_squares``: f_i = 1/2 (x_i^T w - y_i)^2. H = lambda_max(X^T X / n) + lam and
  mu = lambda_min(X^T X / n) + lam (0 when n < d and lam = 0), both attained (Hessian is constant).
  w* solves (X^T X / n + lam I) w = X^T y / n (the min-norm solution when singular).
* ``logistic_regression``: f_i = log(1 + exp(-y_i x_i^T w)), labels y_i in {-1, +1}.
  Hessian = (1/n) sum s_i (1 - s_i) x_i x_i^T + lam I <= X^T X / (4n) + lam I, with equality at w = 0
  (s_i = 1/2), so H = ||X||_2^2 / (4n) + lam is attained. mu = lam. Without regularisation,
  ||grad f|| <= (1/n) sum ||x_i|| = G (approached as all margins -> -infinity). w* by Newton's method
  (to machine precision; None when Newton does not converge, e.g. separable data and lam = 0).
* ``huber``: f_i = h_delta(x_i^T w - y_i), h_delta(r) = r^2/2 for |r| <= delta, delta(|r| - delta/2)
  otherwise. Convex, H = lambda_max(X^T X / n) (attained where every residual is within delta),
  G = delta (1/n) sum ||x_i||. w* by a semismooth Newton method (finite termination).

Per-term constants in ``extra``: ``H_max`` = max_i (smoothness of f_i) (SGD / SVRG step sizes), ``G_max``
= max_i (Lipschitz constant of f_i) where global, and ``sigma_star_sq`` = (1/n) sum ||grad f_i(w*)||^2,
the gradient-noise variance at the optimum.

Source: EC500 notes (seed 003), seed-notes part 1 §7.1 and part 2 §7.1 F2, F3 (logistic per-sample
smoothness ||x_i||^2/4, erratum E19: the notes' "2-smooth" is only an upper bound).

Example:
    >>> import numpy as np
    >>> p = least_squares(n=20, d=3, seed=0)
    >>> bool(np.allclose(p.grad(p.x_star), 0))
    True
    >>> q = logistic_regression(n=50, d=3, lam=0.1, seed=0)
    >>> bool(np.isclose(np.linalg.eigvalsh(q.hessian(np.zeros(3)))[-1], q.H))
    True
"""
from __future__ import annotations

import numpy

import optlab.numpy as onp

from ._linalg import gram_extremes, margins, pullback, rows
from .base import check_int, check_nonnegative, check_positive
from .declared import DataFitProblem
from .device_data import DeviceData


def _data(n, d, seed, normalize):
    n = check_int("n", n)
    d = check_int("d", d)
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    if normalize:
        X /= numpy.linalg.norm(X, axis=1, keepdims=True)
    return n, d, rng, X


def _newton(grad, hess, x, tol=1e-12, iters=100, f=None):
    """Damped Newton's method; returns x with ||grad|| <= tol, or None."""
    for _ in range(iters):
        g = grad(x)
        if numpy.linalg.norm(g) <= tol:
            return x
        try:
            step = numpy.linalg.lstsq(hess(x), g, rcond=None)[0]
        except numpy.linalg.LinAlgError:
            return None
        t = 1.0
        if f is not None:
            fx = f(x)
            while f(x - t * step) > fx - 1e-4 * t * g @ step and t > 1e-10:
                t /= 2
        x = x - t * step
    return x if numpy.linalg.norm(grad(x)) <= 1e3 * tol else None


def _per_term_stats(p, H_max, G_max=None):
    p.extra["H_max"] = float(H_max)
    if G_max is not None:
        p.extra["G_max"] = float(G_max)
    if p.x_star is not None:
        g = p.grad_all(p.x_star)
        p.extra["sigma_star_sq"] = float(numpy.mean(numpy.sum((g - g.mean(0)) ** 2, axis=1)))
    return p


def least_squares(n, d, seed=0, noise=0.1, lam=0.0, normalize=False):
    """(1/2n) ||X w - y||^2 + lam/2 ||w||^2 with y = X w_true + noise * N(0, 1)."""
    n, d, rng, X = _data(n, d, seed, normalize)
    noise = check_nonnegative("noise", noise)
    lam = check_nonnegative("lam", lam)
    w_true = rng.standard_normal(d)
    y = X @ w_true + noise * rng.standard_normal(n)
    lo, hi = gram_extremes(X)
    H, mu = hi + lam, lo + lam
    M = X.T @ X / n + lam * numpy.eye(d)
    ws = numpy.linalg.lstsq(M, X.T @ y / n, rcond=None)[0]

    data = DeviceData(X, y)

    # idx: (B,) for one iterate; for a batch of seeds w (S, d), (S, B) per seed or (B,) shared
    def f_i(w, idx):
        _, X_, y_ = data(w)
        r = margins(rows(X_, idx), w)
        r -= rows(y_, idx)   # in place on arrays (one (S, n) temporary, as in grad_i); a graph value
        r *= r               # has no in-place operators, so the engine gets new nodes
        return 0.5 * onp.mean(r, axis=-1) + 0.5 * lam * onp.sum(w * w, axis=-1)

    def grad_i(w, idx):
        _, X_, y_ = data(w)
        Xi = rows(X_, idx)
        # the residuals in place: a batch's full gradient keeps one (S, n) temporary alive, not two
        # (two made glibc trim and re-fault its heap on every call: 1.4 ms -> 0.25 ms)
        r = margins(Xi, w)
        r -= rows(y_, idx)
        g = pullback(Xi, r)
        g /= idx.shape[-1]
        return g + lam * w if lam else g

    def grad_all(w):
        _, X_, y_ = data(w)
        return X_ * (X_ @ w - y_)[:, None] + lam * w

    def hvp_i(w, v, idx):
        Xi = data(w)[1][idx]
        return pullback(Xi, margins(Xi, v)) / idx.shape[-1] + lam * v

    r = X @ ws - y
    fs = float(0.5 * r @ r / n + 0.5 * lam * ws @ ws)
    assumptions = {"convex", "smooth", "second_order_smooth"}
    kw = {}
    if mu > 0:
        assumptions |= {"strongly_convex", "generalized_pl"}
        kw.update(pl_mu=mu, pl_exponent=2.0)
    p = DataFitProblem(f_i, n, d, f"least squares (n={n}, d={d}, lam={lam:g})", X=X, y=y, loss="squares",
                       lam=lam, w_true=w_true, grad_i=grad_i, grad_all=grad_all, hvp_i=hvp_i, H=H, mu=mu,
                       rho=0.0, x_star=ws, f_star=fs, assumptions=assumptions, x0=numpy.zeros(d),
                       source="seed 003; seed-notes part 2 §7.1 F2", batched=True, **kw)
    return _per_term_stats(p, numpy.max(numpy.sum(X * X, axis=1)) + lam)


def _sigmoid(z, xp=numpy):
    return 0.5 * (1.0 + xp.tanh(0.5 * z))


def logistic_regression(n, d, lam=0.0, seed=0, normalize=False, label_noise=0.1):
    """(1/n) sum log(1 + exp(-y_i x_i^T w)) + lam/2 ||w||^2.

    Labels come from a planted w (logistic model), each flipped with probability ``label_noise``.
    """
    n, d, rng, X = _data(n, d, seed, normalize)
    lam = check_nonnegative("lam", lam)
    label_noise = check_nonnegative("label_noise", label_noise)
    if label_noise > 0.5:
        raise ValueError(f"label_noise must be <= 0.5, got label_noise={label_noise!r}")
    w_true = rng.standard_normal(d)
    y = numpy.where(rng.random(n) < _sigmoid(X @ w_true), 1.0, -1.0)
    y = numpy.where(rng.random(n) < label_noise, -y, y)
    Z = X * y[:, None]  # margins are Z @ w

    data = DeviceData(Z)

    def f_i(w, idx):
        return (onp.mean(onp.softplus(-margins(data(w)[1][idx], w)), axis=-1)
                + 0.5 * lam * onp.sum(w * w, axis=-1))

    def grad_i(w, idx):
        xp, Z_ = data(w)
        Zi = Z_[idx]
        return -pullback(Zi, _sigmoid(-margins(Zi, w), xp)) / idx.shape[-1] + lam * w

    def grad_all(w):
        xp, Z_ = data(w)
        return -Z_ * _sigmoid(-(Z_ @ w), xp)[:, None] + lam * w

    def hvp_i(w, v, idx):
        xp, Z_ = data(w)
        Zi = Z_[idx]
        s = _sigmoid(margins(Zi, w), xp)
        return pullback(Zi, s * (1 - s) * margins(Zi, v)) / idx.shape[-1] + lam * v

    def hess(w):
        s = _sigmoid(Z @ w)
        return (Z * (s * (1 - s))[:, None]).T @ Z / n + lam * numpy.eye(d)

    _, hi = gram_extremes(X)
    H = hi / 4 + lam
    full = lambda w: float(numpy.mean(numpy.logaddexp(0, -(Z @ w))) + 0.5 * lam * w @ w)  # noqa: E731
    ws = _newton(lambda w: grad_i(w, numpy.arange(n)), hess, numpy.zeros(d), f=full)
    assumptions = {"convex", "smooth"}
    kw = {}
    row_norms = numpy.linalg.norm(X, axis=1)
    if lam > 0:
        assumptions |= {"strongly_convex"}
        kw["mu"] = lam
    else:
        assumptions.add("lipschitz")
        kw["G"] = float(row_norms.mean())
    p = DataFitProblem(f_i, n, d, f"logistic regression (n={n}, d={d}, lam={lam:g})", X=X, y=y,
                         loss="logistic", lam=lam, w_true=w_true, grad_i=grad_i, grad_all=grad_all, hvp_i=hvp_i, H=H, x_star=ws,
                         f_star=None if ws is None else full(ws), assumptions=assumptions,
                         x0=numpy.zeros(d), source="seed 003; seed-notes part 2 §7.1 F3", batched=True, **kw,
                         notes="x_star computed by Newton's method to ||grad|| <= 1e-12")
    return _per_term_stats(p, numpy.max(row_norms) ** 2 / 4 + lam,
                           None if lam > 0 else numpy.max(row_norms))


def huber(n, d, delta=1.0, seed=0, noise=0.1, outliers=0.1, normalize=False):
    """Huber regression (1/n) sum h_delta(x_i^T w - y_i); a fraction ``outliers`` of y gets +-10 added."""
    n, d, rng, X = _data(n, d, seed, normalize)
    delta = check_positive("delta", delta)
    noise = check_nonnegative("noise", noise)
    outliers = check_nonnegative("outliers", outliers)
    if outliers > 1:
        raise ValueError(f"outliers must be a fraction in [0, 1], got outliers={outliers!r}")
    w_true = rng.standard_normal(d)
    y = X @ w_true + noise * rng.standard_normal(n)
    y = y + numpy.where(rng.random(n) < outliers, 10.0 * rng.choice([-1.0, 1.0], n), 0.0)

    data = DeviceData(X, y)

    # idx: (B,) for one iterate; for a batch of seeds w (S, d), (S, B) per seed or (B,) shared
    def f_i(w, idx):
        _, X_, y_ = data(w)
        r = margins(X_[idx], w) - y_[idx]
        a = onp.abs(r)
        return onp.mean(onp.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)), axis=-1)

    def grad_i(w, idx):
        xp, X_, y_ = data(w)
        Xi = X_[idx]
        return pullback(Xi, xp.clip(margins(Xi, w) - y_[idx], -delta, delta)) / idx.shape[-1]

    def grad_all(w):
        xp, X_, y_ = data(w)
        return X_ * xp.clip(X_ @ w - y_, -delta, delta)[:, None]

    def hvp_i(w, v, idx):
        xp, X_, y_ = data(w)
        Xi = X_[idx]
        inside = xp.abs(margins(Xi, w) - y_[idx]) <= delta       # h_delta'' = 1 inside, 0 outside
        return pullback(Xi, inside * margins(Xi, v)) / idx.shape[-1]

    def hess(w):
        inside = numpy.abs(X @ w - y) <= delta
        return (X * inside[:, None]).T @ X / n

    def full(w):
        r = X @ w - y
        a = numpy.abs(r)
        return float(numpy.mean(numpy.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))))

    ws = _newton(lambda w: grad_i(w, numpy.arange(n)), hess, numpy.linalg.lstsq(X, y, rcond=None)[0],
                 f=full)
    _, hi = gram_extremes(X)
    row_norms = numpy.linalg.norm(X, axis=1)
    p = DataFitProblem(f_i, n, d, f"Huber regression (n={n}, d={d}, delta={delta:g})", X=X, y=y,
                         loss="huber", w_true=w_true, grad_i=grad_i, grad_all=grad_all, hvp_i=hvp_i, H=hi,
                         G=delta * float(row_norms.mean()), x_star=ws,
                         f_star=None if ws is None else full(ws),
                         assumptions={"convex", "smooth", "lipschitz"}, x0=numpy.zeros(d),
                         source="seed-notes part 1 §7.1 (Huber = Moreau envelope of G|x|)",
                         notes="x_star by semismooth Newton to ||grad|| <= 1e-12",
                         extra={"delta": delta}, batched=True)
    return _per_term_stats(p, numpy.max(row_norms) ** 2, delta * numpy.max(row_norms))
