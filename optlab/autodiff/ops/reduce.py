"""Reductions (sum, mean, max, min, norm) and the softmax family, with their VJPs.

All take ``axis`` (None, an int or a tuple) and ``keepdims`` as in NumPy. The cotangent of a reduction
is broadcast back over the reduced axes (``expand_reduced``).
"""
from __future__ import annotations

import math

from ..graph import Primitive
from ._util import expand_reduced, raw, shape_of, xp_of, kept_shape
from .elementwise import exp, where

__all__ = [  # the public functions (optlab.numpy re-exports them; ops/__init__.py)
    "sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax", "norm",
]


def _reduce(name):
    def fn(x, axis=None, keepdims=False):
        return getattr(xp_of(x), name)(x, axis=axis, keepdims=keepdims)

    fn.__name__ = name
    return fn


_sum = Primitive("sum", _reduce("sum"), [
    lambda g, ans, x, axis, keepdims: expand_reduced(g, x, axis, keepdims),
], needs_args=False, needs_ans=False)


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes by default)."""
    return _sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis``: the sum divided by the number of reduced entries."""
    shape = shape_of(x)
    count = math.prod(shape) // math.prod(kept_shape(shape, axis)) if shape else 1
    return _sum(x, axis=axis, keepdims=keepdims) / count


def _extremum_vjp(g, ans, x, axis, keepdims):
    # The subgradient splits g equally between tied maximisers (or minimisers).
    x_raw, a_raw = raw(x), raw(ans)
    if not keepdims:
        a_raw = a_raw.reshape(kept_shape(shape_of(x), axis)) if hasattr(a_raw, "reshape") else a_raw
    hit = x_raw == a_raw
    share = hit / hit.sum(axis=axis, keepdims=True)
    return expand_reduced(g, x, axis, keepdims) * share


_max = Primitive("max", _reduce("max"), [_extremum_vjp])
_min = Primitive("min", _reduce("min"), [_extremum_vjp])


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis``; ties share the gradient equally."""
    return _max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``; ties share the gradient equally."""
    return _min(x, axis=axis, keepdims=keepdims)


def _logsumexp(x, axis=None, keepdims=False):
    xp = xp_of(x)
    m = xp.max(x, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0.0)  # all -inf along an axis gives -inf, not NaN
    out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else xp.squeeze(out, axis=axis) if axis is not None else out.reshape(())


_logsumexp_p = Primitive("logsumexp", _logsumexp, [
    lambda g, ans, x, axis, keepdims:
        expand_reduced(g, x, axis, keepdims) * exp(x - expand_reduced(ans, x, axis, keepdims)),
])


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over ``axis``, computed stably; its gradient is the softmax."""
    return _logsumexp_p(x, axis=axis, keepdims=keepdims)


def _softmax(x, axis=-1):
    xp = xp_of(x)
    e = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


def _log_softmax(x, axis=-1):
    return x - _logsumexp(x, axis=axis, keepdims=True)


_softmax_p = Primitive("softmax", _softmax, [
    lambda g, ans, x, axis: ans * (g - sum(g * ans, axis=axis, keepdims=True)),
], needs_args=False)
_log_softmax_p = Primitive("log_softmax", _log_softmax, [
    lambda g, ans, x, axis: g - exp(ans) * sum(g, axis=axis, keepdims=True),
], needs_args=False)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis``, computed stably."""
    return _softmax_p(x, axis=axis)


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along ``axis``, computed stably."""
    return _log_softmax_p(x, axis=axis)


def _norm(x, axis=None, keepdims=False):
    xp = xp_of(x)
    return xp.sqrt(xp.sum(x * x, axis=axis, keepdims=keepdims))


def _norm_vjp(g, ans, x, axis, keepdims):
    # d||x|| = x / ||x||; at x = 0 the subgradient 0 is used (never NaN).
    a = expand_reduced(ans, x, axis, keepdims)
    safe = where(raw(a) > 0, a, 1.0)
    return expand_reduced(g, x, axis, keepdims) * x / safe


_norm_p = Primitive("norm", _norm, [_norm_vjp])


def norm(x, ord=None, axis=None, keepdims=False):
    """Euclidean norm of a vector, or Frobenius norm of a matrix (``ord`` None, 2 or 'fro').

    The gradient at 0 is 0 (a subgradient), never NaN.
    """
    if ord not in (None, 2, "fro"):
        raise NotImplementedError(
            f"optlab.numpy.norm supports the Euclidean/Frobenius norm only (got ord={ord!r}); "
            "write other norms with abs, sum and max, e.g. sum(abs(x)) for ord=1"
        )
    if ord == 2 and len(shape_of(x)) == 2 and axis is None:
        raise NotImplementedError("the spectral norm (ord=2 of a matrix) is not supported; use 'fro'")
    return _norm_p(x, axis=axis, keepdims=keepdims)
