"""The third derivative of a loss as a d x d x d tensor, and its operator norm (EC500 Def 25.2, seed 003).

* :func:`third_derivative`: T[i, j, k] = d^3 L / (dw_i dw_j dw_k) at w, from optlab's engine alone: row i
  is the Jacobian of w -> hess L(w) e_i, a Hessian-vector product differentiated once more (reverse over
  reverse over reverse). The family's analytic ``hvp`` is not used, so Hessians built from it and this
  tensor are two independent computations. d Jacobians of d reverse passes each: for small d.
* :func:`op_norm`: ||T||_op = sup over unit x, y, z of |T(x, y, z)| (Def 25.2), bracketed from both sides:

  - ``lower``: max |T(u, u, u)| over unit vectors u found by a symmetric power iteration
    (u <- T(u, u, .) / ||T(u, u, .)||) from many starts. It is the value of the form at an actual unit
    vector, so it is a *certified lower bound* (up to rounding in one contraction).
  - ``upper``: the spectral norm of the d x d^2 unfolding M[i, (j, k)] = T[i, j, k]. Since
    T(x, y, z) = x^T M (y kron z) and ||y kron z|| = ||y|| ||z||, it is a *certified upper bound*; it is
    never above the Frobenius norm.

  For a symmetric tensor (a third derivative is one) the sup over three vectors equals the sup of
  |T(u, u, u)| over one (Banach, 1938), which is the ``lower`` side's target; ``lower`` = ``upper`` when
  T has rank one, e.g. any 1-D function (where both are |L'''(w)|).

Example: L(w) = w_1^3 / 6 has T = e_1 (x) e_1 (x) e_1, of operator norm 1:

    >>> T = third_derivative(lambda w: w[0] ** 3 / 6 + w[1] ** 2, numpy.array([0.3, -1.0]))
    >>> float(T[0, 0, 0]), float(abs(T).sum() - abs(T[0, 0, 0]))
    (1.0, 0.0)
    >>> [round(v, 12) for v in op_norm(T)[:2]]
    [1.0, 1.0]
"""
from __future__ import annotations

from typing import NamedTuple

import numpy

from ..autodiff import hvp, jacobian


def _loss(problem_or_f):
    return getattr(problem_or_f, "f", problem_or_f)


def third_derivative(problem_or_f, w):
    """The symmetrised d x d x d third-derivative tensor of L (a Problem or a function) at w, by the engine."""
    f = _loss(problem_or_f)
    w = numpy.asarray(w, dtype=float)
    if w.ndim != 1:
        raise ValueError(f"w must be one point, a vector of shape (d,), got shape {w.shape}")
    d = w.shape[0]
    hv = hvp(f)
    eye = numpy.eye(d)
    T = numpy.array([numpy.asarray(jacobian(lambda x, e=eye[i]: hv(x, e))(w), dtype=float).reshape(d, d)
                     for i in range(d)])
    # The exact tensor is symmetric; averaging the 6 index orders removes the rounding that differs among them.
    return sum(T.transpose(p) for p in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0))) / 6


class OpNorm(NamedTuple):
    """||T||_op bracketed: ``lower`` (attained at the unit vector ``u``) <= ||T||_op <= ``upper``."""
    lower: float
    upper: float
    u: numpy.ndarray


def op_norm(T, starts=16, iters=150, seed=0):
    """Bracket the operator norm of a symmetric 3-tensor (see the module docstring): ``OpNorm(lower, upper, u)``.

    ``lower`` is the best |T(u, u, u)| over ``starts`` random starts, the 2d coordinate vectors +-e_i
    and the top singular vectors of the unfolding, each refined by up to ``iters`` power steps (fewer once
    every start has stopped moving).
    """
    T = numpy.asarray(T, dtype=float)
    if T.ndim != 3 or not T.shape[0] == T.shape[1] == T.shape[2]:
        raise ValueError(f"T must be a d x d x d tensor, got shape {T.shape}")
    d = T.shape[0]
    M = T.reshape(d, d * d)
    upper = float(numpy.linalg.norm(M, 2)) if d else 0.0
    if upper == 0.0:
        return OpNorm(0.0, 0.0, numpy.eye(d)[0] if d else numpy.zeros(0))
    rng = numpy.random.default_rng(seed)
    U = numpy.vstack([rng.standard_normal((starts, d)), numpy.eye(d), -numpy.eye(d),
                      numpy.linalg.svd(M, full_matrices=False)[0].T])
    U /= numpy.linalg.norm(U, axis=1, keepdims=True)
    # Shifted power steps u <- (T(u, u, .) + alpha u) / norm, all starts at once (Kolda and Mayo 2011,
    # SS-HOPM; the shift damps the oscillation of the plain power step). Since T is odd in u, max T(u, u, u)
    # over the sphere is max |T(u, u, u)|. Every iterate is a unit vector, so the best value seen is kept.
    alpha = upper / 2
    best, best_u = -1.0, U[0]
    for _ in range(iters):
        G = numpy.einsum("ijk,sj,sk->si", T, U, U)
        values = numpy.abs(numpy.einsum("si,si->s", G, U))
        k = int(numpy.argmax(values))
        if values[k] > best:
            best, best_u = float(values[k]), U[k]
        G += alpha * U
        U_next = G / numpy.linalg.norm(G, axis=1, keepdims=True)
        if numpy.abs(U_next - U).max() < 1e-13:        # every start has stopped moving
            break
        U = U_next
    return OpNorm(best, upper, best_u)
