"""The functional API, as in JAX: ``grad``, ``value_and_grad``, ``vjp``, ``jacobian``, ``hessian``, ``hvp``.

Each one wraps the chosen arguments of ``f`` in fresh input Variables, runs ``f`` (building the graph),
and runs the reverse pass. They nest: if an argument is already a Variable of an outer derivative, the
inner pass records its own computation, so ``grad(grad(f))`` and ``hvp`` work to any order.

Example:
    >>> import optlab.numpy as onp
    >>> f = lambda x: onp.sum(x ** 3)
    >>> grad(f)(onp.array([1.0, 2.0]))
    array([ 3., 12.])
    >>> hvp(f)(onp.array([1.0, 2.0]), onp.array([1.0, 0.0]))
    array([6., 0.])
"""
from __future__ import annotations

import numpy

from ..backend import get_xp
from .backward import _order, backward, node
from .graph import Variable, raw
from .trace import trace
from .lean import backward_and_release
from .ops import shape_of
from .ops.shape import reshape


def _leaf(x, position):
    """A fresh input Variable for argument ``position``; nested derivatives link it to the outer graph."""
    if isinstance(x, Variable):
        from .ops.elementwise import add

        return add(x, 0.0), True  # a new node whose cotangent flows on to the outer graph
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    if kind is None and not isinstance(x, (float, int)):  # lists and tuples
        x = numpy.asarray(x)
        kind = x.dtype.kind
    if kind in ("i", "u", "b") or isinstance(x, (bool, int)):
        # As in JAX: a derivative with respect to an integer is a mistake worth reporting (the
        # gradient would be rounded or meaningless), not something to promote silently.
        raise TypeError(
            f"cannot differentiate with respect to argument {position}, an integer or boolean "
            f"{getattr(x, 'dtype', type(x).__name__)}; pass floats, e.g. x.astype(float) or 2.0 for 2"
        )
    return Variable(x), False


def _zeros_like(x):
    x = raw(x)
    if isinstance(x, (float, int)):
        return 0.0
    return get_xp(x).zeros_like(x)


def _make_vjp(f, args, argnums, lean=False):
    args = list(args)
    leaves, nested = [], False
    for i in argnums:
        if i >= len(args):
            raise TypeError(f"argnums={i} but the function was called with {len(args)} arguments")
        leaf, inner = _leaf(args[i], i)
        args[i] = leaf
        leaves.append(leaf)
        nested = nested or inner
    with trace.tracing(lean):  # lean: the graph stays private, values no VJP rule reads may go
        out = f(*args)
    if not nested and trace.depth and isinstance(out, Variable):
        # Inside an outer derivative (trace.depth > 0), f may use the outer function's variables
        # without receiving them as arguments. Its derivative then depends on them and must be
        # recorded, or the outer derivative would treat it as a constant (perturbation confusion:
        # d/dx [x * d/dy (x * y)] would come out as x instead of 2x). Such a variable shows up as a
        # source that is not a leaf.
        nested = _order(out, {node(leaf) for leaf in leaves})[1]
    return out, leaves, nested


def _unit_seed(out):
    """The cotangent 1: a Python float for a scalar graph (fast), else a 0-d array in the output's
    dtype (float32 stays float32) and on the output's device (a CuPy graph never sees a host array)."""
    v = out.value
    if not hasattr(v, "shape") or isinstance(v, numpy.generic):
        return 1.0
    return get_xp(v).ones((), dtype=v.dtype)


def _match_dtype(g, like):
    """``g`` in the dtype of its input ``like``: float32 in, float32 out.

    A float32 function can still promote inside (a float32 array times a float64 or int64 constant
    is float64 by NumPy's rules), but a gradient belongs to the input's space, as in JAX.
    """
    want, have = getattr(like, "dtype", None), getattr(g, "dtype", None)
    if want is None or have is None or have == want or want.kind != "f":
        return g
    return g.astype(want)


def _finish(grads, leaves, nested):
    if nested:
        return [_zeros_like(leaf) if g is None else g for g, leaf in zip(grads, leaves)]
    return [_zeros_like(leaf) if g is None else _match_dtype(g, leaf.value) for g, leaf in zip(grads, leaves)]


def _pull(out, seed, leaves, nested):
    if not isinstance(out, Variable):  # the output does not depend on the inputs
        return [_zeros_like(leaf) for leaf in leaves]
    nested = nested or isinstance(seed, Variable)
    return _finish(backward(out, seed, leaves, create_graph=nested), leaves, nested)


def _check_scalar(out, name):
    shape = shape_of(out)
    if shape != ():
        raise TypeError(
            f"{name} needs a function with a scalar output, but it returned shape {shape}; "
            "use jacobian(f) for vector outputs, or vjp(f, x)(seed) to pull back a chosen cotangent"
        )


