"""A memory optimisation of ``grad``: release the values that no VJP rule will read.

Many rules never look at some values: the VJP of ``x + y`` needs only the operands' shapes, that of
``tanh`` only its output. A primitive says so (``needs_args=False``, ``needs_ans=False``). While
``grad`` or ``value_and_grad`` traces a function (whose graph nobody else sees; ``graph.trace.lean``),
an operation that will not read its operand ``a``, where ``a``'s own rule will not read it either,
links to a *twin* of ``a``: the same producing operation, but holding only the shape and dtype
(:class:`Released`). The value of ``X @ W`` in ``tanh(X @ W + b)`` is then freed as soon as the
function drops it, as in hand-written backpropagation.

A twin and the original are one variable node: the backward pass identifies a variable node by the
operation that produced it (``backward.node``), so both add into one cotangent. And the reverse pass
of ``grad`` drops each node as soon as its VJPs have run (:func:`backward_and_release`), so the
intermediate values are freed during the pass, not after it. Neither changes a single number: the
test ``test_released_values_are_never_read`` releases everything it can and compares.

Nothing here is needed to understand reverse mode; the engine is correct without this module.
(What it buys in time is measured by ``bench/bench_engine.py lean``; it also lowers the peak memory.)
"""
from __future__ import annotations

from collections import deque
import numpy

from . import backward as reverse_pass  # (a module: backward.py imports graph.py, which imports this)
from .graph import Variable

# Values smaller than this are kept: releasing a scalar saves nothing and costs a twin node.
# Tests set it to 0 to release everything that may be released.
RELEASE_MIN_BYTES = 1 << 16


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


def without_unread_values(args):
    """``args`` (of a primitive with ``needs_args=False``) with each intermediate Variable whose own
    rule does not read it either replaced by its value-less twin."""
    out = []
    for a in args:
        if (isinstance(a, Variable) and a.op is not None and not a.op.primitive.needs_ans
                and getattr(a.value, "nbytes", -1) >= RELEASE_MIN_BYTES):
            twin = object.__new__(Variable)
            twin.value, twin.op, twin.name = Released(a.value), a.op, a.name
            a = twin
        out.append(a)
    return tuple(out)


def backward_and_release(box, seed, inputs, create_graph=False):
    """``backward.backward`` for a graph that only ``box`` (a one-item list holding the output) refers to.

    ``box`` is emptied, so that once ``pull_back`` has visited a node nothing refers to it any more
    and its value is freed. Nothing is mutated: a node that the caller still refers to stays intact.
    """
    node = reverse_pass.node
    output = box.pop()
    stop = {node(x) for x in inputs}
    order = reverse_pass._order(output, stop)[0]
    cotangents = {node(output): seed}
    del output
    deque(reverse_pass.pull_back(order, cotangents, stop, create_graph), maxlen=0)  # run it through
    return [cotangents.get(node(x)) for x in inputs]
