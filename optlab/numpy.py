"""A NumPy-like namespace whose functions accept arrays, Python scalars and graph values.

Write a loss with ``import optlab.numpy as onp`` exactly as with NumPy; ``optlab.grad`` differentiates
it. Array creation (``array``, ``zeros``, ``linspace``, ...) and constants come from NumPy unchanged;
they make constants, not graph values.

Example:
    >>> import optlab
    >>> import optlab.numpy as onp
    >>> loss = lambda w: onp.mean(onp.softplus(-onp.array([1.0, -1.0]) * (onp.array([[1.0], [2.0]]) @ w)))
    >>> float(optlab.grad(loss)(onp.zeros(1))[0])
    0.25
"""
from numpy import (  # noqa: F401  constants and array creation (not differentiated)
    arange, array, asarray, e, empty, eye, float32, float64, full, inf, isfinite, isnan, linspace,
    nan, newaxis, ones, pi, zeros,
)

from .autodiff import ops as _ops
from .autodiff.graph import raw as _raw
from .autodiff.ops import *  # noqa: F401,F403  every differentiable function: ops.__all__
from .backend import get_xp as _get_xp


def zeros_like(x, dtype=None):
    """Zeros shaped like ``x`` (a constant, also when ``x`` is a graph value)."""
    x = _raw(x)
    return _get_xp(x).zeros_like(x, dtype=dtype)


def ones_like(x, dtype=None):
    """Ones shaped like ``x`` (a constant, also when ``x`` is a graph value)."""
    x = _raw(x)
    return _get_xp(x).ones_like(x, dtype=dtype)


def shape(x):
    return getattr(x, "shape", ())


def ndim(x):
    return len(shape(x))


__all__ = _ops.__all__ + ["zeros_like", "ones_like", "shape", "ndim"]


def __getattr__(name):
    raise AttributeError(
        f"optlab.numpy has no function '{name}'. To differentiate through it, add a primitive: "
        f"optlab.Primitive('{name}', forward_fn, [vjp_rule]) where vjp_rule(g, ans, x) returns the "
        f"cotangent of x; or compose it from the functions listed in dir(optlab.numpy)"
    )
