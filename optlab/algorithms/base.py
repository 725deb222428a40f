"""Shared pieces of the catalogue: hyperparameter checks, learning-rate lookup, array helpers.

Every method in :mod:`optlab.algorithms` is a frozen dataclass whose fields are the hyperparameters
(named as in the source: ``lr`` for eta, ``beta1``, ``eps``, ``momentum``, ...), validated in
``__post_init__`` by the helpers below, with two methods:

* ``init(x0, oracle) -> state``: a NamedTuple holding ``x`` (a copy of ``x0``, owned by the method),
  the step counter ``t`` and the method's buffers;
* ``step(state, oracle) -> state``: one iteration of the algorithm box, querying the oracle.

Seeds as a batch axis: ``x0`` may be a batch of S iterates, shape (S, d), with a
:class:`~optlab.problems.BatchOracle`; every method then runs the S seeds at once and keeps per-seed
state: a norm, an accumulator or a step size of one seed is an (S, 1) array (a float for one iterate),
computed with :func:`sq_norm`, :func:`norm`, :func:`sqrt`, :func:`maximum` and :func:`div_or_zero`,
which treat the two cases alike. A method that cannot run seeds together says why in its class
attribute ``no_batch`` (a string); :func:`optlab.algorithms.run` then runs its seeds one by one.

``step`` is pure: it never modifies the arrays of the state it receives. Arrays are never assumed to be
NumPy arrays: the namespace comes from :func:`optlab.backend.get_xp`, and randomness is drawn on the
host (``oracle.sample()`` or ``oracle.draw(fn)``).

Example:
    >>> check_lr(0.1)
    0.1
    >>> check_beta("beta1", 1.0)
    Traceback (most recent call last):
    ...
    ValueError: beta1 must lie in [0, 1), got beta1=1.0
    >>> lr_at(0.5, 10)
    0.5
"""
from __future__ import annotations

import math

import numpy

# the argument checks live in optlab._validate (one contract for methods and problems); re-exported here
from .._validate import (  # noqa: F401
    check_beta, check_choice, check_int, check_nonnegative, check_number, check_positive,
    check_unit_interval,
)
from ..backend import get_xp, is_cupy


# ------------------------------------------------------------------------------------ learning rates


def check_lr(value, name="lr"):
    """A learning rate: a number > 0, or a schedule (a callable t -> eta_t, t = 1, 2, ...)."""
    if callable(value):
        return value
    return check_positive(name, value)


def lr_at(lr, t):
    """eta_t for the 1-based step ``t``: ``lr`` itself if it is a number, else ``lr(t)``."""
    return lr if lr.__class__ is float else float(lr(t))


def check_batch(batch_size, oracle):
    """ValueError naming ``batch_size`` if it exceeds the number of terms n of a finite sum."""
    n = getattr(oracle.problem, "n", None)
    if n is not None and batch_size > n:
        raise ValueError(f"batch_size must satisfy batch_size <= n = {n} (the number of terms), "
                         f"got batch_size={batch_size}")


def check_blocks(name, blocks):
    """A partition of the flat parameter vector: a tuple of block sizes (ints >= 1), or None."""
    if blocks is None:
        return None
    blocks = tuple(blocks)
    if not blocks:
        raise ValueError(f"{name} must be a non-empty tuple of block sizes, got {name}={blocks!r}")
    for b in blocks:
        check_int(f"each entry of {name}", b)
    return blocks


def block_slices(blocks, d):
    """Slices of a flat vector of length d for the block sizes (one block of size d if None)."""
    if blocks is None:
        return (slice(0, d),)
    if sum(blocks) != d:
        raise ValueError(f"blocks must add up to the dimension d = {d}, got blocks={blocks} "
                         f"(sum {sum(blocks)})")
    out, start = [], 0
    for b in blocks:
        out.append(slice(start, start + b))
        start += b
    return tuple(out)


# ------------------------------------------------------------------------------------ arrays
def copy(x):
    """A floating copy of x in its own namespace (the method then owns its iterate)."""
    xp = get_xp(x)
    x = xp.asarray(x)
    if x.dtype.kind not in "fc":
        return x.astype(xp.float64)
    return x.copy()


def sq_norm(x):
    """||x||^2: a Python float for one iterate (d,); per seed, an (S, 1) array, for a batch (S, d)."""
    if x.ndim == 2:   # (einsum: a sum over a short last axis costs numpy a loop per row)
        return get_xp(x).einsum("ij,ij->i", x, x)[:, None]
    if x.ndim > 2:
        return (x * x).sum(axis=-1, keepdims=True)
    return float((x * x).sum())


def norm(x):
    """Euclidean norm: a Python float for one iterate; per seed, an (S, 1) array, for a batch (S, d)."""
    if x.ndim > 1:
        return get_xp(x).sqrt(sq_norm(x))
    return math.sqrt(float((x * x).sum()))


def sqrt(a):
    """Square root of a float, or elementwise of a per-seed (S, 1) array."""
    return math.sqrt(a) if isinstance(a, (float, int)) else get_xp(a).sqrt(a)


def maximum(a, b):
    """max(a, b), per seed where either is an (S, 1) array."""
    if isinstance(a, (float, int)) and isinstance(b, (float, int)):
        return max(a, b)
    return get_xp(a if not isinstance(a, (float, int)) else b).maximum(a, b)


def where(cond, a, b):
    """``a if cond else b``, per seed where ``cond`` is an (S, 1) array."""
    if isinstance(cond, (bool, numpy.bool_)):
        return a if cond else b
    return get_xp(cond).where(cond, a, b)


def div_or_zero(a, b):
    """a / b where b > 0, else 0 (per seed where b is an (S, 1) array)."""
    if isinstance(b, (float, int)):
        return a / b if b > 0 else 0.0
    xp = get_xp(b)
    return xp.where(b > 0, a / xp.where(b > 0, b, 1.0), 0.0)


BLOCK = 65536  # elements per cache block: the ~5 float64 arrays of one block (2.5 MiB) stay in cache;
#               measured on the 2-core machine: 8192 (Python overhead per block) and 1e6 (no blocking) are slower


def cache_blocks(x):
    """Slices that split a long host array into cache-sized blocks, so that a sequence of in-place
    ufuncs makes one trip to memory instead of one per ufunc; one slice for short or device arrays."""
    d = x.shape[0]
    if d <= 2 * BLOCK or is_cupy(x):
        return (slice(None),)
    return tuple(slice(i, i + BLOCK) for i in range(0, d, BLOCK))


def project_ball(x, radius):
    """Euclidean projection onto {||x|| <= radius} (of each seed's row of a batch)."""
    n = norm(x)
    if x.ndim > 1:
        return get_xp(x).where(n <= radius, x, x * (radius / maximum(n, radius)))
    return x if n <= radius else x * (radius / n)


def stepper(method, x, inplace=None):
    """The one place that chooses how ``run`` steps ``method``: its pure reference ``step``, or its fast
    path ``step_inplace`` (in-place host code, fused GPU kernels), which updates the state's arrays.
    ``inplace=None`` takes the fast path for a CuPy iterate (where the kernels pay off) and the
    reference on the host; True or False forces it. Methods without a fast path always use ``step``.
    """
    fast = getattr(method, "step_inplace", None)
    if fast is None:
        return method.step
    if inplace is None:
        inplace = is_cupy(x)
    return fast if inplace else method.step


def set_field(obj, name, value):
    """Store a validated hyperparameter on a frozen dataclass (used in ``__post_init__``)."""
    object.__setattr__(obj, name, value)
