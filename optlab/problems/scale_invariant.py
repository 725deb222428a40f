"""Scale-invariant losses for the batch-normalization paper: a Rayleigh quotient and a tiny BN network.

A block w of the parameters is scale invariant when f(.., c w, ..) = f(.., w, ..) for every c > 0. Then
<w, grad_w f> = 0, grad_w f(c w) = grad_w f(w) / c and hess_ww f(c w) = hess_ww f(w) / c^2, so (S)GD
never shrinks ||w|| and the effective step is lr / ||w||^2 (seed 001, Lemma 2.4, Theorem 2.5).
The blocks are the declared field ``p.blocks`` (pairs (start, stop) of the flat parameter vector); every family
here vectorizes over a leading seed axis (``batched=True``: an (S, d) batch of iterates, one index row per seed).

* ``rayleigh_quotient(d)``: R(w) = w^T A w / w^T w with the spectrum of A in [lo, hi], both attained.
  f* = lo at the bottom eigenvector. On the unit sphere ||grad R|| = 2 ||(A - R) w|| <= gap = hi - lo
  (the largest variance of a distribution on [lo, hi]; attained at (e_lo + e_hi)/sqrt 2), and
  ||hess R(v)|| <= L_vv = 2 gap, attained at the bottom eigenvector. Proof: for unit z = c v + s y
  (y perp v), z^T hess z = 2 s^2 y^T B y - 4 c s y^T b with B = A - R I, b = B v,
  y^T B y in [-p, q], |y^T b| <= sqrt(p q) (p = R - lo, q = hi - R), and
  |beta| + sqrt(beta^2 + 4 p q) <= 2 (p + q). The seed notes' 6 gap is valid but 3 times too large.
  With ``n`` given, a finite sum of n Rayleigh quotients R_{A_z} with sum_z A_z = n A (so f = R_A);
  ``extra['L_vv_per_term']`` = max_z 2 gap(A_z). Declared fields: ``A``, ``eigenvalues`` (of A), ``blocks``,
  and ``As`` (the n matrices A_z) for the finite sum.
* ``batchnorm_net(n, k, h)``: a one-hidden-layer network with the smoothed, scale-invariant BN of
  seed 001 eq. (8): z_bj = w_j^T (x_b - u) / sqrt(w_j^T (S + eps I) w_j), softplus activations, output
  weights a (scale variant, with weight decay ``wd``), logistic loss on labels of a random teacher.
  Each hidden row w_j is a scale-invariant block. Gradients come from the engine. Declared fields: ``X``,
  ``y``, ``blocks``. No smoothness constant on the sphere is certified for it (L^vv, L^vg, L^gg depend on
  a bound on ||a|| along the run that nobody has derived here); the 001 theorems run on
  :func:`~optlab.problems.batchnorm_gain.batchnorm_gain`, whose constants are exact.

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
    DeviceData, FiniteSumProblem, Problem, check_int, check_number, check_nonnegative,
)


def _blocks(blocks, d):
    out = tuple((int(s), int(e)) for s, e in blocks)
    if any(not 0 <= s < e <= d for s, e in out):
        raise ValueError(f"blocks must be pairs (start, stop) with 0 <= start < stop <= d = {d}, got {blocks}")
    return out


class RayleighProblem(Problem):
    """w^T A w / w^T w: declared fields ``A``, ``eigenvalues`` and ``blocks`` (one block, all of w)."""

    def __init__(self, f, d, name, *, A, eigenvalues, **kwargs):
        self.A, self.eigenvalues, self.blocks = A, numpy.asarray(eigenvalues), _blocks([(0, d)], d)
        super().__init__(f, d, name, batched=True, **kwargs)


class StochasticRayleighProblem(FiniteSumProblem):
    """The finite sum of quotients R_{A_z}: fields ``A`` (their mean), ``As``, ``eigenvalues`` (of A), ``blocks``."""

    def __init__(self, f_i, n, d, name, *, A, As, eigenvalues, **kwargs):
        self.A, self.As, self.eigenvalues = A, As, numpy.asarray(eigenvalues)
        self.blocks = _blocks([(0, d)], d)
        super().__init__(f_i, n, d, name, batched=True, **kwargs)


class BatchNormNetProblem(Problem):
    """The tiny BN network: declared fields ``X`` (inputs), ``y`` (labels), ``blocks`` (the rows of W)."""

    def __init__(self, f, d, name, *, X, y, blocks, **kwargs):
        self.X, self.y, self.blocks = X, y, _blocks(blocks, d)
        super().__init__(f, d, name, batched=True, **kwargs)


def _dot(a, b):
    """Row-wise inner product over the last axis (one number per seed of a batch)."""
    return (a * b).sum(axis=-1)


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
    common = dict(x_star=Q[:, 0], f_star=lo, x0=rng.standard_normal(d), A=A, eigenvalues=lam,
                  source="seed 001 (scale invariance, L^vv); seed-notes-short §2.6",
                  domain="R^d minus 0 (constants in extra are for the unit sphere)")
    extra = {"L_vv": 2 * gap, "G_sphere": gap, "gap": gap}

    data = DeviceData(A)

    # A is symmetric, so w @ A is A w for one iterate and row by row for a batch (S, d)
    def rq(w):
        return onp.sum(w * (w @ data(w)[1]), axis=-1) / onp.sum(w * w, axis=-1)

    def grad(w):
        nn = _dot(w, w)[..., None]
        Aw = w @ data(w)[1]
        return 2 * (Aw - _dot(w, Aw)[..., None] / nn * w) / nn

    def hvp(w, v):
        nn = _dot(w, w)[..., None]
        R = _dot(w, w @ data(w)[1])[..., None] / nn
        g = grad(w)
        return 2 * (v @ data(w)[1] - R * v) / nn - 2 * (w * _dot(g, v)[..., None] + g * _dot(w, v)[..., None]) / nn

    if n is None:
        return RayleighProblem(rq, d, f"Rayleigh quotient (spectrum in [{lo:g}, {hi:g}])", grad=grad, hvp=hvp,
                               assumptions={"nonconvex", "scale_invariant"}, extra=extra, **common)
    n = check_int("n", n)
    noise = check_nonnegative("noise", noise)
    E = rng.standard_normal((n, d, d)) * noise
    E = (E + E.transpose(0, 2, 1)) / 2
    E -= E.mean(axis=0)
    As = A[None] + E
    terms = DeviceData(As)

    def A_w(w, idx):
        """The rows A_z w for z in idx: (B, d) for one iterate, (S, B, d) for a batch (idx (B,) or (S, B))."""
        M = terms(w)[1][idx]                                   # (B, d, d) or (S, B, d, d)
        return (M @ onp.expand_dims(w, -2)[..., None])[..., 0] if w.ndim > 1 else M @ w

    def f_i(w, idx):
        return onp.mean(onp.sum(A_w(w, idx) * onp.expand_dims(w, -2), axis=-1), axis=-1) / onp.sum(w * w, axis=-1)

    def grad_terms(w, idx):
        nn = _dot(w, w)[..., None, None]
        Aw, w_ = A_w(w, idx), w[..., None, :]
        return 2 * (Aw - _dot(Aw, w_)[..., None] / nn * w_) / nn

    ev = numpy.linalg.eigvalsh(As)
    extra["L_vv_per_term"] = float(2 * numpy.max(ev[:, -1] - ev[:, 0]))
    return StochasticRayleighProblem(
        f_i, n, d, f"stochastic Rayleigh quotient (n={n})", As=As,
        grad_i=lambda w, idx: grad_terms(w, idx).mean(axis=-2),
        grad_all=lambda w: grad_terms(w, slice(None)),
        assumptions={"nonconvex", "scale_invariant"}, extra=extra, grad=grad, hvp=hvp, **common)


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

    # one iterate theta (d,) or a batch (S, d): W is (h, k) or (S, h, k), the leading axes carried along
    def f(theta):
        _, Xc_, Se_, y_ = data(theta)
        W = onp.reshape(theta[..., :hk], theta.shape[:-1] + (h, k))
        a = theta[..., hk:]
        pre = Xc_ @ onp.swapaxes(W, -1, -2)                     # n x h (per seed)
        scale = onp.sqrt(onp.sum((W @ Se_) * W, axis=-1))        # ||w_j||_{S + eps I}
        act = onp.softplus(pre / onp.expand_dims(scale, -2))
        out = (act @ a[..., None])[..., 0]                       # n (per seed)
        return onp.mean(onp.softplus(-y_ * out), axis=-1) + 0.5 * wd * onp.sum(a * a, axis=-1)

    theta0 = numpy.concatenate([rng.standard_normal(hk), rng.standard_normal(h) / numpy.sqrt(h)])
    return BatchNormNetProblem(
        f, hk + h, f"batch-normalized network (n={n}, k={k}, h={h})", X=X, y=y,
        blocks=[(j * k, (j + 1) * k) for j in range(h)],
        assumptions={"nonconvex", "scale_invariant"}, x0=theta0,
        source="seed 001 eq. (8) (smoothed scale-invariant BN), Sec. 2.1",
        notes="scale invariant in each hidden row w_j; output weights a are scale variant",
        extra={"eps": eps, "wd": wd})
