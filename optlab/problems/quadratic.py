"""Quadratic families: prescribed spectrum, indefinite (saddles), and Nesterov's worst case.

* ``quadratic(d, mu, H)``: f(x) = 1/2 (x - x*)^T A (x - x*) + f*, A = Q diag(lam) Q^T with the spectrum
  in [mu, H] and both ends attained (d >= 2), so H = lambda_max(A) and mu = lambda_min(A) are tight.
  grad f = A (x - x*), Hessian A (rho = 0); PL with constant mu: ||grad f||^2 >= 2 mu (f - f*).
  On the ball ||x - x*|| <= radius it is G-Lipschitz with G = H * radius (attained); with ``radius``
  the problem is constrained to that ball (``p.project``) and starts on its boundary (D = radius).
* ``indefinite_quadratic(d, lam_min, lam_max)``: the same with lam_min < 0: a strict saddle at x_s,
  unbounded below; smooth with H = max(|lam_min|, |lam_max|).
* ``nesterov_worst_case(d, H, mu=0)``: f(x) = (H - mu)/4 (1/2 x^T T x - x_1) + mu/2 ||x||^2, T =
  tridiag(-1, 2, -1). Its Hessian (H - mu)/4 T + mu I has spectrum inside (mu, H). For mu = 0,
  x*_i = 1 - i/(d+1) and f* = -(H/8) d/(d+1). On the instance of dimension d = 2k + 1, any method
  whose iterates stay in the span of past gradients, started at 0, has
  f(x_k) - f* >= 3 H ||x*||^2 / (32 (k+1)^2) (``nesterov_lower_bound``).

Source: EC500 notes (seed 003; the quadratic and Nesterov families of the seed notes, part 2 §7.1 F1,
F6; Nesterov's lower bound, Introductory Lectures, Thm 2.1.7, external).

Example:
    >>> p = quadratic(d=4, mu=0.5, H=2.0, seed=0)
    >>> import numpy as np
    >>> bool(np.isclose(np.linalg.eigvalsh(p.A)[[0, -1]], [0.5, 2.0]).all())
    True
    >>> q = nesterov_worst_case(d=5, H=1.0)
    >>> np.round(q.x_star, 4)
    array([0.8333, 0.6667, 0.5   , 0.3333, 0.1667])
"""
from __future__ import annotations

import numpy

from ._linalg import orthogonal
from .base import DeviceData, check_int, check_mu_H, check_number, check_positive
from .declared import QuadraticProblem

SPECTRA = ("uniform", "linear", "log", "two_point")


def _spectrum(d, mu, H, spectrum, rng):
    if spectrum is not None and not isinstance(spectrum, str):
        lam = numpy.sort(numpy.asarray(spectrum, dtype=float))
        if lam.shape != (d,):
            raise ValueError(f"spectrum must have d={d} eigenvalues, got shape {lam.shape}")
        return lam
    if spectrum not in SPECTRA:
        raise ValueError(f"spectrum must be one of {SPECTRA} or an array of eigenvalues, "
                         f"got {spectrum!r}")
    if d == 1:
        return numpy.array([H])
    if spectrum == "uniform":
        inner = rng.uniform(mu, H, d - 2)
    elif spectrum == "linear":
        inner = numpy.linspace(mu, H, d)[1:-1]
    elif spectrum == "log":
        if mu <= 0:
            raise ValueError(f"spectrum='log' needs mu > 0, got mu={mu!r}")
        inner = numpy.geomspace(mu, H, d)[1:-1]
    else:
        inner = numpy.where(numpy.arange(d - 2) % 2 == 0, mu, H)
    return numpy.sort(numpy.concatenate([[mu], inner, [H]]))


def quadratic(d, mu, H, seed=0, spectrum="uniform", x_star=None, f_star=0.0, radius=None):
    """Convex quadratic with eigenvalues in [mu, H] (both attained for d >= 2); mu = 0: merely convex.

    ``spectrum``: 'uniform' (inner eigenvalues uniform in [mu, H]), 'linear', 'log', 'two_point' or an
    explicit array of d eigenvalues (then mu and H must bound it). ``radius``: also claim
    G = H * radius on the ball ||x - x*|| <= radius, project onto it, and start at distance radius.
    """
    d = check_int("d", d)
    mu, H = check_mu_H(mu, H)
    if mu is None or H is None:
        raise ValueError(f"quadratic needs both mu and H, got mu={mu!r}, H={H!r}")
    rng = numpy.random.default_rng(seed)
    lam = _spectrum(d, mu, H, spectrum, rng)
    if lam[0] < mu - 1e-12 * max(1.0, H) or lam[-1] > H + 1e-12 * max(1.0, H):
        raise ValueError(f"spectrum must lie in [mu, H] = [{mu}, {H}], got [{lam[0]}, {lam[-1]}]")
    Q = orthogonal(d, rng)
    A = (Q * lam) @ Q.T
    A = (A + A.T) / 2
    xs = rng.standard_normal(d) if x_star is None else numpy.asarray(x_star, dtype=float)
    f_star = check_number("f_star", f_star)
    assumptions = {"convex", "smooth", "second_order_smooth"}
    kwargs = {}
    if mu > 0:
        assumptions |= {"strongly_convex", "generalized_pl"}
        kwargs.update(pl_mu=mu, pl_exponent=2.0)
    if radius is not None:
        radius = check_positive("radius", radius)
        assumptions.add("lipschitz")
        center = DeviceData(xs)

        def to_ball(x):
            xp, xs_ = center(x)
            r = xp.linalg.norm(x - xs_, axis=-1, keepdims=True)       # per seed for a batch
            return xp.where(r <= radius, x, xs_ + (x - xs_) * (radius / xp.maximum(r, radius)))

        kwargs.update(G=H * radius, domain=f"ball ||x - x*|| <= {radius:g} (use p.project)",
                      in_domain=lambda x: numpy.linalg.norm(x - xs) <= radius * (1 + 1e-12),
                      project=to_ball)
    return QuadraticProblem(
        A, xs, f_star, f"quadratic (mu={mu:g}, H={H:g})", eigenvalues=lam, eigenvectors=Q, H=H, mu=mu,
        rho=0.0, x_star=xs, f_star=f_star, assumptions=assumptions,
        x0=numpy.zeros(d) if radius is None else xs + radius * Q[:, -1],
        source="seed 003 (EC500 notes); seed-notes part 2 §7.1 F1", **kwargs)


