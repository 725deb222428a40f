"""Elementwise primitives and their vector-Jacobian products.

Every rule ``rule(g, ans, *args)`` returns the cotangent of one argument, written with optlab's own
differentiable operations and operators, so that rules can themselves be differentiated (second
derivatives, Hessian-vector products). ``unbroadcast`` sums the cotangent back to the operand's shape.

At kinks a documented subgradient is used: ``abs``, ``relu``, ``sign``, ``clip``, ``maximum`` and
``minimum`` pass gradient to the first argument on ties; ``abs'(0) = 0`` and ``relu'(0) = 0``.
"""
from __future__ import annotations

import math
import operator

import numpy

from ..graph import Primitive, Variable
from ._util import raw, unbroadcast, xp_of

__all__ = [  # the public functions (optlab.numpy re-exports them; ops/__init__.py)
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "exp", "log",
    "log1p", "expm1", "sqrt", "square", "sin", "cos", "tanh", "sign", "abs", "absolute", "maximum",
    "minimum", "where", "clip", "sigmoid", "relu", "softplus",
]


def _ufunc(name):
    """Forward of a NumPy/CuPy ufunc looked up in the namespace of the inputs."""
    def fn(*args):
        return getattr(xp_of(*args), name)(*args)

    fn.__name__ = name
    return fn


add = Primitive("add", operator.add, [
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(g, y),
], doc="x + y with broadcasting.", needs_args=False, needs_ans=False)
subtract = Primitive("subtract", operator.sub, [
    lambda g, ans, x, y: unbroadcast(g, x),
    lambda g, ans, x, y: unbroadcast(-g, y),
], doc="x - y with broadcasting.", needs_args=False, needs_ans=False)
multiply = Primitive("multiply", operator.mul, [
    lambda g, ans, x, y: unbroadcast(g * y, x),
    lambda g, ans, x, y: unbroadcast(g * x, y),
], doc="x * y with broadcasting.", needs_ans=False)
divide = Primitive("divide", operator.truediv, [
    lambda g, ans, x, y: unbroadcast(g / y, x),
    lambda g, ans, x, y: unbroadcast(-g * ans / y, y),
], doc="x / y with broadcasting.")
negative = Primitive("negative", operator.neg, [lambda g, ans, x: -g], doc="-x.", needs_args=False,
                     needs_ans=False)


def _log_or_zero(x):
    """log(x) where x > 0, else 0: the d/dy of x**y is only used where it exists."""
    if isinstance(x, (int, float)):  # a constant base such as 2.0 ** y: a plain float, on no device
        return math.log(x) if x > 0 else 0.0
    positive = raw(x) > 0
    return where(positive, log(where(positive, x, 1.0)), 0.0)


power = Primitive("power", _ufunc("power"), [
    lambda g, ans, x, y: unbroadcast(g * y * x ** (y - 1), x),
    lambda g, ans, x, y: unbroadcast(g * ans * _log_or_zero(x), y),
], doc="x ** y; d/dy uses log(x) and is taken as 0 where x <= 0.")

exp = Primitive("exp", _ufunc("exp"), [lambda g, ans, x: g * ans], needs_args=False)
log = Primitive("log", _ufunc("log"), [lambda g, ans, x: g / x], needs_ans=False)
log1p = Primitive("log1p", _ufunc("log1p"), [lambda g, ans, x: g / (1 + x)], needs_ans=False)
expm1 = Primitive("expm1", _ufunc("expm1"), [lambda g, ans, x: g * (ans + 1)], needs_args=False)
sqrt = Primitive("sqrt", _ufunc("sqrt"), [lambda g, ans, x: g / (2 * ans)], needs_args=False)
square = Primitive("square", _ufunc("square"), [lambda g, ans, x: g * (2 * x)], needs_ans=False)
sin = Primitive("sin", _ufunc("sin"), [lambda g, ans, x: g * cos(x)], needs_ans=False)
cos = Primitive("cos", _ufunc("cos"), [lambda g, ans, x: -(g * sin(x))], needs_ans=False)
tanh = Primitive("tanh", _ufunc("tanh"), [lambda g, ans, x: g * (1 - ans * ans)], needs_args=False)
sign = Primitive("sign", _ufunc("sign"), [None], doc="Sign; its derivative is 0 (not differentiable).")
abs = Primitive("abs", _ufunc("abs"), [lambda g, ans, x: g * sign(x)],
                doc="|x|; the subgradient sign(x) is used, so abs'(0) = 0.", needs_ans=False)

