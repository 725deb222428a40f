"""Sparse separable finite sums for Hogwild!: each term touches only ``nnz`` coordinates.

``sparse_hogwild(n, d, nnz)``: f(w) = (1/n) sum_i log(1 + exp(-y_i x_i^T w)) where every x_i has
exactly ``nnz`` non-zeros (its support e_i) and ||x_i|| = 1. Constants: convex; per-term gradients
satisfy ||grad f_i|| <= ||x_i|| = 1, so G = 1 for f and for every term (the bounded-gradient hypothesis
of the notes' Theorem 19.1); H = lambda_max(X^T X)/(4n) (attained at w = 0); per-term H_max = 1/4.
Sparsity statistics of Niu, Recht, Re and Wright (2011) in ``extra``: ``Omega`` = max |e_i| (= nnz),
``Delta`` = max over coordinates of the fraction of terms that touch it, ``rho_conflict`` = max over
terms of the fraction of terms whose support meets its support.
``p.supports`` is the n x nnz array of supports; ``p.grad_i_sparse(w, i)`` returns (support, values).

Source: EC500 notes (seed 003) §19 (Hogwild!, Theorem 19.1; the notes state no sparsity assumption);
Niu et al. (2011) (external) for the sparsity statistics.

Example:
    >>> import numpy as np
    >>> p = sparse_hogwild(n=40, d=10, nnz=2, seed=0)
    >>> p.extra["Omega"], p.G
    (2, 1.0)
    >>> s, v = p.grad_i_sparse(np.zeros(10), 0)
    >>> bool(np.allclose(p.grad_i(np.zeros(10), np.array([0]))[s], v))
    True
"""
from __future__ import annotations

import numpy

import optlab.numpy as onp

from ._linalg import gram_extremes
from .base import DeviceData, FiniteSumProblem, check_int


def _sigmoid(z, xp=numpy):
    return 0.5 * (1.0 + xp.tanh(0.5 * z))


def sparse_hogwild(n, d, nnz=2, seed=0):
    """Sparse logistic regression with unit-norm rows of ``nnz`` non-zeros each."""
    n, d, nnz = check_int("n", n), check_int("d", d), check_int("nnz", nnz)
    if nnz > d:
        raise ValueError(f"nnz must satisfy nnz <= d={d}, got nnz={nnz}")
    rng = numpy.random.default_rng(seed)
    supports = numpy.stack([numpy.sort(rng.choice(d, nnz, replace=False)) for _ in range(n)])
    vals = rng.standard_normal((n, nnz))
    vals /= numpy.linalg.norm(vals, axis=1, keepdims=True)
    X = numpy.zeros((n, d))
    numpy.put_along_axis(X, supports, vals, axis=1)
    y = numpy.where(X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) > 0, 1.0, -1.0)
    Z = X * y[:, None]
    Zv = vals * y[:, None]

    data = DeviceData(Z, Zv)

    def f_i(w, idx):
        return onp.mean(onp.softplus(-(data(w)[1][idx] @ w)))

    def grad_i(w, idx):
        xp, Z_, _ = data(w)
        Zi = Z_[idx]
        return -(Zi.T @ _sigmoid(-(Zi @ w), xp)) / len(idx)

    def grad_all(w):
        xp, Z_, _ = data(w)
        return -Z_ * _sigmoid(-(Z_ @ w), xp)[:, None]

    def hvp_i(w, v, idx):
        xp, Z_, _ = data(w)
        Zi = Z_[idx]
        s = _sigmoid(Zi @ w, xp)
        return Zi.T @ (s * (1 - s) * (Zi @ v)) / len(idx)

    touch = numpy.zeros(d)
    numpy.add.at(touch, supports.ravel(), 1)
    B = (X != 0).astype(float)
    conflicts = ((B @ B.T) > 0).sum(axis=1)
    _, hi = gram_extremes(X)
    p = FiniteSumProblem(f_i, n, d, f"sparse logistic for Hogwild (n={n}, d={d}, nnz={nnz})",
                         grad_i=grad_i, grad_all=grad_all, hvp_i=hvp_i, H=hi / 4, G=1.0,
                         assumptions={"convex", "smooth", "lipschitz"}, x0=numpy.zeros(d),
                         source="seed 003 §19 (Hogwild!); Niu et al. (2011) (external)",
                         extra={"H_max": 0.25, "G_max": 1.0, "Omega": nnz,
                                "Delta": float(touch.max() / n),
                                "rho_conflict": float(conflicts.max() / n)})

    def grad_i_sparse(w, i):
        xp, _, Zv_ = data(w)
        s = supports[i]   # the support stays on the host; the values are on w's device
        m = Zv_[i] @ w[s]
        return s, -Zv_[i] * _sigmoid(-m, xp)

    p.X, p.y, p.supports, p.grad_i_sparse = X, y, supports, grad_i_sparse
    return p