def _normalise(argnums):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def value_and_grad(f, argnums=0):
    """Return a function computing ``(f(*args), gradient)``; a tuple of gradients if argnums is a tuple."""
    nums = _normalise(argnums)

    def value_and_grad_f(*args):
        out, leaves, nested = _make_vjp(f, args, nums, lean=True)
        _check_scalar(out, "grad")
        if isinstance(out, Variable):
            value = out if nested else out.value
            seed = _unit_seed(out)
            box = [out]
            del out  # the graph is private: let the reverse pass free it node by node
            grads = _finish(backward_and_release(box, seed, leaves, create_graph=nested), leaves, nested)
        else:  # the output does not depend on the inputs
            value, grads = out, [_zeros_like(leaf) for leaf in leaves]
        return value, (grads[0] if isinstance(argnums, int) else tuple(grads))

    value_and_grad_f.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return value_and_grad_f


def grad(f, argnums=0):
    """Return the gradient function of a scalar-valued ``f`` with respect to argument(s) ``argnums``.

    Example:
        >>> grad(lambda x, y: x * y, argnums=(0, 1))(2.0, 3.0)
        (3.0, 2.0)
    """
    vg = value_and_grad(f, argnums)

    def grad_f(*args):
        return vg(*args)[1]

    grad_f.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return grad_f


def vjp(f, *args):
    """Run ``f(*args)`` and return ``(value, pullback)`` where ``pullback(u)`` is u^T J (w.r.t. args[0])."""
    out, leaves, nested = _make_vjp(f, args, (0,))

    def pullback(u):
        return _pull(out, u, leaves, nested)[0]

    return (out.value if isinstance(out, Variable) and not nested else out), pullback


def jacobian(f, argnums=0):
    """Return a function computing the Jacobian, of shape ``out.shape + x.shape`` (one reverse pass per output).

    For small problems: it runs as many reverse passes as ``f`` has outputs.
    """
    def jacobian_f(*args):
        out, leaves, nested = _make_vjp(f, args, (argnums,))
        x = leaves[0]
        out_shape, x_shape = shape_of(out), shape_of(x)
        n_out = int(numpy.prod(out_shape))
        xp = get_xp(x.value)
        dtype = getattr(x.value, "dtype", numpy.float64)
        rows = []
        for k in range(n_out):
            seed = xp.zeros(n_out, dtype=dtype)
            seed[k] = 1.0
            rows.append(reshape(_pull(out, seed.reshape(out_shape), leaves, nested)[0], (-1,)))
        from .ops.shape import stack

        jac = stack(rows, axis=0) if rows else xp.zeros((0,) + tuple(x_shape))
        return reshape(jac, tuple(out_shape) + tuple(x_shape))

    return jacobian_f


def hessian(f, argnums=0):
    """Return a function computing the Hessian of a scalar ``f`` (the Jacobian of its gradient)."""
    return jacobian(grad(f, argnums), argnums)


def hvp(f, argnums=0):
    """Return ``(x, v, *rest) -> Hessian(f)(x) @ v``, by reverse-over-reverse differentiation.

    ``x`` is the argument at position ``argnums`` and ``rest`` the others, in order. With a tuple
    ``argnums``, ``x`` and ``v`` are tuples with one entry per position, and the result is the tuple
    of blocks ``sum_k d^2 f / (dx_j dx_k) v_k`` (as ``grad`` returns a tuple for a tuple).
    The gradient is computed with its own graph recorded, then the gradient of ``<grad f(x), v>``
    is taken; the Hessian is never formed.

    Example:
        >>> import optlab.numpy as onp
        >>> f = lambda x, y: onp.sum(x * x * y)
        >>> [float(b) for b in hvp(f, argnums=(0, 1))((2.0, 3.0), (1.0, 0.0))]  # H = [[2y, 2x], [2x, 0]]
        [6.0, 4.0]
    """
    from .ops import sum as _sum

    nums = _normalise(argnums)

    def hvp_f(x, v, *rest):
        xs, vs = ((x,), (v,)) if isinstance(argnums, int) else (tuple(x), tuple(v))
        if not len(xs) == len(vs) == len(nums):
            raise TypeError(f"hvp with argnums={argnums} needs {len(nums)} points and {len(nums)} "
                            f"directions, got {len(xs)} and {len(vs)}")

        def inner(*xs_):
            g = grad(f, nums)(*_place(rest, nums, xs_))
            return sum(_sum(g_k * v_k) for g_k, v_k in zip(g, vs))

        out = grad(inner, tuple(range(len(nums))))(*xs)
        return out[0] if isinstance(argnums, int) else out

    return hvp_f


def _place(rest, positions, values):
    """The argument list with ``values`` at ``positions`` and ``rest`` filling the others, in order."""
    n = len(rest) + len(values)
    if any(not 0 <= p < n for p in positions):
        raise TypeError(f"argnums={tuple(positions)} but the function was called with {n} arguments")
    given, others = dict(zip(positions, values)), iter(rest)
    return tuple(given[i] if i in given else next(others) for i in range(n))
