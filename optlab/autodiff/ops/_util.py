"""Helpers shared by the VJP rules: shapes, namespaces, and summing a broadcast cotangent back."""
from __future__ import annotations

import numpy

from ...backend import get_xp
from ..graph import Primitive, raw  # noqa: F401  (raw: re-exported for the rules)

__all__ = ["broadcast_to"]  # the public function here; the rest are helpers of the VJP rules


def shape_of(x):
    """Shape of an array, a Variable or a Python scalar (which has shape ())."""
    return getattr(x, "shape", ())


def xp_of(*xs):
    """Array namespace of raw inputs, with a fast path for NumPy and Python scalars."""
    for x in xs:
        t = type(x)
        if t is not numpy.ndarray and t is not float and t is not int and t is not numpy.float64:
            return get_xp(*xs)
    return numpy


def _sum_to(g, shape):
    gshape = shape_of(g)
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1
    )
    return xp_of(g).sum(g, axis=axes).reshape(shape)


def _broadcast_to(x, shape):
    return xp_of(x).broadcast_to(x, shape)


# sum_to and broadcast_to are each other's VJP: this pair is what makes broadcasting differentiable.
sum_to = Primitive(
    "sum_to", _sum_to, [lambda g, ans, x, shape: broadcast_to(g, shape=shape_of(x))],
    doc="Sum a broadcast array back down to `shape` (the adjoint of broadcast_to).",
    needs_args=False, needs_ans=False,
)
broadcast_to = Primitive(
    "broadcast_to", _broadcast_to, [lambda g, ans, x, shape: sum_to(g, shape=shape_of(x))],
    doc="numpy.broadcast_to, differentiable.", needs_args=False, needs_ans=False,
)


def unbroadcast(g, x):
    """Cotangent ``g`` of a broadcast result, summed back to the shape of the operand ``x``."""
    # Called for every operand of every binary operation in the reverse pass: shape_of is inlined.
    s = getattr(x, "shape", ())
    return g if getattr(g, "shape", ()) == s else sum_to(g, shape=s)


def kept_shape(shape, axis):
    """``shape`` with the reduced ``axis`` (None, int or tuple) kept as length 1."""
    if axis is None:
        return (1,) * len(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    axes = {a % len(shape) for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def expand_reduced(g, x, axis, keepdims):
    """Broadcast the cotangent of a reduction back over the reduced axes of ``x``."""
    shape = shape_of(x)
    if not keepdims:
        from .shape import reshape

        g = reshape(g, kept_shape(shape, axis))
    return broadcast_to(g, shape=shape)
