"""Generalized-smooth families with certified (L0, L1, alpha) in the Hessian form
||hess f(x)|| <= L0 + L1 ||grad f(x)||^alpha, and generalized PL ||grad f||^q >= 2 pl_mu (f - f*).

* ``power_norm(d, p)``: f = ||x||^p, p >= 2. ||grad f|| = p r^(p-1), ||hess f|| = p(p-1) r^(p-2), so the
  Hessian form holds with EQUALITY for alpha = (p-2)/(p-1), L1 = (p-1) p^(1/(p-1)), L0 = 0; PL holds
  with equality for q = p/(p-1), pl_mu = p^q / 2. p = 2: H = mu = 2; p = 3: rho = 6.
* ``cosh_sum(d, a)``: f = sum (cosh(a x_i) - 1)/a^2. hess = diag(cosh(a x_i)) <= 1 + |sinh(a x_i)|
  <= 1 + a ||grad f||: L0 = 1, L1 = a, alpha = 1 (ratio -> 1 along an axis). Strongly convex, mu = 1.
  PL with q = 1: ||grad f|| >= ||grad f||_1/sqrt(d) >= a f / sqrt(d), so pl_mu = a/(2 sqrt(d)),
  tight along the diagonal. (Also PL with q = 2, pl_mu = 1, from strong convexity: both hold.)
* ``phase_retrieval(m, d)``: F(w) = (1/2m) sum (y_r - (a_r^T w)^2)^2 (the talk's eq. 3). Per term
  F_r = 1/2 (y_r - s^2)^2, s = a_r^T w: grad = 2 (s^2 - y) s a, hess = 2 (3 s^2 - y) a a^T, and
  ||hess F_r|| <= 4 |y_r| ||a_r||^2 + 3 * 2^(1/3) ||a_r||^(4/3) ||grad F_r||^(2/3) (proof: with t = s^2,
  |3t - y| <= 2|y| + 3 (|t - y| sqrt(t))^(2/3); equality at t = y and at y = 0). In the talk's
  normalisation f_xi = F_r / 2 this is K0 = 2 y_max a_max^2, K1 = 3 a_max^(4/3) (per-sample in extra).
  For the full F, with S = A^T A/m (lambda = lambda_min(S) > 0 needs m >= d), Lam = lambda_max(S),
  M_y = (1/m) sum y_r a_r a_r^T, c = max(lambda_max(M_y), 0):
  <grad F, w> >= 2 (lambda^2 r^4 - c r^2) and ||hess F|| <= 6 a_max^2 Lam r^2 + 2 ||M_y||, hence the
  certified (loose) L0 = 12 a_max^2 Lam c / lambda^2 + 2 ||M_y||, L1 = 6 a_max^2 Lam / lambda^(4/3),
  alpha = 2/3.
* ``dro_dual(n, d, lam)``: chi^2-DRO dual L(w, eta) = lam (1/n) sum psi((l_i(w) - eta)/lam) + eta with
  psi(t) = max(t/2 + 1, 0)^2 - 1 (psi' = max(t/2+1, 0) >= 0, psi'' <= M = 1/2) and a loss l_i that is
  G-Lipschitz and Ls-smooth (logistic: G = max ||x_i||, Ls = max ||x_i||^2 / 4). Its Hessian is
  (1/n) sum psi''/lam [grad l_i; -1][grad l_i; -1]^T + (1/n) sum psi'_i diag(hess l_i, 0), and
  (1/n) sum psi'_i = 1 - dL/deta <= 1 + ||grad L||, so L0 = Ls + M (G^2 + 1)/lam, L1 = Ls, alpha = 1
  (the talk's L + 2M(G+1)^2/lam is also valid, but looser). Convex (psi convex non-decreasing).

Source: seed 002 (generalized-smoothness talk: eq. 3, eq. 4, eq. 5, eq. 9), seed-notes-short §3.4.

Example:
    >>> p = power_norm(d=2, p=4)
    >>> round(p.alpha, 6), round(p.L1, 6), round(p.pl_exponent, 6)
    (0.666667, 4.762203, 1.333333)
    >>> q = cosh_sum(d=1)
    >>> (q.L0, q.L1, q.alpha, q.pl_mu)
    (1.0, 1.0, 1.0, 0.5)
"""
from __future__ import annotations

