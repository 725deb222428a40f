"""The computation graph, as EC500 section 4.4 draws it: variable nodes and operation nodes.

* A :class:`Variable` holds a value and at most one parent: the :class:`Operation` that produced it.
  A variable with no parent is a source (an input).
* An :class:`Operation` holds its primitive, its ordered parents (one entry per argument position, so
  ``x * x`` keeps two edges to ``x``), and the keyword parameters its backward rule needs.
* A :class:`Primitive` is a differentiable function: a forward computation on raw arrays plus one
  vector-Jacobian-product (VJP) rule per differentiable argument.

The graph is built during the forward pass (a *dynamic* graph, section 4.5): calling a primitive on a
Variable computes the value immediately and links the new Variable to its parents, so a shape mismatch
is reported at the line that made it.

A VJP rule has the signature ``rule(g, ans, *args, **params) -> cotangent of that argument`` and is
written with optlab's own differentiable operations. In a first-order backward pass it receives raw
arrays and runs at NumPy speed; when higher derivatives are wanted it receives Variables, and its own
computation is recorded in the graph (that is how ``hvp`` works).

Saving only what the backward pass reads. Many rules never look at some values: the VJP of ``x + y``
needs only the operands' shapes, that of ``tanh`` only its output. A primitive says so
(``needs_args=False``, ``needs_ans=False``). While ``grad`` or ``value_and_grad`` traces a function
(whose graph nobody else sees), an operation that will not read its operand ``a``, where ``a``'s own
rule will not read it either, links to a *twin* of ``a``: the same producing operation, but holding
only the shape and dtype (:class:`Released`). The value of ``X @ W`` in ``tanh(X @ W + b)`` is then
freed as soon as the function drops it, as in hand-written backpropagation, and the forward pass keeps
no more memory alive than the backward pass needs. A twin and the original are one variable node: the
backward pass identifies a variable node by the operation that produced it (see ``backward.py``).
"""
from __future__ import annotations

import numpy

from ..backend import get_xp


