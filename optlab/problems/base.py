"""Problems with certified constants: the :class:`Problem` and :class:`FiniteSumProblem` records.

A convergence bound can only be checked on a problem whose constants are known exactly. A ``Problem``
is a loss ``f`` written with ``optlab.numpy`` (so the engine differentiates it) plus, where cheap, an
analytic gradient and Hessian-vector product that serve as an independent check of the engine. It
carries its constants, the assumptions it satisfies, and ``x_star`` / ``f_star`` when known.

Constants (``None`` when not claimed), named as in CONTRIBUTING.md:

- ``H``: smoothness, ||grad f(x) - grad f(y)|| <= H ||x - y|| (on ``domain``);
- ``mu``: strong convexity, f(y) >= f(x) + <grad f(x), y - x> + mu/2 ||y - x||^2;
- ``G``: Lipschitz constant of f, |f(x) - f(y)| <= G ||x - y|| (on ``domain``);
- ``sigma``: noise standard deviation of the problem's own stochastic oracle (variance sigma**2);
- ``rho``: Hessian Lipschitz (the notes' J), ||hess f(x) - hess f(y)||_op <= rho ||x - y||;
- ``L0, L1, alpha``: generalized smoothness of order alpha (Hessian form),
  ||hess f(x)||_op <= L0 + L1 ||grad f(x)||^alpha;
- ``pl_mu, pl_exponent``: generalized PL (seed 002, eq. 9),
  ||grad f(x)||^pl_exponent >= 2 pl_mu (f(x) - f_star); pl_exponent = 2 is the usual PL inequality.

Assumption names (a frozenset in ``assumptions``): 'convex', 'strongly_convex', 'smooth', 'lipschitz',
'second_order_smooth', 'generalized_smooth', 'generalized_pl', 'scale_invariant', 'finite_sum',
'nonconvex'.

Backends (NumPy or CuPy): ``f``, ``grad``, ``hvp`` (and a finite sum's ``f_i``, ``grad_i``, ``hvp_i``,
``grad_all``) accept a CuPy ``x`` and answer on its device; a family reads its host data through a
:class:`~optlab.problems.device_data.DeviceData`. ``x0(seed)`` draws the start on the host and moves it
to the backend chosen with :func:`optlab.backend.set_backend`, so after ``set_backend("cupy")`` a plain
``run(method, problem, steps)`` runs on the GPU. Certified constants, ``x_star`` and ``hessian`` (a
dense host matrix) stay on the host; ``value``, ``variance``, ``in_domain`` and ``hessian`` accept a
device ``x``.

Seeds as a batch axis: ``f``, ``grad``, ``hvp`` (and a finite sum's ``f_i``, ``grad_i``, ``hvp_i``,
``project``) also accept a batch of S iterates, an array of shape (S, d) (row s is seed s's iterate;
a finite sum then takes one index array per row, shape (S, B), or one (B,) shared by all rows), and
answer per row: ``f`` an (S,) array, ``grad`` an (S, d) array. A family that computes this in one
vectorized pass says so with ``batched=True``; any other problem is evaluated row by row
(:mod:`optlab.problems.batch_rows`, with a one-time :class:`BatchFallbackWarning`).

``describe()`` and ``plot()`` are :mod:`optlab.problems.describe`'s.

Source: EC500 lecture notes (seed 003, definitions of smoothness, strong convexity and Lipschitz
continuity), the generalized-smoothness talk (seed 002, (L0, L1, alpha)-smoothness and generalized PL),
and the batch-normalization paper (seed 001, scale invariance).

Example:
    >>> import optlab.numpy as onp
    >>> p = Problem(lambda x: 0.5 * onp.sum(x ** 2), d=2, name="half squared norm", H=1.0, mu=1.0,
    ...             grad=lambda x: x, x_star=onp.zeros(2), f_star=0.0,
    ...             assumptions={"convex", "strongly_convex", "smooth"})
    >>> p.grad(onp.array([1.0, 2.0]))
    array([1., 2.])
    >>> p.engine_grad(onp.array([1.0, 2.0]))
    array([1., 2.])
    >>> print(p.describe().splitlines()[0])
    half squared norm (d = 2)
"""
from __future__ import annotations