import math

import numpy

import optlab.numpy as onp

from ._linalg import margins, op_norm, pullback
from .base import (
    DeviceData, FiniteSumProblem, Problem, check_int, check_number, check_nonnegative, check_positive,
)
from .declared import DroDualProblem, PhaseRetrievalProblem


def power_norm(d, p=4.0, center=None):
    """||x - c||^p for p >= 2 (c = 0 unless given): exact generalized smoothness and generalized PL."""
    d = check_int("d", d)
    p = check_number("p", p)
    if p < 2:
        raise ValueError(f"p must satisfy p >= 2 (twice differentiable at the minimiser), got p={p!r}")
    c = numpy.zeros(d) if center is None else numpy.asarray(center, dtype=float)
    data = DeviceData(c)

    # per row of a batch of seeds (S, d) as for one iterate: sums over the last axis
    def f(x):
        r = x - data(x)[1]
        return onp.sum(r * r, axis=-1) ** (p / 2)

    def grad(x):
        xp, c_ = data(x)
        r = x - c_
        n = xp.sqrt(xp.sum(r * r, axis=-1, keepdims=True))
        return p * n ** (p - 2) * r                      # 0 at the minimiser (p = 2: 2 r = 0)

    def hvp(x, v):
        xp, c_ = data(x)
        r = x - c_
        n2 = xp.sum(r * r, axis=-1, keepdims=True)
        safe = xp.where(n2 > 0, n2, 1.0)
        out = p * safe ** ((p - 2) / 2) * (v + (p - 2) * r * xp.sum(r * v, axis=-1, keepdims=True) / safe)
        return xp.where(n2 > 0, out, 2.0 * v if p == 2 else 0.0 * v)   # the Hessian at r = 0

    q = p / (p - 1)
    kw = dict(L0=0.0, L1=(p - 1) * p ** (1 / (p - 1)), alpha=(p - 2) / (p - 1), pl_mu=p ** q / 2,
              pl_exponent=q)
    assumptions = {"convex", "generalized_smooth", "generalized_pl"}
    if p == 2:
        kw.update(H=2.0, mu=2.0, rho=0.0)
        assumptions |= {"smooth", "strongly_convex", "second_order_smooth"}
    elif p == 3:
        kw.update(rho=6.0)
        assumptions.add("second_order_smooth")
    return Problem(f, d, f"||x||^{p:g}", grad=grad, hvp=hvp, x_star=c, f_star=0.0,
                   assumptions=assumptions, x0=c + numpy.full(d, 1.0 / math.sqrt(d)),
                   source="seed 002 (generalized smoothness, eq. 5, 9); seed-notes-short §3.4(1)",
                   notes="Hessian form and PL hold with equality", batched=True, **kw)


def cosh_sum(d=1, a=1.0):
    """sum_i (cosh(a x_i) - 1)/a^2: (L0, L1, alpha) = (1, a, 1), mu = 1, PL with q = 1."""
    d = check_int("d", d)
    a = check_positive("a", a)

    def f(x):          # per row of a batch of seeds (S, d): a sum over the last axis
        return onp.sum((onp.exp(a * x) + onp.exp(-a * x)) * 0.5 - 1.0, axis=-1) / a ** 2

    # ufuncs only (elementwise, so a batch of seeds too): numpy.sinh of a CuPy array runs on its device
    # (NEP 13 dispatch)
    return Problem(f, d, f"cosh sum (a={a:g})", grad=lambda x: numpy.sinh(a * x) / a,
                   hvp=lambda x, v: numpy.cosh(a * x) * v, mu=1.0, L0=1.0, L1=a, alpha=1.0,
                   pl_mu=a / (2 * math.sqrt(d)), pl_exponent=1.0, x_star=numpy.zeros(d), f_star=0.0,
                   assumptions={"convex", "strongly_convex", "generalized_smooth", "generalized_pl"},
                   x0=numpy.full(d, 3.0 / a),
                   source="seed 002 (exp-type example); seed-notes-short §3.4(2)",
                   notes="also PL with exponent 2 and constant 1 (strong convexity)",
                   extra={"pl2_mu": 1.0}, batched=True)


