"""A problem for lectures: its plain-text description and a picture of its loss.

:func:`describe` lists the claimed constants with the inequality each one certifies, the assumptions,
the domain of the claims, the optimum and the source; :func:`plot` draws f along a line (d = 1), as
contours (d = 2), or along the first axis through the optimum (d > 2). ``Problem.describe()`` and
``Problem.plot()`` call these.

Example:
    >>> from optlab.problems import quadratic
    >>> print(describe(quadratic(d=2, mu=1.0, H=2.0)).splitlines()[0])
    quadratic (mu=1, H=2) (d = 2)
"""
from __future__ import annotations

import numpy

DESCRIPTIONS = {
    "H": "smoothness: ||grad f(x) - grad f(y)|| <= H ||x - y||",
    "mu": "strong convexity: f(y) >= f(x) + <grad f(x), y - x> + mu/2 ||y - x||^2",
    "G": "Lipschitz: |f(x) - f(y)| <= G ||x - y||",
    "sigma": "noise standard deviation (variance sigma^2)",
    "rho": "Hessian Lipschitz: ||hess f(x) - hess f(y)|| <= rho ||x - y||",
    "L0": "generalized smoothness: ||hess f(x)|| <= L0 + L1 ||grad f(x)||^alpha",
    "L1": "(see L0)",
    "alpha": "order of generalized smoothness",
    "pl_mu": "generalized PL: ||grad f(x)||^pl_exponent >= 2 pl_mu (f(x) - f*)",
    "pl_exponent": "(see pl_mu)",
}


def _fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def describe(problem):
    """Plain-text description: constants, assumptions, domain, optimum, source."""
    p = problem
    lines = [f"{p.name} (d = {p.d}" + (f", n = {p.n}" if p.is_finite_sum else "") + ")"]
    lines.append("  assumptions: " + (", ".join(sorted(p.assumptions)) or "none claimed"))
    lines.append(f"  domain of the claims: {p.domain}")
    for n, text in DESCRIPTIONS.items():
        v = getattr(p, n)
        if v is not None:
            lines.append(f"  {n:<11} = {_fmt(v):<12} {text}")
    for n, v in p.extra.items():
        lines.append(f"  {n:<11} = {_fmt(v)}")
    lines.append(f"  f*          = {_fmt(p.f_star)}")
    if p.x_star is not None:
        xs = numpy.array2string(p.x_star, precision=4, threshold=6)
        lines.append(f"  x*          = {xs}")
    if p.H is not None and p.mu:
        lines.append(f"  condition number H/mu = {p.H / p.mu:.6g}")
    if p.source:
        lines.append(f"  source: {p.source}")
    if p.notes:
        lines.append(f"  notes: {p.notes}")
    return "\n".join(lines)


def plot(problem, ax=None, lim=2.0, num=201):
    """Plot f along a line (d = 1) or as contours (d = 2) with matplotlib; returns the axes."""
    import matplotlib.pyplot as plt

    p = problem
    ax = ax or plt.gca()
    center = p.x_star if p.x_star is not None else numpy.zeros(p.d)
    t = numpy.linspace(-lim, lim, num)
    if p.d == 1:
        ax.plot(center[0] + t, [p.value(center + numpy.array([s])) for s in t])
    elif p.d == 2:
        X, Y = numpy.meshgrid(center[0] + t, center[1] + t)
        Z = numpy.vectorize(lambda a, b: p.value(numpy.array([a, b])))(X, Y)
        ax.contour(X, Y, Z, levels=30)
    else:
        u = numpy.zeros(p.d)
        u[0] = 1.0
        ax.plot(t, [p.value(center + s * u) for s in t])
        ax.set_xlabel("t along e_1")
    ax.set_title(p.name)
    return ax