class Variable:
    """A variable node: a value and at most one parent operation (``op``; None for an input).

    Example (the notes' dynamic-graph script, section 4.5):
        >>> from optlab.autodiff.notes import PlusConstantOperation, MultiplyOperation
        >>> Vx = Variable(value=2, name="x")
        >>> Vy = PlusConstantOperation(constant=1).forward(Vx)
        >>> Vz = MultiplyOperation().forward(Vx, Vy)
        >>> float(Vz.value)
        6.0
    """

    __slots__ = ("value", "op", "name", "derivative", "__weakref__")
    # NumPy defers to our reflected operators (ndarray + Variable -> Variable.__radd__) and routes
    # ufuncs such as np.exp(v) through __array_ufunc__ below.
    __array_priority__ = 1000

    def __init__(self, value, op=None, name=None):
        if op is None:
            value = _as_float(value)
        self.value = value
        self.op = op
        self.name = name
        self.derivative = 0.0  # filled only by the notes' literal backward (Algorithms 4 and 5)

    # ---- array-like attributes -------------------------------------------------------------------
    shape = property(lambda self: numpy.shape(self.value))
    ndim = property(lambda self: numpy.ndim(self.value))
    size = property(lambda self: numpy.size(self.value))
    dtype = property(lambda self: getattr(self.value, "dtype", numpy.dtype(type(self.value))))
    T = property(lambda self: _o.transpose(self))

    def __len__(self):
        return len(self.value)

    def __repr__(self):
        # The notes display a variable as ``name : value : derivative``.
        label = self.name if self.name is not None else "Variable"
        return f"{label} : {self.value} : {self.derivative}"

    def __float__(self):
        raise TypeError(
            "float() of an optlab Variable would drop it from the graph and silently stop gradients. "
            "Use `v.value` if you mean to treat it as a constant, or keep computing with optlab.numpy."
        )

    __int__ = __float__

    # ---- operators: each one calls a primitive (derived ones are written via primitives) ---------
    def __add__(self, other): return _o.add(self, other)
    def __radd__(self, other): return _o.add(other, self)
    def __sub__(self, other): return _o.subtract(self, other)
    def __rsub__(self, other): return _o.subtract(other, self)
    def __mul__(self, other): return _o.multiply(self, other)
    def __rmul__(self, other): return _o.multiply(other, self)
    def __truediv__(self, other): return _o.divide(self, other)
    def __rtruediv__(self, other): return _o.divide(other, self)
    def __pow__(self, other): return _o.power(self, other)
    def __rpow__(self, other): return _o.power(other, self)
    def __matmul__(self, other): return _o.matmul(self, other)
    def __rmatmul__(self, other): return _o.matmul(other, self)
    def __neg__(self): return _o.negative(self)
    def __pos__(self): return self
    def __abs__(self): return _o.abs(self)
    def __getitem__(self, index): return _o.getitem(self, index)

    # Comparisons are not differentiable: they return plain boolean arrays.
    def __lt__(self, other): return self.value < _raw(other)
    def __le__(self, other): return self.value <= _raw(other)
    def __gt__(self, other): return self.value > _raw(other)
    def __ge__(self, other): return self.value >= _raw(other)
    # == and != keep identity semantics (Variables are dictionary keys in the backward pass);
    # compare values with `a.value == b.value`.
    __hash__ = object.__hash__

    # ---- methods mirroring ndarray ----------------------------------------------------------------
    def sum(self, axis=None, keepdims=False): return _o.sum(self, axis=axis, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False): return _o.mean(self, axis=axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _o.max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return _o.min(self, axis=axis, keepdims=keepdims)
    def dot(self, other): return _o.dot(self, other)

    def reshape(self, *shape):
        return _o.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        return _o.transpose(self, axes or None)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """Route NumPy ufuncs called on a Variable (``np.exp(v)``, ``array * v``) to optlab."""
        from .dispatch import ufunc_to_primitive

        return ufunc_to_primitive(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """Route NumPy functions (``np.sum(v)``) to optlab, or explain how to add a primitive."""
        from .dispatch import function_to_primitive

        return function_to_primitive(func, args, kwargs)


class Operation:
    """An operation node: a primitive, its ordered parents and its parameters; one child.

    ``Operation(primitive, params).forward(*parents)`` computes the child Variable (the notes' API).
    Primitives build operation nodes the same way when called on Variables.
    """

    __slots__ = ("primitive", "parents", "params", "partials")

    def __init__(self, primitive, params=None):
        self.primitive = primitive
        self.params = params or {}
        self.parents = ()
        self.partials = None  # full Jacobians, only under record_partials() (notes.py)

    def forward(self, *parents):
        return self.primitive.apply(parents, self.params, self)

    def __repr__(self):
        return f"Operation({self.primitive.name})"


class Primitive:
    """A differentiable function: forward on raw arrays plus one VJP rule per argument position.

    Args:
        name: shown in graphs and error messages.
        fn: the forward computation on raw arrays, ``fn(*args, **params) -> array``.
        vjps: one rule per argument, ``rule(g, ans, *args, **params)``; ``None`` marks an argument
            that is not differentiable (such as an index or a boolean mask). A single rule with
            ``variadic=True`` serves every argument of a variadic function (its first parameter
            is then the argument index).
    """

    __slots__ = ("name", "fn", "vjps", "variadic", "doc", "needs_args", "needs_ans")

    def __init__(self, name, fn, vjps=(), variadic=False, doc=None, needs_args=True, needs_ans=True):
        self.name, self.fn, self.vjps, self.variadic = name, fn, tuple(vjps), variadic
        self.doc = doc
        # Whether the VJP rules read the values (not just the shapes) of the arguments and of the
        # result. True is always safe; False lets a traced graph release values (module docstring).
        self.needs_args, self.needs_ans = needs_args, needs_ans

    def __call__(self, *args, **params):
        # This is the hot path of graph building (a few microseconds per node on Python floats), so
        # the Operation and the Variable are filled in directly rather than through __init__.
        raw = []
        linked = False
        for a in args:
            if isinstance(a, Variable):
                linked = True
                raw.append(a.value)
            else:
                raw.append(a)
        value = self._forward(raw, params)
        if not linked:  # no graph value among the inputs: plain array code, no graph
            return value
        if _lean[0] and not self.needs_args and not isinstance(value, float):  # (floats: nothing to free)
            args = _without_unread_values(args)
        op = _new_operation(Operation)
        op.primitive, op.params, op.parents, op.partials = self, params, args, None
        child = _new_variable(Variable)
        child.value, child.op, child.name, child.derivative = value, op, None, 0.0
        if _recording[0]:
            from .notes import record_edge_partials

            record_edge_partials(child)
        return child

    def apply(self, args, params, op):
        """Compute the value and link a new Variable to ``op`` (whose parents are ``args``).

        Used by :meth:`Operation.forward` (the notes' API); calling the primitive does the same.
        """
        raw = [a.value if isinstance(a, Variable) else a for a in args]
        op.parents = args
        child = _new_variable(Variable)
        child.value, child.op, child.name, child.derivative = self._forward(raw, params), op, None, 0.0
        if op.partials is not None or _recording[0]:
            from .notes import record_edge_partials

            record_edge_partials(child)
        return child

    def _forward(self, raw, params):
        try:
            return self.fn(*raw, **params)
        except ValueError as err:
            shapes = ", ".join(str(numpy.shape(r)) for r in raw)
            raise ValueError(f"{self.name}: cannot combine operands of shapes {shapes}: {err}") from err
        except TypeError:
            get_xp(*raw)  # a CuPy and a NumPy array mixed: raise the message that names both
            raise

    def vjp_rule(self, i):
        """The VJP rule of argument ``i`` (None if that argument is not differentiable)."""
        if self.variadic:
            rule = self.vjps[0]
            return lambda g, ans, *args, **params: rule(i, g, ans, *args, **params)
        return self.vjps[i] if i < len(self.vjps) else None

    def __repr__(self):
        return f"<primitive {self.name}>"


class Released:
    """Stands in for a value that no VJP rule reads: its shape and dtype, and nothing else.

    Reading it as an array raises, so a primitive wrongly declared ``needs_args=False`` or
    ``needs_ans=False`` fails loudly instead of computing with a wrong number.
    """

    __slots__ = ("shape", "dtype")
    __array_ufunc__ = None  # NumPy ufuncs refuse it (TypeError) instead of making an object array

    def __init__(self, value):
        self.shape, self.dtype = value.shape, value.dtype

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(numpy.prod(self.shape)))

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "this value was released after the forward pass because its primitive declared that no "
            "VJP rule reads it; a rule read it anyway: set needs_args/needs_ans=True on that primitive"
        )

    def __repr__(self):
        return f"<released {self.dtype} array of shape {self.shape}>"


