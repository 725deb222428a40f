"""Functions with Lipschitz Hessian and known rho, for cubic regularization: strict saddles.

* ``strict_saddle(d, k, a, b, mu)``: f(x) = mu/2 sum_{i<d-k} x_i^2 + a sum_{i>=d-k} cos(x_i / b).
  At 0 a strict saddle with k negative eigenvalues -a/b^2; minima at x_i = +-pi b on the last k
  coordinates. H = max(mu, a/b^2), rho = a/b^3, f* = -a k.
* ``cubic_test(d, rho)``: f(x) = 1/2 x^T A x + c^T x + rho/6 ||x||^3 with A's spectrum in
  [lam_min, lam_max]. The Hessian of ||x||^3/6 is (||x|| I + x x^T/||x||)/2, which is 1-Lipschitz, so f
  is rho-second-order smooth (tight along rays). It is the cubic-Newton model itself, whose global
  minimiser solves (A + rho r/2 I) x = -c, ||x|| = r, A + rho r/2 I >= 0 (a secular equation,
  solved here by bisection to machine precision). With c = 0 and lam_min < 0, 0 is a strict saddle,
  x* = (-2 lam_min / rho) e_min and f* = 2 lam_min^3 / (3 rho^2): exactly the decrease of the
  negative-curvature step (notes Theorem 25.7).

Source: EC500 notes (seed 003) §25, Def 25.1, Lemma 25.4, Theorem 25.7; seed-notes part 2 §25;
Nesterov and Polyak (2006), cubic regularization (external).

Example:
    >>> import numpy as np
    >>> p = cubic_test(d=3, rho=2.0, lam_min=-1.0, lam_max=1.0, c_norm=0.0, seed=0)
    >>> round(p.f_star, 12), round(2 * (-1.0) ** 3 / (3 * 2.0 ** 2), 12)
    (-0.166666666667, -0.166666666667)
    >>> q = strict_saddle(d=3, k=1)
    >>> bool(np.allclose(q.grad(np.zeros(3)), 0)), float(np.linalg.eigvalsh(q.hessian(np.zeros(3)))[0])
    (True, -1.0)
"""
from __future__ import annotations

import math

import numpy

import optlab.numpy as onp

from ._linalg import orthogonal
from .base import check_int, check_number, check_nonnegative, check_positive
from .declared import CubicModelProblem, StrictSaddleProblem
from .device_data import DeviceData


def strict_saddle(d=2, k=1, a=1.0, b=1.0, mu=1.0):
    """Quadratic in d-k coordinates, cosine in the last k: a strict saddle at 0, minima at +-pi b."""
    d = check_int("d", d)
    k = check_int("k", k)
    if k > d:
        raise ValueError(f"k must satisfy 1 <= k <= d={d}, got k={k}")
    a, b, mu = check_positive("a", a), check_positive("b", b), check_positive("mu", mu)
    q = numpy.arange(d) < d - k
    data = DeviceData(q)

    # elementwise in x, so a batch of seeds (S, d) is summed over its last axis only
    def f(x):
        q_ = data(x)[1]
        return (0.5 * mu * onp.sum(onp.where(q_, x * x, 0.0), axis=-1)
                + a * onp.sum(onp.where(q_, 0.0, onp.cos(x / b)), axis=-1))

    def grad(x):
        xp, q_ = data(x)
        return xp.where(q_, mu * x, -(a / b) * xp.sin(x / b))

    def hvp(x, v):
        xp, q_ = data(x)
        return xp.where(q_, mu, -(a / b ** 2) * xp.cos(x / b)) * v

    xs = numpy.where(q, 0.0, math.pi * b)
    x0 = numpy.where(q, 1.0, 1e-3 * b)
    return StrictSaddleProblem(
        f, d, f"strict saddle (d={d}, k={k})", x_saddle=numpy.zeros(d), grad=grad, hvp=hvp,
        H=max(mu, a / b ** 2), rho=a / b ** 3, x_star=xs, f_star=-a * k,
        assumptions={"nonconvex", "smooth", "second_order_smooth"}, x0=x0,
        source="seed 003 §25 (strict saddles); cosine family of seed-notes part 2 F5",
        extra={"saddle_lambda_min": -a / b ** 2, "gamma": a / b ** 2}, batched=True)


