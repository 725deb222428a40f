"""Problem kinds with declared fields: what a family's data is, stated in its type.

Code that needs more than ``f``/``grad`` reads these fields, never attributes patched on afterwards:
the exact moments of SGD read a quadratic's ``A``, Hogwild! reads a data fit's CSR rows and its loss.

* :class:`QuadraticProblem`: f(x) = 1/2 (x - center)^T A (x - center) + f_center with a symmetric A;
  fields ``A``, ``center``, ``f_center``, ``eigenvalues``/``eigenvectors`` (A = Q diag(lam) Q^T).
  ``f``, ``grad`` and ``hvp`` vectorize over a batch of seeds.
* :class:`DataFitProblem`: a finite sum over data rows, f_i(w) = loss(x_i^T w, y_i) (+ lam/2 ||w||^2);
  fields ``X`` (n x d, a NumPy array or a ``scipy.sparse`` CSR matrix), ``y``, ``loss`` (one of
  ``LOSSES``), ``lam`` and ``w_true`` (the planted parameter, or None).
* :class:`RotatedSumProblem`: sum_i phi((Q (w - center))_i), separable after a rotation; fields ``Q``
  and ``center``.
* :class:`SparseDataFitProblem`: a :class:`DataFitProblem` whose rows have ``nnz`` non-zeros each;
  field ``supports`` (n x nnz column indices) and ``grad_i_sparse(w, i)`` (Hogwild!'s sparse update).
* :class:`LinearTermsProblem`: f_i(x) = slopes[i] x in one dimension (Reddi et al.'s example); field
  ``slopes`` and its online sequence ``online_index(t)`` (term (t - 1) mod n at step t).
* :class:`PhaseRetrievalProblem`: (1/2m) sum (y_r - (a_r^T w)^2)^2; fields ``A``, ``y``, ``w_true``.
* :class:`DroDualProblem`: the chi^2-DRO dual over (w, eta) with logistic losses; fields ``X``,
  ``labels`` and ``lam``.
* :class:`StrictSaddleProblem`: a problem with a known strict saddle point, field ``x_saddle``.
* :class:`CubicModelProblem`: 1/2 x^T A x + c^T x + rho/6 ||x||^3; fields ``A`` and ``c``.

Example:
    >>> from optlab.problems import least_squares, quadratic
    >>> isinstance(quadratic(d=3, mu=1.0, H=2.0), QuadraticProblem)
    True
    >>> p = least_squares(n=6, d=2)
    >>> p.loss, p.X.shape
    ('squares', (6, 2))
    >>> from optlab.problems import strict_saddle
    >>> strict_saddle(d=2).x_saddle
    array([0., 0.])
"""
from __future__ import annotations

import numpy

import optlab.numpy as onp

from .base import FiniteSumProblem, Problem
from .device_data import DeviceData

LOSSES = ("squares", "logistic", "huber", "absolute")


class QuadraticProblem(Problem):
    """f(x) = 1/2 (x - center)^T A (x - center) + f_center (see the module docstring)."""

    def __init__(self, A, center, f_center, name, *, eigenvalues=None, eigenvectors=None, **kwargs):
        self.A = numpy.asarray(A, dtype=float)
        self.center = numpy.asarray(center, dtype=float)
        self.f_center = float(f_center)
        if eigenvalues is None:
            eigenvalues, eigenvectors = numpy.linalg.eigh(self.A)
        self.eigenvalues, self.eigenvectors = numpy.asarray(eigenvalues), eigenvectors
        data, fc = DeviceData(self.A, self.center), self.f_center

        # A is symmetric, so r @ A is A r for one iterate and row by row for a batch of seeds (S, d)
        def f(x):
            _, A_, c_ = data(x)
            r = x - c_
            return 0.5 * onp.sum(r * (r @ A_), axis=-1) + fc

        def grad(x):
            _, A_, c_ = data(x)
            return (x - c_) @ A_

        def hvp(x, v):
            return v @ data(x)[1]

        super().__init__(f, self.A.shape[0], name, grad=grad, hvp=hvp, batched=True, **kwargs)


class DataFitProblem(FiniteSumProblem):
    """A finite sum over the rows of ``X`` with a per-example ``loss`` (see the module docstring).
    ``f_i``, ``grad_i``, ... are the family's own (closed-form) functions of the same data."""

    def __init__(self, f_i, n, d, name, *, X, y, loss, lam=0.0, w_true=None, **kwargs):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got loss={loss!r}")
        if X.shape != (n, d):
            raise ValueError(f"X must have shape (n, d) = ({n}, {d}), got {X.shape}")
        self.X, self.y, self.loss, self.lam, self.w_true = X, numpy.asarray(y, dtype=float), loss, lam, w_true
        super().__init__(f_i, n, d, name, **kwargs)