def phase_retrieval(m, d, noise=0.0, seed=0):
    """(1/2m) sum (y_r - (a_r^T w)^2)^2 with a_r ~ N(0, I), y_r = (a_r^T w_true)^2 + noise N(0, 1)."""
    m = check_int("m", m)
    d = check_int("d", d)
    noise = check_nonnegative("noise", noise)
    rng = numpy.random.default_rng(seed)
    A = rng.standard_normal((m, d))
    w_true = rng.standard_normal(d) / math.sqrt(d)
    y = (A @ w_true) ** 2 + noise * rng.standard_normal(m)

    data = DeviceData(A, y)

    # s = a_r^T w per selected row: (B,) for one iterate; (S, B) for a batch of seeds w (S, d), with idx
    # (S, B) per seed or (B,) shared (margins and its adjoint pullback handle the three cases)
    def f_i(w, idx):
        _, A_, y_ = data(w)
        s = margins(A_[idx], w)
        r = y_[idx] - s * s
        return 0.5 * onp.mean(r * r, axis=-1)

    def grad_i(w, idx):
        _, A_, y_ = data(w)
        Ai = A_[idx]
        s = margins(Ai, w)
        return pullback(Ai, 2 * (s * s - y_[idx]) * s) / idx.shape[-1]

    def grad_all(w):
        _, A_, y_ = data(w)
        s = A_ @ w
        return A_ * (2 * (s * s - y_) * s)[:, None]

    def hvp_i(w, v, idx):
        _, A_, y_ = data(w)
        Ai = A_[idx]
        s = margins(Ai, w)
        return pullback(Ai, 2 * (3 * s * s - y_[idx]) * margins(Ai, v)) / idx.shape[-1]

    a_max = float(numpy.max(numpy.linalg.norm(A, axis=1)))
    y_max = float(numpy.max(numpy.abs(y)))
    S = A.T @ A / m
    ev = numpy.linalg.eigvalsh(S)
    My = (A * y[:, None]).T @ A / m
    c = max(float(numpy.linalg.eigvalsh(My)[-1]), 0.0)
    extra = {"K0_per_term": 4 * y_max * a_max ** 2, "K1_per_term": 3 * 2 ** (1 / 3) * a_max ** (4 / 3),
             "alpha_per_term": 2 / 3, "a_max": a_max, "y_max": y_max}
    kw, assumptions = {}, {"nonconvex"}
    if m >= d and ev[0] > 1e-10:
        lam, Lam = float(ev[0]), float(ev[-1])
        kw = dict(L0=12 * a_max ** 2 * Lam * c / lam ** 2 + 2 * op_norm(My),
                  L1=6 * a_max ** 2 * Lam / lam ** (4 / 3), alpha=2 / 3)
        assumptions.add("generalized_smooth")
    exact = noise == 0
    return PhaseRetrievalProblem(
        f_i, f"phase retrieval (m={m}, d={d})", A=A, y=y, w_true=w_true, grad_i=grad_i, grad_all=grad_all,
        hvp_i=hvp_i, x_star=w_true if exact else None, f_star=0.0 if exact else None,
        assumptions=assumptions, x0=rng.standard_normal(d) / math.sqrt(d),
        source="seed 002 eq. (3) and its per-sample property; seed-notes-short §3.4(3)",
        notes="per-term constants K0, K1 are for F_r = 1/2 (y_r - s^2)^2; x_star is defined up to sign",
        extra=extra, batched=True, **kw)


