"""Second-order steps of EC500 section 25 (seed 003): the negative-curvature step and cubic Newton.

* :func:`solve_cubic`: the global minimiser of the cubic model
  P(delta) = <g, delta> + delta^T A delta / 2 + J ||delta||^3 / 6 (L3857-3867), hard case included.
  A global minimiser is characterised by (Nesterov-Polyak 2006, external to the notes):
  g + (A + (J r/2) I) delta = 0 with r = ||delta|| and A + (J r/2) I >= 0. With A = Q diag(lam) Q^T and
  g~ = Q^T g: find r >= r_low = max(0, -2 lam_min / J) with ||g~ / (lam + J r/2)|| = r (the left side
  decreases in r, so bisection is safe) and set delta = -Q (g~ / (lam + J r/2)). **Hard case**: g~ has
  no component on the bottom eigenspace and ||g~ / (lam + J r_low/2)|| (over the other eigenvalues)
  <= r_low; then r = r_low and a bottom eigenvector is added to reach norm r_low.
* :class:`CubicNewton`: w_{t+1} = w_t + argmin_delta P_t(delta) (Nesterov-Polyak, L3825-3829,
  L3857-3863). J must be >= the Hessian-Lipschitz constant (the notes' J, optlab's ``rho``).
* :class:`NegativeCurvature`: Theorem 25.7's step (L3847): if v^T hess L(w) v = -lam < 0 for the unit
  bottom eigenvector v, delta = -(2 lam / J) v sign(<v, grad L(w)>) (sign(0) = 1), which decreases L by
  at least 2 lam^3 / (3 J^2); otherwise (no negative curvature) a gradient step with ``lr``.

The Hessian is assembled from d Hessian-vector products of the oracle (each counted).

Example:
    >>> import numpy as np
    >>> d = solve_cubic(np.zeros(2), np.diag([-1.0, 1.0]), J=2.0)   # hard case: g = 0, lam_min = -1
    >>> np.round(np.abs(d), 12), float(np.linalg.norm(d))
    (array([1., 0.]), 1.0)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..backend import get_xp
from .base import check_lr, check_positive, copy, lr_at, set_field


def hessian(oracle, x):
    """The d x d Hessian at x from d counted Hessian-vector products (symmetrised)."""
    xp = get_xp(x)
    eye = xp.eye(x.shape[0], dtype=x.dtype)
    A = xp.stack([xp.asarray(oracle.hvp(x, eye[:, j])) for j in range(x.shape[0])], axis=1)
    return (A + A.T) / 2


def cubic_model(g, A, J, delta):
    """P(delta) = <g, delta> + delta^T A delta / 2 + J ||delta||^3 / 6."""
    n = math.sqrt(float(delta @ delta))
    return float(g @ delta + 0.5 * delta @ (A @ delta)) + J * n ** 3 / 6


def _bisect(phi, lo, hi, tol, max_iter):
    """Root of the decreasing function phi on (lo, hi) with phi(hi) <= 0 < phi(lo+); relative accuracy
    (geometric steps while lo = 0, so tiny roots are found to full relative precision)."""
    for _ in range(max_iter):
        mid = hi / 4 if lo == 0 else (math.sqrt(lo * hi) if hi > 4 * lo else 0.5 * (lo + hi))
        if mid <= lo or mid >= hi or (lo > 0 and hi - lo <= tol * hi):
            break
        if phi(mid) > 0:
            lo = mid
        else:
            hi = mid
    return hi


def solve_cubic(g, A, J, *, tol=1e-15, max_iter=3000):
    """Global minimiser of <g, d> + d^T A d / 2 + J ||d||^3 / 6 (A symmetric), hard case included.

    The unknown is the shift sigma = lam_min + J r / 2 of the bottom eigenvalue (when lam_min < 0) or
    r itself (when lam_min >= 0), so that every shift lam_i + J r/2 is known to full relative precision
    even in nearly hard cases (sigma tiny).
    """
    xp = get_xp(g, A)
    lam, Q = xp.linalg.eigh(A)
    gt = Q.T @ g
    lam_h, gt_h = [float(v) for v in lam.tolist()], [float(v) for v in gt.tolist()]
    lam_min = lam_h[0]
    gap = [lv - lam_min for lv in lam_h]                            # lam_i - lam_min >= 0
    scale = max(1.0, max(abs(v) for v in lam_h))
    bottom = [v <= 1e-10 * scale for v in gap]
    gnorm = math.sqrt(sum(v * v for v in gt_h))

    def norm_at(shifts, skip_bottom=False):
        return math.sqrt(sum((gv / sv) ** 2 for gv, sv, b in zip(gt_h, shifts, bottom)
                             if not (skip_bottom and b) and gv != 0.0))

    if lam_min < 0:
        r_low = -2.0 * lam_min / J
        shifts0 = [gp if not b else 0.0 for gp, b in zip(gap, bottom)]    # shifts at r = r_low
        if all(abs(gv) <= 1e-13 * max(gnorm, 1.0) for gv, b in zip(gt_h, bottom) if b) \
                and norm_at(shifts0, skip_bottom=True) <= r_low:
            # hard case: r = r_low, fill the rest of the norm with a bottom eigenvector
            coef = [0.0 if b else -gv / sv for gv, sv, b in zip(gt_h, shifts0, bottom)]
            coef[0] = math.sqrt(max(r_low ** 2 - sum(c * c for c in coef), 0.0))
            return Q @ xp.asarray(coef, dtype=Q.dtype)
        shifts = lambda sig: [gp + sig for gp in gap]                 # lam_i + J r/2 = gap_i + sigma
        phi = lambda sig: norm_at(shifts(sig)) - (r_low + 2 * sig / J)  # ||s|| - r, decreasing
        hi = max(1.0, gnorm)
        while phi(hi) > 0:
            hi *= 2
        sig = _bisect(phi, 0.0, hi, tol, max_iter)
        sh = shifts(sig)
    else:
        shifts = lambda r: [lv + J * r / 2 for lv in lam_h]
        phi = lambda r: norm_at(shifts(r)) - r
        hi = max(1.0, gnorm)
        while phi(hi) > 0:
            hi *= 2
        sh = shifts(_bisect(phi, 0.0, hi, tol, max_iter) if gnorm > 0 else 0.0)
    coef = [-gv / sv if gv != 0.0 else 0.0 for gv, sv in zip(gt_h, sh)]
    return Q @ xp.asarray(coef, dtype=Q.dtype)


class SecondOrderState(NamedTuple):
    x: Any
    t: int
    lam_min: float    # smallest Hessian eigenvalue at the last w_t (for inspection)


@dataclass(frozen=True)
class CubicNewton:
    """Cubic-regularized Newton, EC500 section 25 (seed 003 L3825-3829, L3857-3863). ``J``: rho.

    Theorems: EC500-25.3, EC500-25.4, EC500-25.5, EC500-25.8/printed, EC500-25.8.
    """
    J: float

    no_batch = "each seed solves its own eigen-decomposition and cubic subproblem (host bisection)"

    def __post_init__(self):
        set_field(self, "J", check_positive("J", self.J))

    def init(self, x0, oracle) -> SecondOrderState:
        return SecondOrderState(x=copy(x0), t=0, lam_min=math.nan)

    def step(self, s: SecondOrderState, oracle) -> SecondOrderState:
        xp = get_xp(s.x)
        g = oracle.full_grad(s.x)                                 # grad L(w_t)
        A = hessian(oracle, s.x)                                  # hess L(w_t)
        delta = solve_cubic(g, A, self.J)                         # delta_t^* = argmin P_t(delta)
        lam_min = float(xp.linalg.eigvalsh(A)[0])
        return SecondOrderState(x=s.x + delta, t=s.t + 1, lam_min=lam_min)   # w_{t+1} = w_t + delta*


@dataclass(frozen=True)
class NegativeCurvature:
    """Negative-curvature step of EC500 Theorem 25.7 (seed 003 L3847), else a gradient step.

    ``J``: second-order smoothness; ``lr``: the gradient step used where hess L(w) >= -tol I.

    Theorems: EC500-25.7.
    """
    J: float
    lr: Any
    tol: float = 0.0

    no_batch = "each seed solves its own eigen-decomposition and cubic subproblem (host bisection)"

    def __post_init__(self):
        set_field(self, "J", check_positive("J", self.J))
        set_field(self, "lr", check_lr(self.lr))
        if self.tol < 0:
            raise ValueError(f"tol must be >= 0, got tol={self.tol!r}")

    def init(self, x0, oracle) -> SecondOrderState:
        return SecondOrderState(x=copy(x0), t=0, lam_min=math.nan)

    def step(self, s: SecondOrderState, oracle) -> SecondOrderState:
        xp = get_xp(s.x)
        t = s.t + 1
        g = oracle.full_grad(s.x)                                 # grad L(w)
        lam, Q = xp.linalg.eigh(hessian(oracle, s.x))
        lam_min, v = float(lam[0]), Q[:, 0]                       # unit v, v^T hess v = lam_min
        if lam_min < -self.tol:
            sign = 1.0 if float(v @ g) >= 0 else -1.0             # sign(<v, grad L(w)>)
            x = s.x - (2 * (-lam_min) / self.J * sign) * v        # delta = -(2 lam / J) v sign(.)
        else:
            x = s.x - lr_at(self.lr, t) * g                       # no negative curvature: GD step
        return SecondOrderState(x=x, t=t, lam_min=lam_min)