def indefinite_quadratic(d, lam_min, lam_max, seed=0, n_negative=1, spectrum="uniform"):
    """Non-convex quadratic 1/2 (x - x_s)^T A (x - x_s) with a strict saddle at x_s (unbounded below).

    ``n_negative`` eigenvalues equal ``lam_min`` < 0; the others lie in (0, lam_max] with lam_max attained.
    """
    d = check_int("d", d, minimum=2)
    lam_min = check_number("lam_min", lam_min)
    lam_max = check_positive("lam_max", lam_max)
    if not lam_min < 0:
        raise ValueError(f"lam_min must be < 0 for an indefinite quadratic, got lam_min={lam_min!r}")
    n_negative = check_int("n_negative", n_negative)
    if n_negative >= d:
        raise ValueError(f"n_negative must be < d={d} (one positive direction), got {n_negative}")
    rng = numpy.random.default_rng(seed)
    pos = _spectrum(d - n_negative + 1, 0.0, lam_max, spectrum, rng)[1:]
    pos = numpy.maximum(pos, lam_max * 1e-3)
    lam = numpy.concatenate([numpy.full(n_negative, lam_min), pos])
    Q = orthogonal(d, rng)
    A = (Q * lam) @ Q.T
    A = (A + A.T) / 2
    xs = rng.standard_normal(d)
    H = max(abs(lam_min), lam_max)
    return QuadraticProblem(
        A, xs, 0.0, f"indefinite quadratic (lam in [{lam_min:g}, {lam_max:g}])", eigenvalues=lam,
        eigenvectors=Q, H=H, rho=0.0, assumptions={"nonconvex", "smooth", "second_order_smooth"},
        x0=xs.copy(), source="seed-notes part 2 §7.1 F1 (indefinite A gives a saddle)",
        notes="unbounded below; its center is a strict saddle (lambda_min < 0)",
        extra={"lambda_min": lam_min})


def nesterov_worst_case(d, H, mu=0.0):
    """Nesterov's tridiagonal worst-case quadratic (mu = 0: convex; mu > 0: strongly convex)."""
    d = check_int("d", d)
    mu, H = check_mu_H(mu, H)
    if H is None or H == 0:
        raise ValueError(f"H must be > 0, got H={H!r}")
    T = 2 * numpy.eye(d) - numpy.eye(d, k=1) - numpy.eye(d, k=-1)
    c = (H - mu) / 4
    A = c * T + mu * numpy.eye(d)
    e1 = numpy.zeros(d)
    e1[0] = 1.0
    b = c * e1
    if mu == 0:
        xs = 1.0 - numpy.arange(1, d + 1) / (d + 1)
        fs = -(H / 8) * d / (d + 1)
    else:
        xs = numpy.linalg.solve(A, b)
        fs = float(-0.5 * b @ xs)

    lam, V = numpy.linalg.eigh(A)
    assumptions = {"convex", "smooth", "second_order_smooth"}
    kwargs = {}
    if mu > 0:
        assumptions |= {"strongly_convex", "generalized_pl"}
        kwargs.update(pl_mu=mu, pl_exponent=2.0)
    # 1/2 x^T A x - b^T x = 1/2 (x - x*)^T A (x - x*) + f* with A x* = b
    return QuadraticProblem(A, xs, fs, f"Nesterov worst case (d={d}, H={H:g}, mu={mu:g})",
                            eigenvalues=lam, eigenvectors=V, H=H, mu=mu, rho=0.0, x_star=xs, f_star=fs,
                            assumptions=assumptions, x0=numpy.zeros(d),
                            source="Nesterov, Introductory Lectures (2004) §2.1.2 (external); "
                                   "seed-notes part 2 F6",
                            notes="H and mu bound the spectrum strictly; exact extremes in extra",
                            extra={"lambda_max": float(lam[-1]), "lambda_min": float(lam[0])}, **kwargs)


def nesterov_lower_bound(H, x_star_norm_sq, k):
    """3 H ||x0 - x*||^2 / (32 (k+1)^2): the span-method lower bound after k steps, for mu = 0, on
    ``nesterov_worst_case(2k + 1, H)`` started at x0 = 0 (Nesterov's f_{2k+1})."""
    return 3 * H * x_star_norm_sq / (32 * (k + 1) ** 2)
