"""NumPy called on a Variable: supported functions go to optlab's primitives, others say how to add one.

``np.exp(v)`` and ``array + v`` reach :meth:`Variable.__array_ufunc__`; ``np.sum(v)`` reaches
:meth:`Variable.__array_function__`. Both end here.
"""
from __future__ import annotations

import numpy

from . import ops
from .graph import raw


def _numpy_counterparts():
    """``({NumPy ufunc: primitive}, {NumPy function: optlab function})`` for the names in ``ops.__all__``
    that NumPy also has (``sum``, ``exp``, ...; not ``relu``)."""
    ufuncs, functions = {}, {}
    for name in ops.__all__:
        theirs = getattr(numpy, name, None)
        if isinstance(theirs, numpy.ufunc):
            ufuncs[theirs] = getattr(ops, name)
        elif callable(theirs):
            functions[theirs] = getattr(ops, name)
    return ufuncs, functions


_UFUNCS, _FUNCTIONS = _numpy_counterparts()
_COMPARISONS = {numpy.less, numpy.less_equal, numpy.greater, numpy.greater_equal, numpy.equal,
                numpy.not_equal, numpy.isfinite, numpy.isnan, numpy.isinf}
_SHAPE_QUERIES = {numpy.shape, numpy.ndim, numpy.size, numpy.result_type, numpy.iscomplexobj}


def _unsupported(name):
    return NotImplementedError(
        f"numpy.{name} is not differentiable in optlab. Use optlab.numpy (import optlab.numpy as onp) "
        f"for the supported functions, or add a primitive: "
        f"optlab.Primitive('{name}', forward_fn, [vjp_rule]) with vjp_rule(g, ans, x) returning the "
        f"cotangent of x (see docs in optlab/autodiff/graph.py)"
    )


def ufunc_to_primitive(ufunc, method, inputs, kwargs):
    if method == "__call__" and not kwargs:
        if ufunc in _UFUNCS:
            return _UFUNCS[ufunc](*inputs)
        if ufunc in _COMPARISONS:
            return ufunc(*[raw(a) for a in inputs])
    if method == "__call__" and ufunc in _UFUNCS:
        # The function is supported; what is not is writing into `out=` (a graph value is never
        # modified in place) or the other ufunc keywords.
        raise TypeError(
            f"numpy.{ufunc.__name__} on an optlab Variable does not take the keyword argument(s) "
            f"{sorted(kwargs)}; call it without them (results are new Variables, never written in place)"
        )
    raise _unsupported(ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}")


def function_to_primitive(func, args, kwargs):
    if func in _FUNCTIONS:
        return _FUNCTIONS[func](*args, **kwargs)
    if func in _SHAPE_QUERIES:
        return func(*[raw(a) for a in args], **kwargs)
    raise _unsupported(func.__name__)
