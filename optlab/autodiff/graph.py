"""The computation graph, as EC500 section 4.4 draws it: variable nodes and operation nodes.

* A :class:`Variable` holds a value and at most one parent: the :class:`Operation` that produced it
  (none for an input).
* An :class:`Operation` holds its primitive, its ordered parents (one entry per argument position, so
  ``x * x`` keeps two edges to ``x``), and the keyword parameters its backward rule needs.
* A :class:`Primitive` is a differentiable function: a forward computation on raw arrays plus one
  vector-Jacobian-product (VJP) rule per argument, ``rule(g, ans, *args, **params)``, written with
  optlab's own operations. A first-order pass gives the rules raw arrays (NumPy speed); for higher
  derivatives they get Variables and their own work is recorded (that is how ``hvp`` works).

The graph is built during the forward pass (a *dynamic* graph, section 4.5), so a shape mismatch is
reported at the line that made it. Gradients live in the backward pass (``backward.py``), never on
the nodes; nodes accept extra attributes only so that the notes' literal algorithms (``notes.py``)
can write ``V.derivative`` and ``O.partials`` on them, as the notes do.
"""
from __future__ import annotations

import numpy

from ..backend import get_xp
from .trace import trace


class Variable:
    """A variable node: a value and at most one parent operation (``op``; None for an input).

    Example:
        >>> x = Variable(2.0, name="x")
        >>> z = x * (x + 1)
        >>> z.value, z.op.primitive.name, z.op.parents[0] is x
        (6.0, 'multiply', True)
    """

    # __dict__: room for the notes' annotations (V.derivative), made only when one is written.
    __slots__ = ("value", "op", "name", "__dict__", "__weakref__")
    # NumPy defers to our reflected operators (ndarray + Variable -> Variable.__radd__) and routes
    # ufuncs such as np.exp(v) through __array_ufunc__ below.
    __array_priority__ = 1000

    def __init__(self, value, op=None, name=None):
        self.value = _as_float(value) if op is None else value
        self.op = op
        self.name = name

    shape = property(lambda self: numpy.shape(self.value))
    ndim = property(lambda self: numpy.ndim(self.value))
    size = property(lambda self: numpy.size(self.value))
    dtype = property(lambda self: getattr(self.value, "dtype", numpy.dtype(type(self.value))))
    T = property(lambda self: _o.transpose(self))

    def __len__(self):
        return len(self.value)

    def __repr__(self):
        # The notes display a variable as ``name : value : derivative``; only their backward pass
        # (notes.py) stores a derivative on a node, so it reads 0 until that has run.
        label = self.name if self.name is not None else "Variable"
        return f"{label} : {self.value} : {getattr(self, 'derivative', 0.0)}"

    def __float__(self):
        raise TypeError(
            "float() of an optlab Variable would drop it from the graph and silently stop gradients. "
            "Use `v.value` if you mean to treat it as a constant, or keep computing with optlab.numpy."
        )

    __int__ = __float__

    # Operators: each one calls a primitive.
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

    # Comparisons are elementwise, as in NumPy, and not differentiable: they return plain booleans.
    def __lt__(self, other): return self.value < raw(other)
    def __le__(self, other): return self.value <= raw(other)
    def __gt__(self, other): return self.value > raw(other)
    def __ge__(self, other): return self.value >= raw(other)
    def __eq__(self, other): return self.value == raw(other)
    def __ne__(self, other): return self.value != raw(other)
    # Hashing stays by identity, so Variables remain dictionary keys: a lookup finds its key by
    # identity and the hash (the id) differs for every other live object, so == is never consulted.
    __hash__ = object.__hash__

    # Methods mirroring ndarray.
    def sum(self, axis=None, keepdims=False): return _o.sum(self, axis=axis, keepdims=keepdims)
    def mean(self, axis=None, keepdims=False): return _o.mean(self, axis=axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return _o.max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return _o.min(self, axis=axis, keepdims=keepdims)
    def dot(self, other): return _o.dot(self, other)
    def reshape(self, *shape): return _o.reshape(self, shape[0] if len(shape) == 1 else shape)
    def transpose(self, *axes): return _o.transpose(self, axes or None)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """Route NumPy ufuncs called on a Variable (``np.exp(v)``, ``array * v``) to optlab."""
        from .dispatch import ufunc_to_primitive

        return ufunc_to_primitive(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """Route NumPy functions (``np.sum(v)``) to optlab, or explain how to add a primitive."""
        from .dispatch import function_to_primitive

        return function_to_primitive(func, args, kwargs)


class Operation:
    """An operation node: a primitive, its ordered parents and its parameters; one child."""

    __slots__ = ("primitive", "parents", "params", "__dict__")  # __dict__: see the module docstring

    def __init__(self, primitive, params=None, parents=()):
        self.primitive, self.params, self.parents = primitive, params or {}, parents

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
        needs_args, needs_ans: whether the rules read the values (not only the shapes) of the
            arguments and of the result. True is always safe; False lets ``grad`` free those values
            early (``lean.py``).

    Example:
        >>> cube = Primitive("cube", lambda x: x ** 3, [lambda g, ans, x: g * 3 * x ** 2])
        >>> from optlab import grad
        >>> grad(cube)(2.0)
        12.0
    """

    __slots__ = ("name", "fn", "vjps", "variadic", "doc", "needs_args", "needs_ans")

    def __init__(self, name, fn, vjps=(), variadic=False, doc=None, needs_args=True, needs_ans=True):
        self.name, self.fn, self.vjps, self.variadic = name, fn, tuple(vjps), variadic
        self.doc, self.needs_args, self.needs_ans = doc, needs_args, needs_ans

    def __call__(self, *args, **params):
        # The hot path of graph building (bench/bench_engine.py (iv) times it per node): the nodes
        # are filled in directly rather than through __init__.
        raw_args, linked = [], False
        for a in args:
            if isinstance(a, Variable):
                linked = True
                raw_args.append(a.value)
            else:
                raw_args.append(a)
        value = self.forward(raw_args, params)
        if not linked:  # no graph value among the inputs: plain array code, no graph
            return value
        if not self.needs_args and not isinstance(value, float) and trace.lean:  # (floats: nothing to free)
            args = _lean.without_unread_values(args)
        op = _new(Operation)
        op.primitive, op.params, op.parents = self, params, args
        child = _new(Variable)
        child.value, child.op, child.name = value, op, None
        return child

    def forward(self, raw_args, params):
        """The value on raw arrays; a shape mismatch names this primitive and the operand shapes."""
        try:
            return self.fn(*raw_args, **params)
        except ValueError as err:
            shapes = ", ".join(str(numpy.shape(r)) for r in raw_args)
            raise ValueError(f"{self.name}: cannot combine operands of shapes {shapes}: {err}") from err
        except TypeError:
            get_xp(*raw_args)  # a CuPy and a NumPy array mixed: raise the message that names both
            raise

    def __repr__(self):
        return f"<primitive {self.name}>"


_new = object.__new__  # bound once: nodes are created without running __init__


def raw(x):
    """The value inside a Variable; anything else unchanged (masks and tests are not differentiated)."""
    return x.value if isinstance(x, Variable) else x


def _as_float(value):
    """Inputs of the graph hold floats: integers and booleans become float64, lists and tuples arrays."""
    if isinstance(value, (bool, int)):
        return float(value)
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if kind is None:
        return value if isinstance(value, float) or hasattr(value, "shape") else numpy.asarray(value, dtype=float)
    return value.astype(numpy.float64) if kind in "biu" else value


# The operations and lean.py (values no rule reads) import this module's classes, so they come last.
from . import lean as _lean  # noqa: E402
from . import ops as _o  # noqa: E402
