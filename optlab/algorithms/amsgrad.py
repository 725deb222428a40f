"""AMSGrad (Reddi, Kale and Kumar, ICLR 2018, Algorithm 2): Adam whose denominator never shrinks.

EC500 (seed 003) section 17.2 cites Reddi et al. for the failure of Adam (L2546-2548); their fix keeps
the running maximum of the second-moment estimate, so the per-coordinate learning rate can only
decrease, as it does in AdaGrad. The box (external; with the optional projection onto a box that the
counterexample's domain [-1, 1] needs):

.. code-block:: text

    m_0 = 0, v_0 = 0, v_max_0 = 0
    for t = 1..T:
        g_t = grad l(w_t, z_t)
        m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        v_max_t = max(v_max_{t-1}, v_t)                         (coordinate-wise)
        w_{t+1} = Pi_box(w_t - eta_t m_t / (sqrt(v_max_t) + eps))

Reddi et al. use no bias correction and eta_t = eta / sqrt(t) in their analysis; ``lr`` may be a
schedule (``InverseSqrt``). ``D_inf``: clip every coordinate to [-D_inf, D_inf] after the step.

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=2, name="q", grad=lambda x: x)
    >>> o, ams = Oracle(p), AMSGrad(lr=0.1, eps=0.0)
    >>> ams.step(ams.init(np.array([1.0, -3.0]), o), o).x     # m_1/sqrt(v_1) = 0.1/sqrt(0.001) sign(g)
    array([ 0.68377223, -2.68377223])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from ..backend import get_xp
from .base import check_beta, check_lr, check_nonnegative, check_positive, copy, lr_at, set_field


class AMSGradState(NamedTuple):
    x: Any
    m: Any
    v: Any
    v_max: Any
    t: int


@dataclass(frozen=True)
class AMSGrad:
    """AMSGrad (Reddi, Kale, Kumar 2018, Algorithm 2); see the module docstring."""
    lr: Any = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    D_inf: Any = None

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "beta1", check_beta("beta1", self.beta1))
        set_field(self, "beta2", check_beta("beta2", self.beta2))
        set_field(self, "eps", check_nonnegative("eps", self.eps))
        if self.D_inf is not None:
            set_field(self, "D_inf", check_positive("D_inf", self.D_inf))

    def init(self, x0, oracle) -> AMSGradState:
        x = copy(x0)
        xp = get_xp(x)
        return AMSGradState(x=x, m=xp.zeros_like(x), v=xp.zeros_like(x), v_max=xp.zeros_like(x), t=0)

    def step(self, s: AMSGradState, oracle) -> AMSGradState:
        xp = get_xp(s.x)
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                # g_t = grad l(w_t, z_t)
        m = self.beta1 * s.m + (1 - self.beta1) * g                # m_t
        v = self.beta2 * s.v + (1 - self.beta2) * g * g            # v_t
        v_max = xp.maximum(s.v_max, v)                             # v_max_t: never decreases
        x = s.x - lr_at(self.lr, t) * m / (xp.sqrt(v_max) + self.eps)
        if self.D_inf is not None:
            x = xp.clip(x, -self.D_inf, self.D_inf)                # Pi onto the box
        return AMSGradState(x=x, m=m, v=v, v_max=v_max, t=t)
