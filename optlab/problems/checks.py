"""Ratios that check a problem's claimed constants at given points (<= 1 when the claim holds).

Each function takes a problem and points and returns observed / claimed, so a property test asserts
``ratio <= 1 + tol`` at drawn points and a tightness test asserts that some point gets close to 1.
``verify(problem)`` runs all applicable checks at random points and returns the worst ratio per
constant (for lectures: "which constants did we certify, and how tight are they here?").

* smoothness:        ||grad f(x) - grad f(y)|| / (H ||x - y||)
* strong convexity:  mu/2 ||y - x||^2 / (f(y) - f(x) - <grad f(x), y - x>)
* Lipschitz:         ||grad f(x)|| / G     (differentiable f; Prop 2.3 of the notes)
* second order:      ||(hess f(x) - hess f(y)) v|| / (rho ||x - y|| ||v||)
* generalized smooth (Hessian form): ||hess f(x)||_op / (L0 + L1 ||grad f(x)||^alpha)
* generalized PL:    2 pl_mu (f(x) - f*) / ||grad f(x)||^q

Source: definitions of seed 003 (Def 2.2, 5.1, 21.3, 25.1) and seed 002 (eq. 5 Hessian form, eq. 9).

Example:
    >>> from optlab.problems import quadratic
    >>> worst = verify(quadratic(3, 0.5, 2.0, seed=0), n_points=50, seed=0)
    >>> all(r <= 1 + 1e-9 for r in worst.values()), sorted(worst)
    (True, ['H', 'mu', 'pl_mu', 'rho'])
"""
from __future__ import annotations

import numpy

from ..backend import to_numpy

_TINY = 1e-300


def _a(x):
    return numpy.asarray(to_numpy(x), dtype=float)


def hessian_op_norm(p, x):
    """||hess f(x)||_op from the dense Hessian (built from hvp; for small d)."""
    return float(numpy.max(numpy.abs(numpy.linalg.eigvalsh(_sym(p.hessian(x))))))


def _sym(M):
    return (M + M.T) / 2


def smoothness_ratio(p, x, y):
    num = numpy.linalg.norm(_a(p.grad(x)) - _a(p.grad(y)))
    den = p.H * numpy.linalg.norm(_a(x) - _a(y))
    return float(num / max(den, _TINY))


def strong_convexity_ratio(p, x, y):
    gap = p.value(y) - p.value(x) - float(_a(p.grad(x)) @ (_a(y) - _a(x)))
    need = 0.5 * p.mu * float(numpy.sum((_a(y) - _a(x)) ** 2))
    return float(need / max(gap, _TINY)) if need > 0 else 0.0


def convexity_gap(p, x, y):
    """f(y) - f(x) - <grad f(x), y - x> (>= 0 for convex f)."""
    return p.value(y) - p.value(x) - float(_a(p.grad(x)) @ (_a(y) - _a(x)))


def lipschitz_ratio(p, x):
    return float(numpy.linalg.norm(_a(p.grad(x))) / max(p.G, _TINY))


def second_order_ratio(p, x, y, v):
    num = numpy.linalg.norm(_a(p.hvp(x, v)) - _a(p.hvp(y, v)))
    den = p.rho * numpy.linalg.norm(_a(x) - _a(y)) * numpy.linalg.norm(v)
    return float(num / max(den, _TINY)) if num > 1e-13 * (1 + numpy.linalg.norm(_a(p.hvp(x, v)))) else 0.0


def generalized_smoothness_ratio(p, x, L0=None, L1=None, alpha=None):
    L0 = p.L0 if L0 is None else L0
    L1 = p.L1 if L1 is None else L1
    alpha = p.alpha if alpha is None else alpha
    g = numpy.linalg.norm(_a(p.grad(x)))
    return float(hessian_op_norm(p, x) / max(L0 + L1 * g ** alpha, _TINY))


def pl_ratio(p, x, pl_mu=None, exponent=None):
    pl_mu = p.pl_mu if pl_mu is None else pl_mu
    q = p.pl_exponent if exponent is None else exponent
    gap = p.value(x) - p.f_star
    g = numpy.linalg.norm(_a(p.grad(x)))
    return float(2 * pl_mu * gap / max(g ** q, _TINY)) if gap > 0 else 0.0


def verify(p, n_points=100, seed=0, scale=2.0):
    """Worst observed ratio for each claimed constant at random points around x0 (<= 1 if consistent)."""
    rng = numpy.random.default_rng(seed)
    base = to_numpy(p.x0())  # a host tool: the checks run on the host whatever the backend
    worst = {}

    def note(name, r):
        worst[name] = max(worst.get(name, 0.0), r)

    for _ in range(n_points):
        x = base + scale * rng.standard_normal(p.d)
        y = base + scale * rng.standard_normal(p.d)
        if p.constrained:
            x, y = p.project(x), p.project(y)
        if not (p.in_domain(x) and p.in_domain(y)):
            continue
        if p.H is not None and "smooth" in p.assumptions:
            note("H", smoothness_ratio(p, x, y))
        if p.mu:
            note("mu", strong_convexity_ratio(p, x, y))
        if p.G is not None:
            note("G", lipschitz_ratio(p, x))
        if p.rho is not None:
            note("rho", 0.0 if p.rho == 0 and numpy.allclose(p.hvp(x, y), p.hvp(y, y)) else
                 second_order_ratio(p, x, y, rng.standard_normal(p.d)) if p.rho > 0 else numpy.inf)
        if "generalized_smooth" in p.assumptions and p.d <= 50:
            note("L0_L1_alpha", generalized_smoothness_ratio(p, x))
        if p.pl_mu is not None and p.f_star is not None:
            note("pl_mu", pl_ratio(p, x))
    return worst