import numpy

from .. import autodiff as _ad
# the argument checks live in optlab._validate (one contract for problems and methods); re-exported here
from .._validate import check_int, check_nonnegative, check_number, check_positive  # noqa: F401
from ..backend import get_xp, is_cupy, to_backend, to_numpy
# DeviceData and the batch helpers have their own modules; imported here, where families also find them
from .batch_rows import BatchFallbackWarning, is_batch, row_by_row  # noqa: F401
from .batch_rows import ndim as _ndim
from .describe import DESCRIPTIONS, describe, plot
from .device_data import DeviceData  # noqa: F401

ASSUMPTIONS = frozenset({
    "convex", "strongly_convex", "smooth", "lipschitz", "second_order_smooth", "generalized_smooth",
    "generalized_pl", "scale_invariant", "finite_sum", "nonconvex",
    "almost_convex",        # EC500 Def 22.2: hess f >= -gamma I, gamma certified in extra['gamma']
})

CONSTANTS = tuple(DESCRIPTIONS)    # H, mu, G, sigma, rho, L0, L1, alpha, pl_mu, pl_exponent (in this order)


# ----------------------------------------------------------------------------------------- validation
def check_mu_H(mu, H):
    """Validate 0 <= mu <= H (either may be None)."""
    mu = check_nonnegative("mu", mu, optional=True)
    H = check_nonnegative("H", H, optional=True)
    if mu is not None and H is not None and mu > H:
        raise ValueError(f"mu must satisfy mu <= H (strong convexity cannot exceed smoothness), "
                         f"got mu={mu!r} > H={H!r}")
    return mu, H


def _ad_sum(y):
    import optlab.numpy as onp   # (a late import: optlab.numpy imports the problems' engine)

    return onp.sum(y)


