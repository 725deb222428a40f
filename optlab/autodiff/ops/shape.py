"""Shape primitives: reshape, transpose, indexing, concatenate and stack, with their VJPs.

Each VJP is the adjoint map: reshape back, transpose by the inverse permutation, scatter the
cotangent of a slice into zeros (adding where an index repeats), and slice a concatenation apart.
"""
from __future__ import annotations

import builtins

from ..graph import Primitive, raw
from ._util import shape_of, xp_of

__all__ = [  # the public functions (optlab.numpy re-exports them; ops/__init__.py)
    "reshape", "transpose", "swapaxes", "concatenate", "stack", "expand_dims", "ravel",
]


def _reshape(x, shape):
    return xp_of(x).reshape(x, shape)


_reshape_p = Primitive("reshape", _reshape, [lambda g, ans, x, shape: reshape(g, shape_of(x))],
                       needs_args=False, needs_ans=False)


def reshape(x, shape):
    """numpy.reshape (``-1`` allowed)."""
    return _reshape_p(x, shape=tuple(shape) if not isinstance(shape, int) else (shape,))


def _transpose(x, axes=None):
    return xp_of(x).transpose(x, axes)


def _inverse(axes, ndim):
    if axes is None:
        return None  # reversing twice is the identity
    inv = [0] * ndim
    for i, a in enumerate(axes):
        inv[a % ndim] = i
    return tuple(inv)


_transpose_p = Primitive("transpose", _transpose, [
    lambda g, ans, x, axes: transpose(g, _inverse(axes, len(shape_of(x)))),
], needs_args=False, needs_ans=False)


def transpose(x, axes=None):
    """numpy.transpose: reverse the axes, or permute them as ``axes`` says."""
    return _transpose_p(x, axes=None if axes is None else tuple(axes))


def swapaxes(x, a, b):
    """Exchange two axes (derived from transpose)."""
    axes = list(range(len(shape_of(x))))
    axes[a], axes[b] = axes[b], axes[a]
    return transpose(x, axes)


def _getitem(x, index):
    return x[index]


def _untake(g, index, shape):
    """Adjoint of x[index]: zeros of ``shape`` with g added at ``index`` (repeats accumulate)."""
    xp = xp_of(g)
    out = xp.zeros(shape, dtype=getattr(g, "dtype", float))
    if _is_basic(index):
        out[index] = g
    else:
        xp.add.at(out, index, g)
    return out


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return builtins.all(p is None or p is Ellipsis or isinstance(p, (int, slice)) for p in parts)


_getitem_p = Primitive("getitem", _getitem, [lambda g, ans, x, index: _untake_p(g, index=index, shape=shape_of(x))],
                       needs_args=False, needs_ans=False)
_untake_p = Primitive("untake", _untake, [lambda g, ans, x, index, shape: _getitem_p(g, index=index)],
                      needs_args=False, needs_ans=False)


def getitem(x, index):
    """x[index]: basic slicing, integer arrays and boolean masks (the index is not differentiated)."""
    index = tuple(raw(i) for i in index) if isinstance(index, tuple) else raw(index)
    return _getitem_p(x, index=index)


def _concatenate(*arrays, axis=0):
    return xp_of(*arrays).concatenate(arrays, axis=axis)


def _concatenate_vjp(i, g, ans, *arrays, axis):
    ndim = len(shape_of(ans))
    ax = axis % ndim
    start = builtins.sum(shape_of(a)[ax] for a in arrays[:i])
    index = (slice(None),) * ax + (slice(start, start + shape_of(arrays[i])[ax]),)
    return getitem(g, index)


_concatenate_p = Primitive("concatenate", _concatenate, [_concatenate_vjp], variadic=True,
                           needs_args=False, needs_ans=False)


def concatenate(arrays, axis=0):
    """Join a sequence of arrays along an existing axis."""
    return _concatenate_p(*arrays, axis=axis)


def _stack(*arrays, axis=0):
    return xp_of(*arrays).stack(arrays, axis=axis)


def _stack_vjp(i, g, ans, *arrays, axis):
    ax = axis % len(shape_of(ans))
    return getitem(g, (slice(None),) * ax + (i,))


_stack_p = Primitive("stack", _stack, [_stack_vjp], variadic=True, needs_args=False, needs_ans=False)


def stack(arrays, axis=0):
    """Join a sequence of same-shaped arrays along a new axis."""
    return _stack_p(*arrays, axis=axis)


def expand_dims(x, axis):
    """Insert a length-1 axis at ``axis`` (derived from reshape)."""
    shape = list(shape_of(x))
    shape.insert(axis % (len(shape) + 1), 1)
    return reshape(x, shape)


def ravel(x):
    """Flatten to one dimension (derived from reshape)."""
    return reshape(x, (-1,))
