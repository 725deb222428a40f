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

    Its inner solver (:meth:`inner_step`) is checked by EC500-22.3 (through the theory's ``ProxInner``).
    """
    gamma: float
    H: float
    eps: float = 1e-6
    inner_steps: int = 1000

    no_batch = "each seed's inner loop stops at its own iteration (a per-seed break)"

    def __post_init__(self):
        set_field(self, "gamma", check_positive("gamma", self.gamma))
        set_field(self, "H", check_positive("H", self.H))
        set_field(self, "eps", check_positive("eps", self.eps))
        set_field(self, "inner_steps", check_int("inner_steps", self.inner_steps))

    def init(self, x0, oracle) -> ProxState:
        return ProxState(x=copy(x0), t=0, inner=0)

    @property
    def H_F(self):
        """The smoothness of F_t: H + 2 gamma."""
        return self.H + 2 * self.gamma

    @property
    def momentum(self):
        """Nesterov's constant momentum (sqrt(kappa) - 1)/(sqrt(kappa) + 1), kappa = (H + 2 gamma)/gamma."""
        root = math.sqrt(self.H_F / self.gamma)
        return (root - 1) / (root + 1)

    def grad_F(self, w, delta, oracle):
        """grad F_t(delta) = grad L(w_t + delta) + 2 gamma delta (one gradient of L)."""
        return oracle.full_grad(w + delta) + 2 * self.gamma * delta

    def inner_step(self, w, delta, prev, oracle):
        """One accelerated step on F_t from (delta_k, delta_{k-1}); returns (delta_{k+1}, delta_k).

        The inner solver's one home: the outer ``step`` loops over it, and EC500-22.3 checks it.
        """
        y = delta + self.momentum * (delta - prev)                        # x_k (momentum point)
        return y - self.grad_F(w, y, oracle) / self.H_F, delta            # delta_{k+1}

    def step(self, s: ProxState, oracle) -> ProxState:
        w = s.x
        target = self.eps * min(1.0, math.sqrt(self.gamma / (3 * self.H)))
        delta = prev = w * 0
        k = 0
        for k in range(1, self.inner_steps + 1):
            delta, prev = self.inner_step(w, delta, prev, oracle)
            if norm(self.grad_F(w, delta, oracle)) <= target:
                break
        return ProxState(x=w + delta, t=s.t + 1, inner=k)                 # w_{t+1} = w_t + delta_hat
