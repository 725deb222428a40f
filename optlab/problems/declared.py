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

Example:
    >>> from optlab.problems import least_squares, quadratic
    >>> isinstance(quadratic(d=3, mu=1.0, H=2.0), QuadraticProblem)
    True
    >>> p = least_squares(n=6, d=2)
    >>> p.loss, p.X.shape
    ('squares', (6, 2))
"""
from __future__ import annotations

import numpy

import optlab.numpy as onp

from .base import DeviceData, FiniteSumProblem, Problem

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
