"""Smooth non-convex losses with known H, G, rho and infimum.

* ``cosine_sum(d, a, b)``: f(w) = a sum_i cos((Q w)_i / b), Q orthogonal (from ``seed``; identity with
  rotate=False). Hessian -(a/b^2) Q^T diag(cos(Q w / b)) Q, so H = a/b^2 (attained at w = 0),
  rho = a/b^3 (third derivative a/b^3 sin, attained where sin = +-1), G = a sqrt(d)/b (attained where
  every |sin| = 1), f* = -a d at w* = Q^T (pi b, ..., pi b). Saddles at mixed multiples of pi b.
  ``extra['gamma']`` = a/b^2 is the almost-convexity constant (Hessian >= -gamma I).
* ``log_sum(d)``: f(w) = sum_i log(1 + u_i^2), u = Q (w - c). With phi(u) = log(1 + u^2):
  phi' = 2u/(1+u^2) in [-1, 1] (|phi'| = 1 at u = +-1), phi'' = 2(1-u^2)/(1+u^2)^2 in [-1/4, 2]
  (2 at u = 0, -1/4 at u^2 = 3), phi''' = 4u(u^2-3)/(1+u^2)^3 with max |phi'''| = 3/2 + sqrt(2) at
  u = -(sqrt(2) - 1). So H = 2, G = sqrt(d), rho = 3/2 + sqrt(2), gamma = 1/4, f* = 0 at w* = c.
* ``pl_sine(d)``: f(w) = sum_i w_i^2 + 3 sin^2(w_i) (Karimi, Nutini, Schmidt 2016): non-convex
  (phi'' = 2 + 6 cos 2w in [-4, 8], so gamma = 4 at w = pi/2), H = 8, rho = 12, f* = 0 at 0, and PL:
  ||grad f||^2 >= 2 pl_mu f with pl_mu = 0.175 (the best constant is 0.175531 at w = +-2.2017; Karimi
  et al. quote 1/32, valid but loose).

Each gamma above is certified (hess f >= -gamma I, attained) and claimed as the assumption ``"almost_convex"``
(EC500 Def 22.2), which the theorems of the almost-convex loop require (tests/test_almost_convex.py).

All three are separable in rotated coordinates, so each per-coordinate bound is the d-dimensional one
(operator norms of diagonal matrices are their largest entries).

Source: seed-notes part 1 §7.1 and part 2 §7.1 F4, F5; seed-notes-short §4.6 (T4.7, x^2 + 3 sin^2 x).

Example:
    >>> import numpy as np
    >>> p = cosine_sum(d=3, a=2.0, b=0.5, seed=0)
    >>> (p.H, p.rho, p.f_star)
    (8.0, 16.0, -6.0)
    >>> bool(np.allclose(p.grad(p.x_star), 0))
    True
"""
from __future__ import annotations

import math

import numpy

import optlab.numpy as onp

from ._linalg import orthogonal
from .base import DeviceData, Problem, check_int, check_positive
from .declared import RotatedSumProblem

LOG_SUM_RHO = 1.5 + math.sqrt(2.0)
PL_SINE_MU = 0.175


def _rotation(d, seed, rotate):
    rng = numpy.random.default_rng(seed)
    return (orthogonal(d, rng) if rotate else numpy.eye(d)), rng


def cosine_sum(d, a=1.0, b=1.0, seed=0, rotate=True):
    """a sum_i cos((Q w)_i / b); non-convex, H = a/b^2, rho = a/b^3, G = a sqrt(d)/b, f* = -a d."""
    d = check_int("d", d)
    a = check_positive("a", a)
    b = check_positive("b", b)
    Q, _ = _rotation(d, seed, rotate)
    data = DeviceData(Q)

    # w @ Q.T is Q w for one iterate and row by row for a batch (S, d): the family vectorizes seeds
    def f(w):
        return a * onp.sum(onp.cos((w @ data(w)[1].T) / b), axis=-1)

    def grad(w):
        xp, Q_ = data(w)
        return -(a / b) * (xp.sin(w @ Q_.T / b) @ Q_)

    def hvp(w, v):
        xp, Q_ = data(w)
        return -(a / b ** 2) * ((xp.cos(w @ Q_.T / b) * (v @ Q_.T)) @ Q_)

    xs = Q.T @ numpy.full(d, math.pi * b)
    return RotatedSumProblem(f, d, f"cosine sum (a={a:g}, b={b:g})", Q=Q, grad=grad, hvp=hvp, H=a / b ** 2,
                G=a * math.sqrt(d) / b, rho=a / b ** 3, x_star=xs, f_star=-a * d,
                assumptions={"nonconvex", "smooth", "lipschitz", "second_order_smooth", "almost_convex"},
                x0=Q.T @ numpy.full(d, 0.5 * b), source="seed-notes part 2 §7.1 F5",
                extra={"gamma": a / b ** 2}, batched=True)


def log_sum(d, seed=0, rotate=False, center=None):
    """sum_i log(1 + ((Q (w - c))_i)^2); H = 2, G = sqrt(d), rho = 3/2 + sqrt(2), f* = 0 at c."""
    d = check_int("d", d)
    Q, rng = _rotation(d, seed, rotate)
    c = rng.standard_normal(d) if center is None else numpy.asarray(center, dtype=float)
    data = DeviceData(Q, c)

    def f(w):
        _, Q_, c_ = data(w)
        u = (w - c_) @ Q_.T
        return onp.sum(onp.log1p(u * u), axis=-1)

    def grad(w):
        _, Q_, c_ = data(w)
        u = (w - c_) @ Q_.T
        return (2 * u / (1 + u * u)) @ Q_

    def hvp(w, v):
        _, Q_, c_ = data(w)
        u = (w - c_) @ Q_.T
        return (2 * (1 - u * u) / (1 + u * u) ** 2 * (v @ Q_.T)) @ Q_

    return RotatedSumProblem(f, d, "log sum (Cauchy loss)", Q=Q, center=c, grad=grad, hvp=hvp, H=2.0,
                G=math.sqrt(d),
                rho=LOG_SUM_RHO, x_star=c, f_star=0.0,
                assumptions={"nonconvex", "smooth", "lipschitz", "second_order_smooth", "almost_convex"},
                x0=c + Q.T @ numpy.full(d, 3.0), source="seed-notes part 2 §7.1 F4",
                extra={"gamma": 0.25}, batched=True)


def pl_sine(d=1):
    """sum_i w_i^2 + 3 sin^2 w_i: non-convex but PL (pl_mu = 0.175), H = 8, rho = 12, f* = 0."""
    d = check_int("d", d)

    def f(w):
        s = onp.sin(w)
        return onp.sum(w * w + 3 * s * s, axis=-1)

    # ufuncs only: numpy.sin of a CuPy array runs on its device (NEP 13 dispatch)
    return Problem(f, d, "x^2 + 3 sin^2 x", grad=lambda w: 2 * w + 3 * numpy.sin(2 * w),
                   hvp=lambda w, v: (2 + 6 * numpy.cos(2 * w)) * v, H=8.0, rho=12.0,
                   pl_mu=PL_SINE_MU, pl_exponent=2.0, x_star=numpy.zeros(d), f_star=0.0,
                   assumptions={"nonconvex", "smooth", "second_order_smooth", "generalized_pl", "almost_convex"},
                   x0=numpy.full(d, 3.0),
                   source="Karimi, Nutini, Schmidt (2016) (external); seed-notes-short T4.7",
                   notes="best PL constant 0.175531 (at w = +-2.2017); Karimi et al. state 1/32",
                   extra={"gamma": 4.0}, batched=True)
