"""A finite sum split into row blocks, one per Dask worker, with the per-example gradient sum.

EC500 §19's processors each hold part of the data: processor i owns rows ``lo_i <= r < hi_i`` of
``(X, y)`` and computes sum_{r in its part of the sample} grad l(w, z_r) there, so only w and a
d-vector of gradient sums cross the network, never the data.

The loss of a row is phi(<x_r, w>, y_r) + lam/2 ||w||^2 with phi one of

* ``"logistic"``: phi = log(1 + exp(-y z)), gradient -y sigmoid(-y z) x;
* ``"squares"``:  phi = (z - y)^2 / 2,       gradient (z - y) x.

:func:`shard` reads ``X``, ``y`` and the loss from an optlab finite-sum family and identifies the L2
weight ``lam``; it then compares its gradient with the problem's own ``grad_i`` at random points and
refuses the problem (naming what to pass) unless they agree to 1e-9. A user's own data is passed as
``shard(X=..., y=..., loss=..., lam=...)``.

Example:
    >>> from optlab.problems import logistic_regression
    >>> p = logistic_regression(n=40, d=3, lam=0.1, seed=0)
    >>> data = shard(p, parts=4)
    >>> data.parts, data.lam, [len(b) for b in data.blocks]
    (4, 0.1, [10, 10, 10, 10])
"""
from __future__ import annotations

from typing import NamedTuple

import numpy

LOSSES = ("logistic", "squares")


def _sigmoid(z):
    return 0.5 * (1.0 + numpy.tanh(0.5 * z))


def grad_sum(w, X, y, loss, lam, idx):
    """sum_{r in idx} grad [phi(<x_r, w>, y_r) + lam/2 ||w||^2] on one block (rows of X indexed by idx)."""
    Xi, yi = X[idx], y[idx]
    z = Xi @ w
    if loss == "logistic":
        r = -yi * _sigmoid(-yi * z)                  # phi'(z) = -y sigmoid(-y z)
    else:
        r = z - yi                                   # phi'(z) = z - y
    return Xi.T @ r + len(idx) * lam * w


def local_rows(z, lo, hi):
    """The sample indices z that fall in the rows lo..hi-1, as that block's own row numbers."""
    z = numpy.asarray(z)
    return z[(z >= lo) & (z < hi)] - lo


class Block(NamedTuple):
    """One worker's data: rows lo..hi-1 of X and y (what a worker holds)."""
    X: numpy.ndarray
    y: numpy.ndarray
    lo: int
    loss: str
    lam: float


class Shards(NamedTuple):
    """(X, y) cut into ``parts`` contiguous row blocks; ``bounds[i]`` = (lo_i, hi_i)."""
    X: numpy.ndarray
    y: numpy.ndarray
    loss: str
    lam: float
    bounds: tuple

    @property
    def parts(self):
        return len(self.bounds)

    @property
    def n(self):
        return self.X.shape[0]

    @property
    def blocks(self):
        """The row indices of each block."""
        return [numpy.arange(lo, hi) for lo, hi in self.bounds]

    def block(self, i):
        lo, hi = self.bounds[i]
        return Block(self.X[lo:hi], self.y[lo:hi], lo, self.loss, self.lam)

    def route(self, z):
        """Split global sample indices z into per-block local indices (block i gets z - lo_i)."""
        return [local_rows(z, lo, hi) for lo, hi in self.bounds]

    def owner(self, r):
        """The block holding global row r."""
        return int(numpy.searchsorted([hi for _, hi in self.bounds], r, side="right"))


def _loss_of(problem):
    loss = getattr(problem, "loss", None)
    if isinstance(loss, str) and loss in LOSSES:
        return loss
    # optlab's families name their loss in the problem name; a user's problem passes loss= instead.
    from optlab.algorithms.hogwild_shm import infer_loss
    return infer_loss(problem)


def shard(problem=None, parts=2, *, X=None, y=None, loss=None, lam=None, check_points=3, seed=0):
    """Split a finite sum into ``parts`` row blocks (see the module docstring)."""
    if not isinstance(parts, (int, numpy.integer)) or isinstance(parts, bool) or parts < 1:
        raise ValueError(f"parts must be a positive whole number (one block per worker), got parts={parts!r}")
    if problem is not None:
        if not getattr(problem, "is_finite_sum", False):
            raise ValueError(f"the parameter server needs a finite-sum problem (data rows to split "
                             f"among workers); got {problem!r}")
        if getattr(problem, "X", None) is None or getattr(problem, "y", None) is None:
            raise ValueError(f"{problem!r} does not carry its data (X and y); pass "
                             f"shard(X=..., y=..., loss='logistic' or 'squares', lam=...) instead")
        X, y = problem.X, problem.y
        loss = loss or _loss_of(problem)
    if X is None or y is None or loss is None:
        raise ValueError("pass a finite-sum problem, or X, y and loss ('logistic' or 'squares')")
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got loss={loss!r}")
    X, y = numpy.asarray(X, dtype=float), numpy.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,), got X.shape={X.shape}, y.shape={y.shape}")
    n = X.shape[0]
    if parts > n:
        raise ValueError(f"parts={parts} exceeds the number of rows n={n}: every worker needs data")
    if lam is None:
        lam = _identify_lam(problem, X, y, loss, seed) if problem is not None else 0.0
    edges = numpy.linspace(0, n, parts + 1).round().astype(int)
    data = Shards(X, y, loss, float(lam), tuple(zip(edges[:-1].tolist(), edges[1:].tolist())))
    if problem is not None:
        _agree(problem, data, check_points, seed)
    return data


def _identify_lam(problem, X, y, loss, seed):
    """lam from grad_i(w, idx) - (data term) = lam w at one random w (then checked by _agree)."""
    w = numpy.random.default_rng(seed).standard_normal(X.shape[1])
    idx = numpy.arange(X.shape[0])
    rest = numpy.asarray(problem.grad_i(w, idx)) - grad_sum(w, X, y, loss, 0.0, idx) / len(idx)
    return round(float(rest @ w / (w @ w)), 12)


def _agree(problem, data, points, seed):
    rng = numpy.random.default_rng([seed, 1])
    for _ in range(points):
        w = rng.standard_normal(data.X.shape[1])
        idx = rng.integers(0, data.n, 5)
        ours = grad_sum(w, data.X, data.y, data.loss, data.lam, idx) / len(idx)
        theirs = numpy.asarray(problem.grad_i(w, idx))
        if not numpy.allclose(ours, theirs, rtol=1e-9, atol=1e-12):
            raise ValueError(f"the per-row gradient of loss={data.loss!r} with lam={data.lam:g} does not "
                             f"match {problem!r}'s own gradient; pass shard(X=..., y=..., loss=..., "
                             f"lam=...) with the right loss")
