"""Sparse separable finite sums for Hogwild!: each term touches only ``nnz`` coordinates.

``sparse_hogwild(n, d, nnz)``: f(w) = (1/n) sum_i log(1 + exp(-y_i x_i^T w)) where every x_i has
exactly ``nnz`` non-zeros (its support e_i) and ||x_i|| = 1. Constants: convex; per-term gradients
satisfy ||grad f_i|| <= ||x_i|| = 1, so G = 1 for f and for every term (the bounded-gradient hypothesis
of the notes' Theorem 19.1); H = lambda_max(X^T X)/(4n) (attained at w = 0); per-term H_max = 1/4.
Sparsity statistics of Niu, Recht, Re and Wright (2011) in ``extra``: ``Omega`` = max |e_i| (= nnz),
``Delta`` = max over coordinates of the fraction of terms that touch it, ``rho_conflict`` = max over
terms of the fraction of terms whose support meets its support.

The data is sparse throughout: ``p.X`` is a ``scipy.sparse`` CSR matrix (a :class:`DataFitProblem`
with ``loss="logistic"``), gradients of a minibatch touch only its rows, and the constants come from
sparse products (``lambda_max(X^T X)`` from the dense d x d Gram matrix for d <= 2000, else by
``scipy.sparse.linalg.eigsh`` plus its residual norm, an upper bound). Nothing of size n x d or n x n
is ever dense (``grad_all``, the n x d per-term gradients for exact variances, excepted), so n = 20000
costs megabytes, not gigabytes. On a GPU the rows are densified on the device (CuPy has no CSR here).
``p.supports`` is the n x nnz array of supports; ``p.grad_i_sparse(w, i)`` returns (support, values)
(a :class:`~optlab.problems.declared.SparseDataFitProblem`).

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
    >>> p.X.format, p.X.nnz
    ('csr', 80)
"""
from __future__ import annotations

import numpy

import optlab.numpy as onp

from ._linalg import gram_extremes, margins, pullback
from .base import check_int, is_cupy
from .declared import SparseDataFitProblem

DENSE_GRAM_MAX_D = 2000      # above this dimension, lambda_max(X^T X) by a sparse eigensolver


def _sigmoid(z, xp=numpy):
    return 0.5 * (1.0 + xp.tanh(0.5 * z))


class _Rows:
    """The margin matrix Z (rows y_i x_i) on the host as CSR, densified once per device for CuPy."""

    def __init__(self, Z):
        self.Z, self._dense = Z, {}

    def __call__(self, w):
        while hasattr(w, "value") and hasattr(w, "op"):        # a graph value: its array decides
            w = w.value
        if not is_cupy(w):
            return numpy, self.Z
        import cupy

        key = getattr(getattr(w, "device", None), "id", 0)
        if key not in self._dense:
            self._dense[key] = cupy.asarray(self.Z.toarray())
        return cupy, self._dense[key]


def _row_margins(Z, idx, w):
    """z_i^T w for the rows idx: (B,) for one w; (S, B) for a batch w (S, d), idx (S, B) or (B,)."""
    from scipy import sparse   # (scipy.sparse is imported when first needed)

    if not sparse.issparse(Z):
        return margins(Z[idx], w)
    if w.ndim == 1:
        return Z[idx] @ w
    if idx.ndim == 1:                                   # shared rows
        return (Z[idx] @ w.T).T
    S, B = idx.shape                                    # each seed its own rows
    rows = Z[idx.ravel()]
    return numpy.asarray(rows.multiply(numpy.repeat(w, B, axis=0)).sum(axis=1)).reshape(S, B)


def _row_pullback(Z, idx, r):
    """sum_b r_b z_{idx_b}: (d,) for r (B,); (S, d) for r (S, B)."""
    from scipy import sparse   # (scipy.sparse is imported when first needed)

    if not sparse.issparse(Z):
        return pullback(Z[idx], r)
    if r.ndim == 1:
        return Z[idx].T @ r
    if idx.ndim == 1:
        return (Z[idx].T @ r.T).T
    S, B = idx.shape
    rows = Z[idx.ravel()].multiply(r.reshape(-1, 1))    # (S B) x d, sparse
    group = sparse.csr_matrix((numpy.ones(S * B), (numpy.repeat(numpy.arange(S), B), numpy.arange(S * B))),
                              shape=(S, S * B))
    return (group @ rows).toarray()