maximum = Primitive("maximum", _ufunc("maximum"), [
    lambda g, ans, x, y: unbroadcast(g * (raw(x) >= raw(y)), x),
    lambda g, ans, x, y: unbroadcast(g * (raw(x) < raw(y)), y),
], doc="Elementwise maximum; on ties the gradient goes to x.", needs_ans=False)
minimum = Primitive("minimum", _ufunc("minimum"), [
    lambda g, ans, x, y: unbroadcast(g * (raw(x) <= raw(y)), x),
    lambda g, ans, x, y: unbroadcast(g * (raw(x) > raw(y)), y),
], doc="Elementwise minimum; on ties the gradient goes to x.", needs_ans=False)


def _where(condition, x, y):
    return xp_of(x, y).where(condition, x, y)


where = Primitive("where", _where, [
    None,
    lambda g, ans, c, x, y: unbroadcast(where(c, g, 0.0), x),
    lambda g, ans, c, x, y: unbroadcast(where(c, 0.0, g), y),
], doc="where(condition, x, y); the condition is not differentiated.", needs_ans=False)


def _clip(x, a_min, a_max):
    return xp_of(x).clip(x, a_min, a_max)


def _inside(x, a_min, a_max):
    x = raw(x)
    inside = True
    if a_min is not None:
        inside = inside & (x >= a_min)
    if a_max is not None:
        inside = inside & (x <= a_max)
    return inside


_clip_p = Primitive("clip", _clip, [lambda g, ans, x, a_min, a_max: g * _inside(x, a_min, a_max)],
                    needs_ans=False)


def clip(x, a_min, a_max):
    """numpy.clip; the bounds are constants, and the gradient is 1 inside [a_min, a_max], else 0."""
    return _clip_p(x, a_min=raw(a_min), a_max=raw(a_max))


# ---- the ML staples ---------------------------------------------------------------------------------

def _sigmoid(x):
    # exp(min(x, 0)) / (1 + exp(-|x|)) is 1 / (1 + exp(-x)) for x >= 0 and exp(x) / (1 + exp(x)) for
    # x < 0: no exponent is positive (no overflow), both ends keep full relative precision, and
    # there is no branch (bench/bench_engine.py sigmoid times it against np.where over both).
    xp = xp_of(x)
    if xp is not numpy and hasattr(xp, "ElementwiseKernel"):
        from ... import fused_linalg

        return fused_linalg.sigmoid(x)  # the same formula in one GPU pass
    return xp.exp(xp.minimum(x, 0.0)) / (1.0 + xp.exp(-xp.abs(x)))


def _softplus(x):
    # max(x, 0) + log1p(exp(-|x|)) equals log(1 + exp(x)) without overflow; the GPU kernel uses the
    # same formula (bench/bench_engine.py softplus times it against numpy.logaddexp(0, x)).
    xp = xp_of(x)
    if xp is not numpy and hasattr(xp, "ElementwiseKernel"):
        from ... import fused_linalg

        return fused_linalg.softplus(x)  # the same formula in one GPU pass
    return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))


def _relu(x):
    return xp_of(x).maximum(x, 0)


sigmoid = Primitive("sigmoid", _sigmoid, [lambda g, ans, x: g * (ans * (1 - ans))],
                    doc="The logistic function 1 / (1 + exp(-x)), computed without overflow.",
                    needs_args=False)
# softplus' = sigmoid. (exp(x - ans) would save a pass but gives NaN at x = +inf, where this gives 1.)
def _softplus_vjp(g, ans, x):
    if not isinstance(g, Variable) and not isinstance(x, Variable):  # a first-order pass: raw arrays
        xp = xp_of(g, x)
        if xp is not numpy and hasattr(xp, "ElementwiseKernel") and getattr(g, "dtype", None) == x.dtype:
            from ... import fused_linalg

            return fused_linalg.mul_sigmoid(g, x)  # one GPU pass, rounded as the two below
    return g * sigmoid(x)


softplus = Primitive("softplus", _softplus, [_softplus_vjp],
                     doc="log(1 + exp(x)), computed without overflow.", needs_ans=False)
relu = Primitive("relu", _relu, [lambda g, ans, x: g * (raw(x) > 0)],
                 doc="max(x, 0); relu'(0) = 0.", needs_ans=False)

true_divide, absolute = divide, abs  # NumPy's second names
