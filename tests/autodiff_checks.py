"""Shared checkers for the autodiff tests: optlab's derivatives against central finite differences.

The independent source of every expected number here is a finite difference of the function's own
forward values (plain NumPy arithmetic; no VJP rule is involved), and for second order also
``hessian(f)(x) @ v``, a second route through the engine (one reverse pass per Hessian row).

* :func:`check_first_order`: the adjoint identity ``<u, J v> = <J^T u, v>`` for a random cotangent
  ``u`` and a random direction ``v``: ``J^T u`` from ``optlab.vjp``, ``J v`` by central differences.
* :func:`check_second_order`: for ``phi(z) = <u, F(z)>``, ``optlab.hvp(phi)(z, v)`` against central
  differences of ``optlab.grad(phi)`` and against ``optlab.hessian(phi)(z) @ v``.

A case is ``(fn, args)``: ``fn`` takes the differentiable arguments (float arrays) and closes over
everything else; its arguments are packed into one flat vector ``z`` so one check covers them all.

Values are drawn on a grid (``(k + 0.37) / 20`` and the like): distinct grid points are at least 0.05
apart and never 0, so a step of 1e-5 never crosses a kink (|x| at 0, ties of max or maximum) or a
domain edge (log, sqrt at 0).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optlab
import optlab.numpy as onp

# ---- values away from kinks and domain edges -------------------------------------------------------

_GRIDS = {
    # domain: (smallest k, largest k, k -> value)
    "real": (-40, 39, lambda k: (k + 0.37) / 20),            # [-1.98, 1.97], never 0
    "shifted": (-40, 39, lambda k: (k + 0.87) / 20),         # never equal to a "real" value
    "positive": (0, 47, lambda k: 0.25 + (k + 0.37) / 16),   # [0.27, 3.22]
    "nonzero": (-47, 47, lambda k: np.sign(k + 0.5) * (0.25 + (np.abs(k) + 0.37) / 16)),
    "wide": (-40, 39, lambda k: (k + 0.37) * 1.5),           # [-60, 59]: overflow-prone inputs
}


def values(shape, domain="real", unique=False):
    """Float64 arrays of ``shape`` with entries from the grid of ``domain`` (optionally distinct)."""
    lo, hi, to_float = _GRIDS[domain]
    ints = hnp.arrays(np.int64, shape, elements=st.integers(lo, hi), unique=unique)
    return ints.map(lambda k: np.asarray(to_float(k), dtype=np.float64))


def shapes(min_dims=0, max_dims=3, max_side=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def axes(ndim):
    """None, one axis (possibly negative) or a tuple of distinct axes of an ``ndim``-array."""
    options = [st.none(), hnp.valid_tuple_axes(ndim, min_size=min(ndim, 1))]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
    return st.one_of(*options)


# ---- packing all differentiable arguments into one vector ------------------------------------------

def flatten(fn, args):
    """``(z, F)``: the arguments as one float64 vector and ``F(z) = fn(*arguments unpacked from z)``."""
    arg_shapes = [np.shape(a) for a in args]
    sizes = [int(np.prod(s)) for s in arg_shapes]
    z = np.concatenate([np.ravel(a) for a in args]).astype(np.float64) if args else np.zeros(0)

    def F(z):
        parts, start = [], 0
        for shape, size in zip(arg_shapes, sizes):
            parts.append(onp.reshape(z[start:start + size], shape))
            start += size
        return fn(*parts)

    return z, F


def _raw(y):
    return np.asarray(y.value if isinstance(y, optlab.Variable) else y, dtype=np.float64)


def assert_close(got, want, rtol, atol, what):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    err = float(np.max(np.abs(got - want))) if got.size else 0.0
    scale = float(max(np.max(np.abs(got)) if got.size else 0.0, np.max(np.abs(want)) if want.size else 0.0))
    assert err <= atol + rtol * scale, f"{what}: max error {err:.3e} (scale {scale:.3e})\n{got}\n{want}"


# ---- the checks ---------------------------------------------------------------------------------------

def check_first_order(fn, args, seed, h=1e-6):
    """VJP against central differences through the adjoint identity <u, J v> = <J^T u, v>."""
    rng = np.random.default_rng(seed)
    z, F = flatten(fn, args)
    value, pullback = optlab.vjp(F, z)
    want_value = _raw(fn(*args))  # the plain-array forward, with no graph
    assert_close(_raw(value), want_value, 1e-12, 1e-12, "forward value on the graph")
    u = rng.standard_normal(want_value.shape)
    v = rng.standard_normal(z.shape)
    Jt_u = _raw(pullback(u))
    assert Jt_u.shape == z.shape
    Jv = (_raw(F(z + h * v)) - _raw(F(z - h * v))) / (2 * h)
    lhs, rhs = float(np.sum(u * Jv)), float(np.dot(Jt_u, v))
    scale = 1.0 + np.linalg.norm(u) * np.linalg.norm(Jv)
    assert abs(lhs - rhs) <= 1e-6 * scale, f"<u, J v> = {lhs!r} (finite differences) but <J^T u, v> = {rhs!r}"


def check_second_order(fn, args, seed, h=1e-5):
    """hvp against central differences of grad, and against hessian(phi) @ v."""
    rng = np.random.default_rng(seed)
    z, F = flatten(fn, args)
    u = rng.standard_normal(np.shape(_raw(fn(*args))))
    v = rng.standard_normal(z.shape)

    def phi(z):
        return onp.sum(u * F(z))

    hv = _raw(optlab.hvp(phi)(z, v))
    g = optlab.grad(phi)
    fd = (_raw(g(z + h * v)) - _raw(g(z - h * v))) / (2 * h)
    assert_close(hv, fd, rtol=1e-5, atol=1e-6, what="hvp vs finite differences of grad")
    H = _raw(optlab.hessian(phi)(z))
    assert H.shape == z.shape * 2
    assert_close(H @ v, hv, rtol=1e-9, atol=1e-10, what="hessian(phi) @ v vs hvp")
    assert_close(H, H.T, rtol=1e-9, atol=1e-10, what="Hessian symmetry")
