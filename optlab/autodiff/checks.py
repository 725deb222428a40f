"""Checking helpers: gradients against finite differences, and where NaN or inf first appeared.

These are the checks that tests, the autodiff lecture and the graders share (one source of truth).
"""
from __future__ import annotations

import numpy

from ..backend import to_numpy
from .backward import _order, node, pull_back, reverse_topological_order
from .graph import Variable, raw


class NonFiniteError(FloatingPointError):
    """A NaN or inf appeared in the forward pass; the message names the operation that produced it."""


def find_nonfinite(output):
    """The first operation (in evaluation order) whose result is NaN or inf, or None if all are finite."""
    if not isinstance(output, Variable):
        return None
    for v in reversed(reverse_topological_order(output)):
        if v.op is not None and not numpy.all(numpy.isfinite(to_numpy(v.value))):
            parents = [raw(p) for p in v.op.parents]
            finite_inputs = all(numpy.all(numpy.isfinite(to_numpy(p))) for p in parents
                                if isinstance(p, (numpy.ndarray, float, int)) or hasattr(p, "shape"))
            if finite_inputs:  # the first operation to turn finite inputs into NaN/inf
                return v
    return None


def find_nonfinite_vjp(output, inputs):
    """The first ``(operation's Variable, argument index)`` whose VJP turned a finite cotangent into
    NaN or inf during the reverse pass from ``output`` to ``inputs``, or None.

    This runs the reverse pass (:func:`~optlab.autodiff.backward.pull_back`) and checks each
    cotangent as it is made; it finds, e.g., ``sqrt`` at 0, whose value is finite but whose
    derivative is not.
    """
    stop = {node(x) for x in inputs}
    for v, i, g_i in pull_back(_order(output, stop)[0], {node(output): 1.0}, stop):
        if not numpy.all(numpy.isfinite(to_numpy(g_i))):
            return v, i
    return None


def check_finite(f, *args):
    """Run ``f(*args)`` on graph inputs and raise :class:`NonFiniteError` naming the guilty operation.

    Example:
        >>> import optlab.numpy as onp
        >>> check_finite(lambda x: onp.sum(onp.log(x)), numpy.array([1.0, -1.0]))
        Traceback (most recent call last):
        ...
        optlab.autodiff.checks.NonFiniteError: the forward pass produced NaN or inf in operation 'log' (operand shapes [(2,)], params {}); check the inputs of that operation
    """
    leaves = [Variable(a) for a in args]
    with numpy.errstate(all="ignore"):  # the error raised below says more than NumPy's warning
        out = f(*leaves)
    bad = find_nonfinite(out)
    if bad is not None:
        shapes = [numpy.shape(raw(p)) for p in bad.op.parents]
        raise NonFiniteError(
            f"the forward pass produced NaN or inf in operation '{bad.op.primitive.name}' "
            f"(operand shapes {shapes}, params {bad.op.params}); check the inputs of that operation"
        )
    return raw(out)


def check_grad(f, x, *, directions=4, h=None, seed=0):
    """Relative error between ``grad(f)(x)`` and central finite differences in random directions.

    For each random unit direction u, compares the directional derivative <grad f(x), u> with
    (f(x + h u) - f(x - h u)) / (2 h), and returns the largest error relative to the gradient's norm
    (plus a tiny absolute floor). Values around 1e-7 (float64) mean the gradient is right.

    Raises:
        NonFiniteError: if the forward pass produces NaN or inf (naming the operation), or the
            gradient is not finite.

    Example:
        >>> import optlab.numpy as onp
        >>> check_grad(lambda x: onp.sum(onp.sin(x) ** 2), onp.array([0.3, -1.2, 2.0])) < 1e-6
        True
    """
    from .api import grad

    x = numpy.asarray(to_numpy(x), dtype=float) if not isinstance(x, float) else x
    check_finite(f, x)
    with numpy.errstate(all="ignore"):
        g = to_numpy(grad(f)(x))
    if not numpy.all(numpy.isfinite(g)):
        raise NonFiniteError(_nonfinite_gradient_message(f, x))
    rng = numpy.random.default_rng(seed)
    scale = max(1.0, float(numpy.max(numpy.abs(x))))
    h = h if h is not None else 1e-5 * scale
    worst = 0.0
    for _ in range(directions):
        u = rng.standard_normal(numpy.shape(x))
        u = u / max(numpy.linalg.norm(u), 1e-300)
        fd = (float(_value(f(x + h * u))) - float(_value(f(x - h * u)))) / (2 * h)
        ad = float(numpy.sum(g * u))
        worst = max(worst, abs(fd - ad) / (numpy.linalg.norm(g) + 1e-8))
    return float(worst)


def _nonfinite_gradient_message(f, x):
    leaf = Variable(x)
    with numpy.errstate(all="ignore"):
        found = find_nonfinite_vjp(f(leaf), [leaf])
    if found is None:
        return "the gradient contains NaN or inf although the forward pass is finite"
    v, i = found
    shapes = [numpy.shape(raw(p)) for p in v.op.parents]
    return (
        f"the gradient contains NaN or inf although the forward pass is finite: the derivative of "
        f"operation '{v.op.primitive.name}' with respect to its argument {i} is not finite there "
        f"(operand shapes {shapes}, params {v.op.params}); e.g. sqrt or a power below 1 at 0"
    )


def _value(y):
    return to_numpy(raw(y))
