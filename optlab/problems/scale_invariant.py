"""Scale-invariant losses for the batch-normalization paper: a Rayleigh quotient and a tiny BN network.

A block w of the parameters is scale invariant when f(.., c w, ..) = f(.., w, ..) for every c > 0. Then
<w, grad_w f> = 0, grad_w f(c w) = grad_w f(w) / c and hess_ww f(c w) = hess_ww f(w) / c^2, so (S)GD
never shrinks ||w|| and the effective step is lr / ||w||^2 (seed 001, Lemma 2.4, Theorem 2.5).
The blocks are listed in ``p.blocks`` (pairs (start, stop) of the flat parameter vector).

* ``rayleigh_quotient(d)``: R(w) = w^T A w / w^T w with the spectrum of A in [lo, hi], both attained.
  f* = lo at the bottom eigenvector. On the unit sphere ||grad R|| = 2 ||(A - R) w|| <= gap = hi - lo
  (the largest variance of a distribution on [lo, hi]; attained at (e_lo + e_hi)/sqrt 2), and
  ||hess R(v)|| <= L_vv = 2 gap, attained at the bottom eigenvector. Proof: for unit z = c v + s y
  (y perp v), z^T hess z = 2 s^2 y^T B y - 4 c s y^T b with B = A - R I, b = B v,
  y^T B y in [-p, q], |y^T b| <= sqrt(p q) (p = R - lo, q = hi - R), and
  |beta| + sqrt(beta^2 + 4 p q) <= 2 (p + q). The seed notes' 6 gap is valid but 3 times too large.
  With ``n`` given, a finite sum of n Rayleigh quotients R_{A_z} with sum_z A_z = n A (so f = R_A);
  ``extra['L_vv_per_term']`` = max_z 2 gap(A_z).
* ``batchnorm_net(n, k, h)``: a one-hidden-layer network with the smoothed, scale-invariant BN of
  seed 001 eq. (8): z_bj = w_j^T (x_b - u) / sqrt(w_j^T (S + eps I) w_j), softplus activations, output
  weights a (scale variant, with weight decay ``wd``), logistic loss on labels of a random teacher.
  Each hidden row w_j is a scale-invariant block. Gradients come from the engine.

Source: Arora, Li, Lyu, "Theoretical analysis of auto rate-tuning by batch normalization" (seed 001),
Sec. 2.4 (smoothness on the sphere, L^vv), eq. (8), Lemma 2.4; seed-notes-short §2.6.

Example:
    >>> import numpy as np
    >>> p = rayleigh_quotient(d=4, lo=1.0, hi=3.0, seed=0)
    >>> w = np.array([1.0, 2.0, -1.0, 0.5])
    >>> bool(np.isclose(p.value(5 * w), p.value(w))), bool(np.isclose(w @ p.grad(w), 0))
    (True, True)
    >>> p.extra["L_vv"]
    4.0
"""
from __future__ import annotations

import numpy

import optlab.numpy as onp

from ._linalg import orthogonal
from .base import (
    DeviceData, FiniteSumProblem, Problem, check_int, check_number, check_nonnegative, check_positive,
)