class RotatedSumProblem(Problem):
    """sum_i phi((Q (w - center))_i): a separable loss in rotated coordinates (Q orthogonal)."""

    def __init__(self, f, d, name, *, Q, center=None, **kwargs):
        self.Q = numpy.asarray(Q, dtype=float)
        self.center = numpy.zeros(d) if center is None else numpy.asarray(center, dtype=float)
        super().__init__(f, d, name, **kwargs)


class SparseDataFitProblem(DataFitProblem):
    """A :class:`DataFitProblem` with sparse rows: ``supports[i]`` are the columns where row i is
    non-zero, and ``grad_i_sparse(w, i)`` returns (support, values) of grad f_i(w), the coordinates a
    Hogwild! worker writes."""

    def __init__(self, f_i, n, d, name, *, supports, grad_i_sparse, **kwargs):
        self.supports = numpy.asarray(supports)
        if self.supports.ndim != 2 or self.supports.shape[0] != n:
            raise ValueError(f"supports must have one row of column indices per term, shape (n, nnz) = "
                             f"({n}, nnz), got {self.supports.shape}")
        self._grad_i_sparse = grad_i_sparse
        super().__init__(f_i, n, d, name, **kwargs)

    def grad_i_sparse(self, w, i):
        """(support, values): grad f_i(w) on the columns ``supports[i]`` (zero elsewhere)."""
        return self._grad_i_sparse(w, i)


class LinearTermsProblem(FiniteSumProblem):
    """f_i(x) = slopes[i] x in one dimension (d = 1); the terms also form an online sequence that shows
    term ``online_index(t)`` = (t - 1) mod n at step t = 1, 2, ... (the cyclic order)."""

    def __init__(self, f_i, slopes, name, **kwargs):
        self.slopes = numpy.asarray(slopes, dtype=float)
        super().__init__(f_i, len(self.slopes), 1, name, **kwargs)

    def online_index(self, t):
        """The term shown at step t (1-based), as a length-1 index array."""
        return numpy.array([(t - 1) % self.n])


class PhaseRetrievalProblem(FiniteSumProblem):
    """(1/2m) sum_r (y_r - (a_r^T w)^2)^2: the measurement vectors ``A`` (m x d, rows a_r), the
    measurements ``y`` and the planted signal ``w_true`` (the minimiser up to sign when noiseless)."""

    def __init__(self, f_i, name, *, A, y, w_true, **kwargs):
        self.A, self.y = numpy.asarray(A, dtype=float), numpy.asarray(y, dtype=float)
        self.w_true = numpy.asarray(w_true, dtype=float)
        m, d = self.A.shape
        super().__init__(f_i, m, d, name, **kwargs)


class DroDualProblem(FiniteSumProblem):
    """The chi^2-DRO dual over z = (w, eta) with logistic losses on the data ``X`` (n x d) with
    ``labels`` in {-1, +1}, and the radius parameter ``lam``."""

    def __init__(self, f_i, name, *, X, labels, lam, **kwargs):
        self.X, self.labels, self.lam = numpy.asarray(X, dtype=float), numpy.asarray(labels, dtype=float), lam
        n, d = self.X.shape
        super().__init__(f_i, n, d + 1, name, **kwargs)


class StrictSaddleProblem(Problem):
    """A problem with a known strict saddle ``x_saddle`` (grad f = 0, lambda_min(hess f) < 0 there)."""

    def __init__(self, f, d, name, *, x_saddle, **kwargs):
        self.x_saddle = numpy.asarray(x_saddle, dtype=float)
        super().__init__(f, d, name, **kwargs)


class CubicModelProblem(Problem):
    """f(x) = 1/2 x^T A x + c^T x + rho/6 ||x||^3 (the cubic-Newton model): fields ``A`` (symmetric)
    and ``c``; ``rho`` is the problem's Hessian-Lipschitz constant."""

    def __init__(self, f, name, *, A, c, **kwargs):
        self.A, self.c = numpy.asarray(A, dtype=float), numpy.asarray(c, dtype=float)
        super().__init__(f, self.A.shape[0], name, **kwargs)