# ----------------------------------------------------------------------------------------- Problem
class Problem:
    """A loss with certified constants. See the module docstring for the meaning of each constant.

    ``f`` must be written with ``optlab.numpy``; ``grad`` and ``hvp`` are analytic where given, else the
    engine's. ``engine_grad`` / ``engine_hvp`` always use the engine (tests compare the two).
    ``domain`` states where the Lipschitz-type claims hold (default: all of R^d); ``in_domain(x)`` tests it.
    ``project(x)`` is the Euclidean projection onto the feasible set of a constrained problem (identity
    when unconstrained; ``constrained`` tells which).
    ``extra`` holds further certified constants specific to a family (a dict of name -> value).
    ``batched``: ``f``, ``grad``, ``hvp`` and ``project`` vectorize over a leading batch axis (see the
    module docstring); otherwise a batch is evaluated row by row.
    """

    is_finite_sum = False

    def __init__(self, f, d, name, *, grad=None, hvp=None, H=None, mu=None, G=None, sigma=None,
                 rho=None, L0=None, L1=None, alpha=None, pl_mu=None, pl_exponent=None, x_star=None,
                 f_star=None, assumptions=(), domain="R^d", x0=None, source="", notes="",
                 extra=None, in_domain=None, project=None, batched=False):
        self.d = check_int("d", d)
        self.batched = bool(batched)
        self._warned = False
        self.name = str(name)
        self._f = f
        self.mu, self.H = check_mu_H(mu, H)
        self.G = check_nonnegative("G", G, optional=True)
        self.sigma = check_nonnegative("sigma", sigma, optional=True)
        self.rho = check_nonnegative("rho", rho, optional=True)
        self.L0 = check_nonnegative("L0", L0, optional=True)
        self.L1 = check_nonnegative("L1", L1, optional=True)
        self.alpha = check_number("alpha", alpha, optional=True)
        if self.alpha is not None and not 0 <= self.alpha <= 2:
            raise ValueError(f"alpha must satisfy 0 <= alpha <= 2, got alpha={self.alpha!r}")
        self.pl_mu = check_positive("pl_mu", pl_mu, optional=True)
        self.pl_exponent = check_positive("pl_exponent", pl_exponent, optional=True)
        unknown = set(assumptions) - ASSUMPTIONS
        if unknown:
            raise ValueError(f"assumptions must be among {sorted(ASSUMPTIONS)}, got unknown "
                             f"{sorted(unknown)}")
        self.assumptions = frozenset(assumptions)
        self._check_assumption_constants()
        self.x_star = None if x_star is None else numpy.asarray(x_star, dtype=float)
        if self.x_star is not None and self.x_star.shape != (self.d,):
            raise ValueError(f"x_star must have shape (d,) = ({self.d},), got {self.x_star.shape}")
        self.f_star = check_number("f_star", f_star, optional=True)
        self.domain = domain
        self._in_domain = in_domain
        self._project = project
        self._x0 = None if x0 is None else numpy.asarray(x0, dtype=float)
        self.source = source
        self.notes = notes
        self.extra = dict(extra or {})
        self._grad = grad
        self._hvp = hvp
        self._engine_grad = _ad.grad(self.f)
        self._engine_hvp = _ad.hvp(self.f)
        # a batch of S seeds: the rows are independent, so the gradient of the sum is the rows' gradients
        self._engine_grad_batch = _ad.grad(lambda X: _ad_sum(self.f(X)))
        self._engine_hvp_batch = _ad.hvp(lambda X: _ad_sum(self.f(X)))

    def _check_assumption_constants(self):
        need = {"strongly_convex": ("mu",), "smooth": ("H",), "lipschitz": ("G",),
                "second_order_smooth": ("rho",), "generalized_smooth": ("L0", "L1", "alpha"),
                "generalized_pl": ("pl_mu", "pl_exponent")}
        for assumption, names in need.items():
            if assumption in self.assumptions:
                for n in names:
                    if getattr(self, n) is None:
                        raise ValueError(f"assumption '{assumption}' needs the constant {n}, "
                                         f"got {n}=None")
        if "strongly_convex" in self.assumptions and not self.mu > 0:
            raise ValueError(f"assumption 'strongly_convex' needs mu > 0, got mu={self.mu!r}")
        if "convex" in self.assumptions and "nonconvex" in self.assumptions:
            raise ValueError("assumptions 'convex' and 'nonconvex' exclude each other")

    # -- evaluation
    def f(self, x):
        """The loss, written with optlab.numpy (differentiable by optlab.grad); per row of a batch."""
        if _ndim(x) > 1 and not self.batched:
            return row_by_row(self, self._f, x)
        return self._f(x)

    def __call__(self, x):
        return self.f(x)

    def value(self, x):
        """``f(x)`` as a Python float (for a NumPy or CuPy ``x``)."""
        return float(self._f(x))

    def grad(self, x):
        """The gradient: analytic where the family provides one, else the engine's."""
        if self._grad is not None:
            if _ndim(x) > 1 and not self.batched:
                return row_by_row(self, self._grad, x)
            return self._grad(x)
        return self.engine_grad(x)

    def hvp(self, x, v):
        """Hessian-vector product: analytic where provided, else the engine's (reverse over reverse)."""
        if self._hvp is not None:
            if _ndim(x) > 1 and not self.batched:
                return row_by_row(self, self._hvp, x, v)
            return self._hvp(x, v)
        return self.engine_hvp(x, v)

    def engine_grad(self, x):
        if _ndim(x) > 1:
            return self._engine_grad_batch(x) if self.batched else row_by_row(self, self._engine_grad, x)
        return self._engine_grad(x)

    def engine_hvp(self, x, v):
        if _ndim(x) > 1:
            return self._engine_hvp_batch(x, v) if self.batched else row_by_row(self, self._engine_hvp, x, v)
        return self._engine_hvp(x, v)

    @property
    def has_analytic_grad(self):
        return self._grad is not None

    @property
    def has_analytic_hvp(self):
        return self._hvp is not None

    def hessian(self, x):
        """The dense d x d Hessian on the host, column by column from ``hvp`` (for small d); a device
        ``x`` is copied to the host first."""
        x = numpy.asarray(to_numpy(x), dtype=float)
        eye = numpy.eye(self.d)
        cols = [numpy.asarray(self.hvp(x, eye[:, j]), dtype=float) for j in range(self.d)]
        return numpy.stack(cols, axis=1)

    def in_domain(self, x):
        """Whether ``x`` lies in the stated domain of the Lipschitz-type claims (checked on the host)."""
        return True if self._in_domain is None else bool(self._in_domain(to_numpy(x)))

    @property
    def constrained(self):
        return self._project is not None

    def project(self, x):
        """Projection onto the feasible set (identity for an unconstrained problem); per row of a batch."""
        if self._project is None:
            return x
        if _ndim(x) > 1 and not self.batched:
            return row_by_row(self, self._project, x)
        return self._project(x)

    def x0(self, seed=0):
        """A starting point: the family's default for seed 0; otherwise that default (or 0) plus a
        standard normal draw with this seed, projected onto the feasible set.

        Drawn on the host, then moved to the backend chosen with :func:`optlab.backend.set_backend`
        (a NumPy array by default, a CuPy array after ``set_backend("cupy")``), so NumPy and CuPy
        runs start from the same point."""
        base = numpy.zeros(self.d) if self._x0 is None else self._x0
        if seed == 0 and self._x0 is not None:
            return to_backend(base.copy())
        x = numpy.asarray(self.project(base + numpy.random.default_rng(seed).standard_normal(self.d)))
        return to_backend(x)

    # -- description
    def constants(self):
        """Dict of the claimed constants (those that are not None), plus ``extra``."""
        out = {n: getattr(self, n) for n in CONSTANTS if getattr(self, n) is not None}
        out.update(self.extra)
        return out

    def describe(self):
        """Plain-text description for lectures: constants, assumptions, domain, optimum, source."""
        return describe(self)

    def __repr__(self):
        return f"<Problem {self.name!r} d={self.d}>"

    def plot(self, ax=None, lim=2.0, num=201):
        """Plot f along a line (d = 1) or as contours (d = 2) with matplotlib; returns the axes."""
        return plot(self, ax=ax, lim=lim, num=num)