def rayleigh_quotient(d, lo=0.0, hi=1.0, seed=0, n=None, noise=0.1):
    """w^T A w / w^T w with spectrum in [lo, hi]; with ``n``, a finite sum of n perturbed quotients."""
    d = check_int("d", d, minimum=2)
    lo = check_number("lo", lo)
    hi = check_number("hi", hi)
    if not lo < hi:
        raise ValueError(f"lo must satisfy lo < hi (a positive spectral gap), got lo={lo}, hi={hi}")
    rng = numpy.random.default_rng(seed)
    lam = numpy.sort(numpy.concatenate([[lo], rng.uniform(lo, hi, d - 2), [hi]]))
    Q = orthogonal(d, rng)
    A = (Q * lam) @ Q.T
    A = (A + A.T) / 2
    gap = hi - lo
    common = dict(x_star=Q[:, 0], f_star=lo, x0=rng.standard_normal(d),
                  source="seed 001 (scale invariance, L^vv); seed-notes-short §2.6",
                  domain="R^d minus 0 (constants in extra are for the unit sphere)")
    extra = {"L_vv": 2 * gap, "G_sphere": gap, "gap": gap}

    data = DeviceData(A)

    def rq(w, M):
        return onp.sum(w * (M @ w)) / onp.sum(w * w)

    def grad(w):
        A_ = data(w)[1]
        nn = w @ w
        Aw = A_ @ w
        return 2 * (Aw - (w @ Aw) / nn * w) / nn

    def hvp(w, v):
        A_ = data(w)[1]
        nn = w @ w
        R = (w @ A_ @ w) / nn
        g = grad(w)
        return 2 * (A_ @ v - R * v) / nn - 2 * (w * (g @ v) + g * (w @ v)) / nn

    if n is None:
        p = Problem(lambda w: rq(w, data(w)[1]), d, f"Rayleigh quotient (spectrum in [{lo:g}, {hi:g}])",
                    grad=grad, hvp=hvp, assumptions={"nonconvex", "scale_invariant"}, extra=extra,
                    **common)
    else:
        n = check_int("n", n)
        noise = check_nonnegative("noise", noise)
        E = rng.standard_normal((n, d, d)) * noise
        E = (E + E.transpose(0, 2, 1)) / 2
        E -= E.mean(axis=0)
        As = A[None] + E
        terms = DeviceData(As)

        def f_i(w, idx):
            Aw = onp.einsum("bij,j->bi", terms(w)[1][idx], w)
            return onp.mean(onp.sum(Aw * w, axis=1)) / onp.sum(w * w)

        def grad_all_idx(w, idx):
            nn = w @ w
            Aw = terms(w)[1][idx] @ w
            R = Aw @ w / nn
            return 2 * (Aw - R[:, None] * w) / nn

        ev = numpy.linalg.eigvalsh(As)
        extra["L_vv_per_term"] = float(2 * numpy.max(ev[:, -1] - ev[:, 0]))
        p = FiniteSumProblem(f_i, n, d, f"stochastic Rayleigh quotient (n={n})",
                             grad_i=lambda w, idx: grad_all_idx(w, idx).mean(axis=0),
                             grad_all=lambda w: grad_all_idx(w, slice(None)),
                             assumptions={"nonconvex", "scale_invariant"}, extra=extra, grad=grad,
                             hvp=hvp, **common)
        p.As = As
    p.A, p.eigenvalues, p.blocks = A, lam, [(0, d)]
    return p


def batchnorm_net(n=32, k=3, h=4, eps=1e-3, wd=1e-2, seed=0):
    """Tiny BN network; parameters [W (h x k, row-major), a (h)]; rows of W are scale invariant."""
    n, k, h = check_int("n", n, minimum=2), check_int("k", k), check_int("h", h)
    eps = check_nonnegative("eps", eps)
    wd = check_nonnegative("wd", wd)
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    teacher = rng.standard_normal(k)
    y = numpy.where(X @ teacher + 0.3 * rng.standard_normal(n) > 0, 1.0, -1.0)
    Xc = X - X.mean(axis=0)
    Se = Xc.T @ Xc / n + eps * numpy.eye(k)
    if numpy.linalg.eigvalsh(Se)[0] <= 0:
        raise ValueError("eps must be > 0 when the inputs' covariance is singular (n <= k)")
    hk = h * k
    data = DeviceData(Xc, Se, y)

    def f(theta):
        _, Xc_, Se_, y_ = data(theta)
        W = onp.reshape(theta[:hk], (h, k))
        a = theta[hk:]
        pre = Xc_ @ onp.transpose(W)                      # n x h
        scale = onp.sqrt(onp.sum((W @ Se_) * W, axis=1))  # ||w_j||_{S + eps I}
        act = onp.softplus(pre / scale)
        out = act @ a
        return onp.mean(onp.softplus(-y_ * out)) + 0.5 * wd * onp.sum(a * a)

    theta0 = numpy.concatenate([rng.standard_normal(hk), rng.standard_normal(h) / numpy.sqrt(h)])
    p = Problem(f, hk + h, f"batch-normalized network (n={n}, k={k}, h={h})",
                assumptions={"nonconvex", "scale_invariant"}, x0=theta0,
                source="seed 001 eq. (8) (smoothed scale-invariant BN), Sec. 2.1",
                notes="scale invariant in each hidden row w_j; output weights a are scale variant",
                extra={"eps": eps, "wd": wd})
    p.X, p.y, p.blocks = X, y, [(j * k, (j + 1) * k) for j in range(h)]
    return p
