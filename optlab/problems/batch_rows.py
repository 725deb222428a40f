"""The row-by-row fallback for a batch of seeds: a problem whose functions take one iterate answers a
batch (S, d) by evaluating its S rows one by one and stacking the answers.

Every problem accepts a batch of iterates (row s is seed s's iterate; a finite sum then takes one
index row per seed). A family written with a leading batch axis declares ``batched=True`` and answers
in one vectorized pass; any other problem (a custom ``f`` written for one vector) goes through
:func:`row_by_row`, which warns once per problem with a :class:`BatchFallbackWarning` naming it. The
loop is correct but costs one Python call per seed, and it is the reference that the vectorized
families are tested against (tests/test_algorithms_batch.py).

Example:
    >>> import warnings
    >>> import numpy as np
    >>> from optlab.problems import Problem
    >>> p = Problem(lambda x: (x ** 4).sum(), d=2, name="quartic")    # written for one vector
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", BatchFallbackWarning)
    ...     row_by_row(p, p._f, np.array([[1.0, 2.0], [0.0, 1.0]]))
    array([17.,  1.])
"""
from __future__ import annotations

import warnings

from ..autodiff.graph import Variable as _Variable
from ..backend import get_xp


class BatchFallbackWarning(UserWarning):
    """A batch of seeds is evaluated row by row (correct, but one Python call per seed)."""


def ndim(x):
    """The number of axes of ``x`` (0 for a number)."""
    return getattr(x, "ndim", 0)


def is_batch(x):
    """Whether ``x`` is a batch of iterates (S, d) rather than one iterate (d,)."""
    return ndim(x) > 1


def row_by_row(problem, fn, x, *rest):
    """``fn`` applied to each row of the batch ``x`` (with the same row of each array in ``rest``),
    stacked: the reference semantics of a batched call, used by problems that do not vectorize.
    Warns once per problem (``problem._warned`` remembers)."""
    if not problem._warned:
        problem._warned = True
        warnings.warn(f"problem {problem.name!r} does not declare batched=True: a batch of seeds is "
                      f"evaluated row by row (write f with a leading batch axis and pass batched=True to "
                      f"vectorize)", BatchFallbackWarning, stacklevel=3)
    while isinstance(x, _Variable):
        x = x.value
    xp = get_xp(x)
    return xp.stack([xp.asarray(fn(x[s], *(r[s] for r in rest))) for s in range(x.shape[0])])
