"""The EC500 notes' own vocabulary (section 4), for the autodiff lecture.

The notes build graphs with explicit objects and run the backward pass as two mutually recursive
procedures. This module makes their script run as printed::

    >>> Vx = Variable(value=2, name="x")
    >>> Og = PlusConstantOperation(constant=1)
    >>> Vy = Og.forward(Vx); Vy.name = "y"
    >>> Of = MultiplyOperation()
    >>> Vz = Of.forward(Vx, Vy); Vz.name = "z"
    >>> Vz
    z : 6.0 : 0.0
    >>> backward_paths(Vz)          # Algorithms 4 and 5, literally
    >>> Vx.derivative               # 2x + 1 at x = 2
    5.0

Three things live here:

* operation classes with ``forward`` (``PlusConstantOperation``, ``MultiplyOperation``, ``SquareOperation``);
* :func:`record_partials`, a mode in which these operations store the full partial-derivative matrix
  of their output with respect to each parent on the edge (the "extra information" of the forward pass);
* :func:`backward_paths`, Algorithms 4 and 5 as printed: the product of partials is pushed along every
  path from the output, so the work grows with the number of paths. It is the reference that tests
  compare with the fast reverse-topological pass, and :func:`backward_topological` writes that fast
  pass's results into ``.derivative`` for display.
"""
from __future__ import annotations

import numpy

from ..backend import to_numpy
from .backward import backward, pull_back, reverse_topological_order
from .graph import Operation, Primitive, Variable, raw
from .trace import trace
from .ops import multiply, square

_plus_constant = Primitive(
    "plus_constant", lambda x, constant: x + constant, [lambda g, ans, x, constant: g],
)


class NotesOperation(Operation):
    """An operation node used as the notes use it: ``O.forward(*parents)`` computes the child.

    Inside :func:`record_partials` it also stores the partial derivatives of its edges
    (``O.partials``), as the notes' forward pass does.
    """

    def forward(self, *parents):
        self.parents = parents
        child = Variable(self.primitive.forward([raw(p) for p in parents], self.params), op=self)
        if trace.recording:
            self.partials = edge_partials(child)
        return child


class PlusConstantOperation(NotesOperation):
    """x -> x + constant (its partial derivative is the identity)."""

    def __init__(self, constant):
        super().__init__(_plus_constant, {"constant": constant})


class MultiplyOperation(NotesOperation):
    """(x, y) -> x * y (partials: y with respect to x, x with respect to y)."""

    def __init__(self):
        super().__init__(multiply)


class SquareOperation(NotesOperation):
    """x -> x ** 2 (partial: 2x)."""

    def __init__(self):
        super().__init__(square)


def record_partials():
    """A ``with`` block in which every notes operation stores the full Jacobian of each edge.

    ``v.op.partials[i]`` is then a matrix of shape ``(v.size, parent_i.size)`` (None for constants).
    This is what the notes' forward pass does; optlab's fast backward never needs it.
    """
    return trace.recording_partials()


def edge_partials(child):
    """The Jacobian of ``child`` with respect to each parent of ``child.op`` (None for a constant).

    Row k is the VJP of the unit cotangent e_k, made by the same loop as the fast backward
    (``pull_back`` run on this one node): section 4.6 computes D @ partial directly; here we
    materialise the partial.
    """
    op = child.op
    out = to_numpy(child.value)
    partials = [numpy.zeros((out.size, int(numpy.size(p.value)))) if isinstance(p, Variable) else None
                for p in op.parents]
    for k in range(out.size):
        e = numpy.zeros(out.size)
        e[k] = 1.0
        seed = e.reshape(out.shape) if out.shape else 1.0
        for _, i, row in pull_back([child], {op: seed}):
            shape = numpy.shape(op.parents[i].value)
            partials[i][k] = numpy.broadcast_to(to_numpy(row), shape).reshape(-1)
    return partials


def _as_matrix_variables(output):
    variables = reverse_topological_order(output)
    for v in variables:
        if v.op is not None and getattr(v.op, "partials", None) is None:
            v.op.partials = edge_partials(v)
        v.derivative = numpy.zeros((int(numpy.size(output.value)), int(numpy.size(v.value))))
    return variables


def variable_node_backward(V, D):
    """Algorithm 4 (VariableNodeBackward): accumulate D, then pass it to the parent operation."""
    V.derivative = V.derivative + D
    if V.op is not None:
        operation_node_backward(V.op, D)


def operation_node_backward(O, D):
    """Algorithm 5 (OperationNodeBackward): for each parent edge, recurse with D times its partial.

    The parents are an ordered list with one edge per argument (the notes say "set"; with a set,
    x * x would lose an edge and give x instead of 2x).
    """
    for V, partial in zip(O.parents, O.partials):
        if isinstance(V, Variable):
            variable_node_backward(V, D @ partial)


def backward_paths(output):
    """The notes' backward pass, literally: start with VariableNodeBackward(z, I).

    Every variable's ``.derivative`` is reset to 0 first (so calling it twice does not double), and
    ends as the Jacobian of the output with respect to it, shaped ``output.shape + V.shape``.
    Work is proportional to the number of paths: use it on small graphs only.
    """
    variables = _as_matrix_variables(output)
    m = int(numpy.size(output.value))
    variable_node_backward(output, numpy.eye(m))
    _reshape_derivatives(variables, output)


def backward_topological(output):
    """The fast pass (reverse topological order), with each variable's derivative stored for display."""
    variables = reverse_topological_order(output)
    seed = numpy.ones_like(to_numpy(output.value)) if numpy.ndim(output.value) else 1.0
    if numpy.size(output.value) != 1:
        raise ValueError("backward_topological needs a scalar output; use backward_paths for Jacobians")
    grads = backward(output, seed, (), keep_all=True)
    for v in variables:
        g = grads.get(v)
        v.derivative = 0.0 if g is None else to_numpy(g) if numpy.ndim(g) else float(g)


def _reshape_derivatives(variables, output):
    out_shape = numpy.shape(output.value)
    for v in variables:
        d = v.derivative.reshape(out_shape + numpy.shape(v.value))
        v.derivative = float(d) if d.ndim == 0 else d
