"""The almost-convex proximal outer loop of EC500 section 22 (seed 003 L3228-3276).

For a gamma-almost convex L (hess L >= -gamma I), each outer step minimises the gamma-strongly convex,
(H + 2 gamma)-smooth function

    F_t(delta) = L(w_t + delta) + gamma ||delta||^2

approximately and sets w_{t+1} = w_t + delta_hat_t. The notes use accelerated GD for strongly convex
functions as the inner solver (promised as homework, L3210-3214, not specified): we use Nesterov's
constant-momentum scheme (external: Nesterov 2004, Bubeck 2015), with kappa = (H + 2 gamma)/gamma,

    x_k = delta_k + (sqrt(kappa) - 1)/(sqrt(kappa) + 1) (delta_k - delta_{k-1}),
    delta_{k+1} = x_k - grad F_t(x_k) / (H + 2 gamma),

stopped when ||grad F_t(delta)|| <= eps min(1, sqrt(gamma / (3 H))), which implies the notes' two
targets F_t(delta) - min F_t <= eps^2/(6H) and ||grad F_t(delta)|| <= eps (by Lemma 21.5), or after
``inner_steps`` iterations. The notes' eps is sqrt(gamma (L(w_1) - L_*) / T).

Example:
    >>> AlmostConvexProx(gamma=0.5, H=1.0).inner_steps
    1000
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Any

from .base import check_int, check_positive, copy, norm, set_field


class ProxState(NamedTuple):
    x: Any
    t: int
    inner: int        # inner iterations used by the last outer step


@dataclass(frozen=True)
class AlmostConvexProx:
    """EC500 section 22 outer loop (seed 003 L3228-3276). ``gamma``: almost convexity; ``H``: smoothness.

    Theorems: EC500-22-almost-convex, EC500-22-almost-convex/printed.
    """
    gamma: float
    H: float
    eps: float = 1e-6
    inner_steps: int = 1000

    def __post_init__(self):
        set_field(self, "gamma", check_positive("gamma", self.gamma))
        set_field(self, "H", check_positive("H", self.H))
        set_field(self, "eps", check_positive("eps", self.eps))
        set_field(self, "inner_steps", check_int("inner_steps", self.inner_steps))

    def init(self, x0, oracle) -> ProxState:
        return ProxState(x=copy(x0), t=0, inner=0)

    def step(self, s: ProxState, oracle) -> ProxState:
        w, g2 = s.x, 2 * self.gamma
        grad_F = lambda delta: oracle.full_grad(w + delta) + g2 * delta   # grad F_t(delta)
        LF = self.H + g2                                                  # smoothness of F_t
        kappa = LF / self.gamma
        beta = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
        target = self.eps * min(1.0, math.sqrt(self.gamma / (3 * self.H)))
        delta = prev = w * 0
        k = 0
        for k in range(1, self.inner_steps + 1):
            y = delta + beta * (delta - prev)                             # x_k (momentum point)
            prev, delta = delta, y - grad_F(y) / LF                       # delta_{k+1}
            if norm(grad_F(delta)) <= target:
                break
        return ProxState(x=w + delta, t=s.t + 1, inner=k)                 # w_{t+1} = w_t + delta_hat
