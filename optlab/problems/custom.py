"""Wrap a user's own function as a Problem, stating its constants.

``wrap(f, d, H=..., mu=..., ...)`` builds a :class:`Problem`; ``wrap_finite_sum(f_i, n, d, ...)`` a
:class:`FiniteSumProblem`. Unless ``assumptions`` is given it is inferred from the stated constants:
H -> 'smooth', mu > 0 -> 'strongly_convex' and 'convex', G -> 'lipschitz', rho ->
'second_order_smooth', (L0, L1, alpha) -> 'generalized_smooth', (pl_mu, pl_exponent) ->
'generalized_pl'; say ``convex=True`` / ``convex=False`` to add 'convex' / 'nonconvex'.
The constants are claims: check them with :mod:`optlab.problems.checks` before relying on them.
To run on CuPy arrays, read any NumPy data the loss closes over through a
:class:`~optlab.problems.device_data.DeviceData` (``xp, X, y = data(w)``), which copies it to w's device once.

Source: the issue "optlab.problems" (users state their own constants); constants as in seed 003.

Example:
    >>> import numpy as np, optlab.numpy as onp
    >>> p = wrap(lambda x: onp.sum(onp.log1p(x * x)), d=2, H=2.0, G=np.sqrt(2), convex=False)
    >>> sorted(p.assumptions)
    ['lipschitz', 'nonconvex', 'smooth']
    >>> p.grad(np.array([1.0, 0.0]))
    array([1., 0.])
"""
from __future__ import annotations

from .base import FiniteSumProblem, Problem


def _infer(kwargs, convex, finite_sum=False):
    a = set()
    if kwargs.get("H") is not None:
        a.add("smooth")
    if kwargs.get("mu") is not None and kwargs["mu"] > 0:
        a |= {"strongly_convex", "convex"}
    if kwargs.get("G") is not None:
        a.add("lipschitz")
    if kwargs.get("rho") is not None:
        a.add("second_order_smooth")
    if all(kwargs.get(k) is not None for k in ("L0", "L1", "alpha")):
        a.add("generalized_smooth")
    if kwargs.get("pl_mu") is not None and kwargs.get("pl_exponent") is not None:
        a.add("generalized_pl")
    if convex is True:
        a.add("convex")
    elif convex is False:
        if "convex" in a:
            raise ValueError("convex=False contradicts mu > 0 (strong convexity implies convexity)")
        a.add("nonconvex")
    if finite_sum:
        a.add("finite_sum")
    return a


def wrap(f, d, name="user function", *, convex=None, assumptions=None, **kwargs):
    """A Problem from a loss ``f`` written with optlab.numpy, with the constants the user states."""
    if assumptions is None:
        assumptions = _infer(kwargs, convex)
    return Problem(f, d, name, assumptions=assumptions, **kwargs)


def wrap_finite_sum(f_i, n, d, name="user finite sum", *, convex=None, assumptions=None, **kwargs):
    """A FiniteSumProblem from ``f_i(x, idx)`` (the mean of the terms in idx), with stated constants."""
    if assumptions is None:
        assumptions = _infer(kwargs, convex, finite_sum=True)
    return FiniteSumProblem(f_i, n, d, name, assumptions=assumptions, **kwargs)