class FiniteSumProblem(Problem):
    """f(x) = (1/n) sum_i f_i(x), or sum_i weights[i] f_i(x) when ``weights`` (a probability vector) is given.

    ``f_i(x, idx)`` is the plain mean of the terms in the integer array ``idx`` (written with
    optlab.numpy), so that it is an unbiased estimate of f when idx is drawn i.i.d. from the weights;
    ``grad_i(x, idx)`` their mean gradient (analytic where given, else the engine's);
    ``grad_all(x)`` the n x d matrix of per-term gradients (for exact variance by enumeration).
    A weighted problem must pass its full ``f`` (and may pass ``grad``).
    """

    is_finite_sum = True

    def __init__(self, f_i, n, d, name, *, grad_i=None, grad_all=None, hvp_i=None, weights=None,
                 **kwargs):
        self.n = check_int("n", n)
        self._f_i = f_i
        self._all = numpy.arange(self.n)
        self._grad_i = grad_i
        self._grad_all = grad_all
        self._hvp_i = hvp_i
        all_idx = self._all
        if weights is None:
            self.weights = None
            full = kwargs.pop("f", None) or (lambda x: f_i(x, all_idx))
            kwargs.setdefault("grad", None if grad_i is None else (lambda x: grad_i(x, all_idx)))
            kwargs.setdefault("hvp", None if hvp_i is None else (lambda x, v: hvp_i(x, v, all_idx)))
        else:
            w = numpy.asarray(weights, dtype=float)
            if w.shape != (self.n,) or numpy.any(w < 0) or not numpy.isclose(w.sum(), 1.0):
                raise ValueError(f"weights must be a probability vector of length n={self.n} "
                                 f"(non-negative, summing to 1), got {weights!r}")
            self.weights = w
            if "f" not in kwargs:
                raise ValueError("a weighted finite sum needs its full objective f=...")
            full = kwargs.pop("f")
            if "grad" not in kwargs and grad_all is not None:
                w_data = DeviceData(w)
                kwargs["grad"] = lambda x: w_data(x)[1] @ grad_all(x)
        assumptions = set(kwargs.pop("assumptions", ())) | {"finite_sum"}
        super().__init__(full, d, name, assumptions=assumptions, **kwargs)
        self._engine_grad_i = _ad.grad(self._f_i)

    def _idx(self, idx):
        if idx.__class__ is not numpy.ndarray and not is_cupy(idx):  # host index arrays (CuPy's too) pass
            idx = numpy.asarray(idx)
        if idx.ndim == 0:
            idx = idx.reshape(1)
        if idx.dtype.kind not in "iu":
            raise ValueError(f"idx must be an integer array, got dtype {idx.dtype}")
        return idx

    def _batch_idx(self, x, idx):
        """A batch of S iterates takes one index array per seed, shape (S, B), or one (B,) shared by all
        seeds; a problem evaluated row by row gets the (S, B) form."""
        idx = self._idx(idx)
        if _ndim(x) > 1:
            if idx.ndim == 1 and not self.batched:
                idx = idx.reshape(1, -1).repeat(x.shape[0], axis=0)
            if idx.ndim == 2 and idx.shape[0] != x.shape[0] or idx.ndim > 2:
                raise ValueError(f"idx must have one row per seed, shape (S, B) = ({x.shape[0]}, B), "
                                 f"got shape {idx.shape}")
        elif idx.ndim != 1:
            raise ValueError(f"idx must be a 1-D index array for one iterate, got shape {idx.shape}")
        return idx

    def f_i(self, x, idx):
        idx = self._batch_idx(x, idx)
        if _ndim(x) > 1 and not self.batched:
            return row_by_row(self, self._f_i, x, idx)
        return self._f_i(x, idx)

    def grad_i(self, x, idx):
        """Mean gradient of the terms in ``idx`` (per row of a batch, with one index row per seed)."""
        idx = self._batch_idx(x, idx)
        if self._grad_i is not None:
            if _ndim(x) > 1 and not self.batched:
                return row_by_row(self, self._grad_i, x, idx)
            return self._grad_i(x, idx)
        return self.engine_grad_i(x, idx)

    def engine_grad_i(self, x, idx):
        idx = self._batch_idx(x, idx)
        if _ndim(x) > 1:
            if self.batched:   # the rows are independent: the gradient of their sum, row by row
                return _ad.grad(lambda X: _ad_sum(self._f_i(X, idx)))(x)
            if idx.ndim == 1:
                idx = idx.reshape(1, -1).repeat(x.shape[0], axis=0)
            return row_by_row(self, self._engine_grad_i, x, idx)
        return self._engine_grad_i(x, idx)

    def hvp_i(self, x, v, idx):
        idx = self._batch_idx(x, idx)
        if _ndim(x) > 1 and not self.batched:
            if idx.ndim == 1:
                idx = idx.reshape(1, -1).repeat(x.shape[0], axis=0)
            return row_by_row(self, self.hvp_i, x, v, idx)
        if self._hvp_i is not None:
            return self._hvp_i(x, v, idx)
        return _ad.hvp(lambda y: _ad_sum(self._f_i(y, idx)))(x, v)   # a batch: the rows' sum, as above

    def grad_all(self, x):
        """n x d matrix whose row i is grad f_i(x) (in the namespace of ``x``)."""
        xp = get_xp(x)
        if self._grad_all is not None:
            return xp.asarray(self._grad_all(x), dtype=float)
        return xp.stack([xp.asarray(self.grad_i(x, numpy.array([i])), dtype=float)
                         for i in range(self.n)])

    def variance(self, x):
        """E||grad f_i(x) - grad f(x)||^2 for one index i drawn from the weights, by enumeration
        (a Python float; computed on the device of ``x``)."""
        g = self.grad_all(x)
        xp = get_xp(g)
        w = numpy.full(self.n, 1.0 / self.n) if self.weights is None else self.weights
        w = xp.asarray(w)
        mean = w @ g
        return float(w @ xp.sum((g - mean) ** 2, axis=1))