# Values smaller than this are kept: releasing a scalar saves nothing and costs a twin node.
# Tests set it to 0 to release everything that may be released.
RELEASE_MIN_BYTES = 1 << 16


def _without_unread_values(args):
    """``args`` with each intermediate Variable whose value no rule reads replaced by its twin."""
    out = []
    for a in args:
        if (isinstance(a, Variable) and a.op is not None and not a.op.primitive.needs_ans
                and getattr(a.value, "nbytes", -1) >= RELEASE_MIN_BYTES):
            twin = _new_variable(Variable)
            twin.value, twin.op, twin.name, twin.derivative = Released(a.value), a.op, a.name, 0.0
            a = twin
        out.append(a)
    return tuple(out)


_lean = [0]  # > 0 while grad/value_and_grad trace a function (api.py): release unread values
_recording = [False]  # set by notes.record_partials(); a list so the flag is shared by reference
_new_variable = object.__new__  # bound once: nodes are created without running __init__
_new_operation = object.__new__


def _as_float(value):
    """Inputs of the graph hold floats: integers and booleans are promoted to float64."""
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if kind is None:
        if isinstance(value, (bool, int)):
            return float(value)
        if isinstance(value, float) or hasattr(value, "shape"):
            return value
        return numpy.asarray(value, dtype=float)  # lists and tuples
    if kind in "biu":
        return value.astype(numpy.float64)
    return value


def _raw(x):
    return x.value if isinstance(x, Variable) else x


# The operations import Variable and Primitive from this module, so they are bound last.
from . import ops as _o  # noqa: E402