def _lambda_max(X):
    """lambda_max(X^T X / n): dense eigenvalues for small d, else eigsh plus its residual (an upper bound)."""
    from scipy import sparse
    from scipy.sparse import linalg as sparse_linalg

    n, d = X.shape
    if d <= DENSE_GRAM_MAX_D:
        return gram_extremes(X.toarray() if sparse.issparse(X) else X)[1]
    op = sparse_linalg.LinearOperator((d, d), matvec=lambda v: X.T @ (X @ v) / n, dtype=float)
    (theta,), V = sparse_linalg.eigsh(op, k=1, which="LA", tol=1e-10)
    v = V[:, 0]
    return float(theta + numpy.linalg.norm(op.matvec(v) - theta * v))


def sparse_hogwild(n, d, nnz=2, seed=0):
    """Sparse logistic regression with unit-norm rows of ``nnz`` non-zeros each."""
    from scipy import sparse   # (scipy.sparse is imported when first needed)

    n, d, nnz = check_int("n", n), check_int("d", d), check_int("nnz", nnz)
    if nnz > d:
        raise ValueError(f"nnz must satisfy nnz <= d={d}, got nnz={nnz}")
    rng = numpy.random.default_rng(seed)
    supports = numpy.stack([numpy.sort(rng.choice(d, nnz, replace=False)) for _ in range(n)])
    vals = rng.standard_normal((n, nnz))
    vals /= numpy.linalg.norm(vals, axis=1, keepdims=True)
    X = sparse.csr_matrix((vals.ravel(), supports.ravel(), numpy.arange(n + 1) * nnz), shape=(n, d))
    y = numpy.where(X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) > 0, 1.0, -1.0)
    Z = sparse.csr_matrix(X.multiply(y[:, None]))
    Zv = vals * y[:, None]
    rows = _Rows(Z)

    def f_i(w, idx):
        xp, Z_ = rows(w)
        if sparse.issparse(Z_) and isinstance(w, numpy.ndarray):      # plain host arrays: sparse products
            return numpy.mean(numpy.logaddexp(0.0, -_row_margins(Z_, idx, w)), axis=-1)
        if sparse.issparse(Z_):          # the selected rows, dense for the engine: (B, d), or (S, B, d)
            Zi = Z_[idx.ravel()].toarray().reshape(idx.shape + (d,))    # (CSR indexes one axis only)
        else:
            Zi = Z_[idx]
        return onp.mean(onp.softplus(-margins(Zi, w)), axis=-1)

    def grad_i(w, idx):
        xp, Z_ = rows(w)
        return -_row_pullback(Z_, idx, _sigmoid(-_row_margins(Z_, idx, w), xp)) / idx.shape[-1]

    def grad_all(w):
        xp, Z_ = rows(w)
        s = _sigmoid(-(Z_ @ w), xp)
        out = Z_.multiply(-s[:, None]) if sparse.issparse(Z_) else -Z_ * s[:, None]
        return out.toarray() if sparse.issparse(out) else out

    def hvp_i(w, v, idx):
        xp, Z_ = rows(w)
        s = _sigmoid(_row_margins(Z_, idx, w), xp)
        return _row_pullback(Z_, idx, s * (1 - s) * _row_margins(Z_, idx, v)) / idx.shape[-1]

    touch = numpy.bincount(supports.ravel(), minlength=d)
    pattern = sparse.csr_matrix((numpy.ones(n * nnz), supports.ravel(), numpy.arange(n + 1) * nnz),
                                shape=(n, d))
    conflicts = numpy.asarray(((pattern @ pattern.T) > 0).sum(axis=1)).ravel()
    def grad_i_sparse(w, i):
        xp = rows(w)[0]
        s = supports[i]   # the support stays on the host; the values go to w's device
        zv = xp.asarray(Zv[i])
        return s, -zv * _sigmoid(-(zv @ w[s]), xp)

    return SparseDataFitProblem(
        f_i, n, d, f"sparse logistic for Hogwild (n={n}, d={d}, nnz={nnz})", supports=supports,
        grad_i_sparse=grad_i_sparse, X=X, y=y, loss="logistic", grad_i=grad_i, grad_all=grad_all,
        hvp_i=hvp_i, H=_lambda_max(X) / 4, G=1.0, assumptions={"convex", "smooth", "lipschitz"},
        x0=numpy.zeros(d), source="seed 003 §19 (Hogwild!); Niu et al. (2011) (external)",
        extra={"H_max": 0.25, "G_max": 1.0, "Omega": nnz, "Delta": float(touch.max() / n),
               "rho_conflict": float(conflicts.max() / n)}, batched=True)