def _secular(lam, beta, rho):
    """Global minimiser of 1/2 sum lam_i y_i^2 + beta^T y + rho/6 ||y||^3 in the eigenbasis."""
    r_lo = max(0.0, -2 * lam[0] / rho)
    if numpy.all(beta == 0):
        if lam[0] >= 0:
            return numpy.zeros_like(beta)
        y = numpy.zeros_like(beta)
        y[0] = r_lo
        return y

    def norm_at(r):
        den = lam + rho * r / 2
        return numpy.linalg.norm(beta / den)

    lo = r_lo * (1 + 1e-15) + 1e-300
    hi = max(2 * lo, 1.0)
    while norm_at(hi) > hi:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if norm_at(mid) > mid:
            lo = mid
        else:
            hi = mid
    r = 0.5 * (lo + hi)
    return -beta / (lam + rho * r / 2)


def cubic_test(d=3, rho=1.0, seed=0, lam_min=-1.0, lam_max=1.0, c_norm=1.0):
    """1/2 x^T A x + c^T x + rho/6 ||x||^3 with known global minimiser; rho-second-order smooth."""
    d = check_int("d", d)
    rho = check_positive("rho", rho)
    lam_min = check_number("lam_min", lam_min)
    lam_max = check_number("lam_max", lam_max)
    c_norm = check_nonnegative("c_norm", c_norm)
    if lam_min > lam_max:
        raise ValueError(f"lam_min must satisfy lam_min <= lam_max, got {lam_min} > {lam_max}")
    rng = numpy.random.default_rng(seed)
    lam = numpy.sort(numpy.concatenate([[lam_min], rng.uniform(lam_min, lam_max, max(d - 2, 0)),
                                        [lam_max]]))[:d] if d > 1 else numpy.array([lam_min])
    Q = orthogonal(d, rng)
    A = (Q * lam) @ Q.T
    A = (A + A.T) / 2
    u = rng.standard_normal(d)
    c = c_norm * u / numpy.linalg.norm(u)
    ys = _secular(lam, Q.T @ c, rho)
    xs = Q @ ys

    data = DeviceData(A, c)

    # A batch of seeds (S, d) is a stack of S iterates: A x_s is a stack of matrix-vector products and
    # ||x_s|| a stack of inner products, each computed as for one iterate (A @ x, the 2-norm) bit for
    # bit, so batched theorem measures equal the values recorded in the snapshots at rounding level.
    def times_A(A_, x):
        return A_ @ x if x.ndim == 1 else (A_ @ x[..., None])[..., 0]

    def norm(xp, x):
        if x.ndim == 1:
            return xp.linalg.norm(x)
        return xp.sqrt((x[..., None, :] @ x[..., :, None])[..., 0])      # (S, 1): one norm per seed

    def f(x):
        _, A_, c_ = data(x)
        return (0.5 * onp.sum(x * times_A(A_, x), axis=-1) + onp.sum(c_ * x, axis=-1)
                + (rho / 6) * onp.sum(x * x, axis=-1) ** 1.5)

    def grad(x):
        xp, A_, c_ = data(x)
        return times_A(A_, x) + c_ + 0.5 * rho * norm(xp, x) * x

    def hvp(x, v):
        # hess of rho/6 ||x||^3 is rho/2 (||x|| I + x x^T/||x||), and 0 at x = 0
        xp, A_, _ = data(x)
        nx = norm(xp, x)
        if x.ndim == 1:
            return A_ @ v + (0.0 if nx == 0 else 0.5 * rho * (nx * v + x * (x @ v) / nx))
        safe = xp.where(nx > 0, nx, 1.0)
        cubic = 0.5 * rho * (nx * v + x * xp.sum(x * v, axis=-1, keepdims=True) / safe)
        return times_A(A_, v) + xp.where(nx > 0, cubic, 0.0)

    fs = float(0.5 * xs @ A @ xs + c @ xs + rho / 6 * numpy.linalg.norm(xs) ** 3)
    convex = lam_min >= 0
    return CubicModelProblem(
        f, f"cubic test (rho={rho:g}, lam in [{lam_min:g}, {lam_max:g}])", A=A, c=c, grad=grad, hvp=hvp,
        rho=rho, x_star=xs, f_star=fs, assumptions={"convex" if convex else "nonconvex", "second_order_smooth"},
        x0=numpy.zeros(d), source="seed 003 §25; Nesterov and Polyak (2006) (external)",
        notes="x_star from the secular equation (bisection); not globally H-smooth",
        extra={"lambda_min": lam_min}, batched=True)