def _psi(t):
    return onp.maximum(0.5 * t + 1.0, 0.0) ** 2 - 1.0


def dro_dual(n, d, lam=0.1, seed=0):
    """chi^2-DRO dual over z = (w, eta) in R^(d+1) with logistic losses; (L0, L1, 1) certified."""
    n = check_int("n", n)
    d = check_int("d", d)
    lam = check_positive("lam", lam)
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    yl = numpy.where(rng.random(n) < 0.5, 1.0, -1.0)
    Z = X * yl[:, None]
    row = numpy.linalg.norm(X, axis=1)
    G, Ls, M = float(row.max()), float(row.max() ** 2 / 4), 0.5

    data = DeviceData(Z)

    # z = (w, eta) is (d+1,) for one iterate, (S, d+1) for a batch of seeds; idx (B,), or (S, B) / (B,).
    # eta is kept as a trailing axis of length 1 (z[..., d:]) so that it broadcasts against the B terms.
    def f_i(z, idx):
        w, eta = z[..., :d], z[..., d:]
        loss = onp.softplus(-margins(data(z)[1][idx], w))            # l_i(w), (B,) or (S, B)
        return onp.mean(lam * _psi((loss - eta) / lam), axis=-1) + onp.sum(eta, axis=-1)

    def _parts(z, idx):
        """Per selected term: sigma(-margin) = -l_i'(margin), psi'(t_i) and t_i = (l_i - eta)/lam."""
        xp, Z_ = data(z)
        w, eta = z[..., :d], z[..., d:]
        Zi = Z_[idx]
        mrg = margins(Zi, w)
        t = (xp.logaddexp(0.0, -mrg) - eta) / lam
        return xp, Zi, 0.5 * (1 - xp.tanh(0.5 * mrg)), xp.maximum(0.5 * t + 1.0, 0.0), t

    def grad_all(z):
        xp, Zi, s, pp, _ = _parts(z, slice(None))
        gl = -Zi * s[:, None]
        return xp.concatenate([gl * pp[:, None], (1.0 - pp)[:, None]], axis=1)

    def grad_i(z, idx):
        # dL/dw = mean psi'_i grad l_i = mean psi'_i (-s_i z_i);  dL/deta = 1 - mean psi'_i
        xp, Zi, s, pp, _ = _parts(z, idx)
        B = idx.shape[-1]
        return xp.concatenate([pullback(Zi, -s * pp) / B, 1.0 - pp.mean(axis=-1, keepdims=True)], axis=-1)

    def hvp_i(z, v, idx):
        xp, Zi, s, pp, t = _parts(z, idx)
        vw, ve = v[..., :d], v[..., d:]
        zv = margins(Zi, vw)
        u = -s * zv - ve                                   # <[grad l_i; -1], v>
        curv = (0.5 * (t > -2)) / lam                      # psi''(t_i) / lam
        top = pullback(Zi, -s * curv * u + pp * s * (1 - s) * zv)
        return xp.concatenate([top, -(curv * u).sum(axis=-1, keepdims=True)], axis=-1) / idx.shape[-1]

    return DroDualProblem(
        f_i, f"chi^2 DRO dual (n={n}, d={d}, lam={lam:g})", X=X, labels=yl, lam=lam, grad_i=grad_i,
        grad_all=grad_all, hvp_i=hvp_i, L0=Ls + M * (G ** 2 + 1) / lam, L1=Ls, alpha=1.0,
        assumptions={"convex", "generalized_smooth"}, x0=numpy.zeros(d + 1),
        source="seed 002 eq. (4) and its (L0, L1) property; seed-notes-short §3.4(4)",
        notes="variables z = (w, eta); psi'' jumps at t = -2 (Hessian form a.e.)",
        extra={"G_loss": G, "L_loss": Ls, "M_psi": M, "L0_talk": Ls + 2 * M * (G + 1) ** 2 / lam},
        batched=True)
