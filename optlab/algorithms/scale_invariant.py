"""(S)GD on scale-invariant weights, and its WNGrad view (seed 001: Arora, Li, Lyu, ICLR 2019).

The parameter is theta = (W; g): the first blocks (sizes ``blocks``) are scale-invariant weights
w^(i) (F(c w) = F(w) for c > 0, e.g. weights before batch normalization); the remaining coordinates
are the ordinary parameters g.

* :class:`ScaleInvariantSGD`: SGD with separate learning rates, eq. (4) (L112):
  w^(i)_{t+1} = w^(i)_t - eta_{w,t} grad_{w^(i)} F_{z_t}(theta_t),
  g_{t+1} = g_t - eta_{g,t} grad_g F_{z_t}(theta_t).
  Full-batch GD is the case of a deterministic oracle. Theorem 4.2 uses
  eta_{w,t} = eta_w (t+1)^(-alpha), eta_{g,t} = eta_g (t+1)^(-1/2) (pass ``PowerDecay`` schedules).
  Lemma 2.4: w_t is orthogonal to its gradient, so ||w_{t+1}||^2 = ||w_t||^2 + eta^2 ||grad||^2.
* :class:`PSGD`: projected SGD, the paper's contrast without auto-tuning (App. D, L637-639): the step of
  eq. (4), then each scale-invariant block is rescaled to the norm it had before the step,
  w^(i)_{t+1} = ||w^(i)_t|| u^(i) / ||u^(i)||, u^(i) = w^(i)_t - eta_{w,t} grad_{w^(i)} F_{z_t}(theta_t),
  g_{t+1} = g_t - eta_{g,t} grad_g F_{z_t}(theta_t). So ||w^(i)_t|| = ||w^(i)_0|| for every t, G^(i)_t in (9) stays
  ||w^(i)_0||^2 and the effective learning rate eta_{w,t} / ||w^(i)_0||^2 is what you set: the direction
  follows projected SGD on the sphere, v_{t+1} = Pi(v_t - (eta_{w,t}/||w_0||^2) grad_v F(v_t)).
* :class:`WNGrad`: Theorem 2.5 (L176-180), the same iteration seen on the sphere: with
  G^(i)_t = ||w^(i)_t||^2 and v = w / ||w||,
  v^(i)_{t+1} = Pi(v^(i)_t - (eta_{w,t} / G^(i)_t) grad_{v^(i)} F_{z_t}(theta~_t)),
  G^(i)_{t+1} = G^(i)_t + (eta_{w,t}^2 / G^(i)_t) ||grad_{v^(i)} F_{z_t}(theta~_t)||^2,
  Pi(w) = w / ||w||: projected WNGrad (Remark 2.6; b_t = G_t / eta_w is WNGrad's accumulator).
  eta_{w,t} / G^(i)_t is the *effective learning rate* (L190): scaling the initialization by C is
  dividing the learning rate by C^2. The tests check v_t = w_t/||w_t||, G_t = ||w_t||^2 to 1e-10.

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> A = np.diag([1.0, 2.0])
    >>> rq = Problem(lambda w: (w @ (A @ w)) / (w @ w), d=2, name="Rayleigh",
    ...              grad=lambda w: 2 * (A @ w - (w @ (A @ w)) / (w @ w) * w) / (w @ w))
    >>> m = ScaleInvariantSGD(lr_w=0.1, lr_g=0.1, blocks=(2,))
    >>> s = m.step(m.init(np.array([1.0, 1.0]), Oracle(rq)), Oracle(rq))
    >>> round(float(s.x @ s.x), 12)       # Lemma 2.4: 2 + 0.1^2 ||(0.5, -0.5)||^2
    2.005
    >>> m.effective_lr(s)                 # eta_w / ||w||^2 per block
    (0.04987531172069826,)
    >>> p = PSGD(lr_w=0.1, lr_g=0.1, blocks=(2,))
    >>> s = p.step(p.init(np.array([1.0, 1.0]), Oracle(rq)), Oracle(rq))
    >>> round(float(s.x @ s.x), 12), round(p.effective_lr(s)[0], 12)   # frozen norm, frozen effective rate
    (2.0, 0.05)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from .base import check_blocks, check_lr, copy, lr_at, norm, set_field, sqrt


def _invariant_slices(blocks, d):
    out, start = [], 0
    for b in blocks:
        out.append(slice(start, start + b))
        start += b
    if start > d:
        raise ValueError(f"blocks must add up to at most the dimension d = {d}, got blocks={blocks}")
    return tuple(out), slice(start, d)


def _check_hyperparameters(method):
    """The learning rates of both parameter groups, and the sizes of the scale-invariant blocks."""
    set_field(method, "lr_w", check_lr(method.lr_w, "lr_w"))
    set_field(method, "lr_g", check_lr(method.lr_g, "lr_g"))
    if method.blocks is None:
        raise ValueError("blocks must give the sizes of the scale-invariant blocks, got None")
    set_field(method, "blocks", check_blocks("blocks", method.blocks))


class SIState(NamedTuple):
    x: Any
    t: int


@dataclass(frozen=True)
class ScaleInvariantSGD:
    """SGD with separate LRs for scale-invariant and ordinary parameters, seed 001 eq. (4) L112.

    Theorems: 001-Thm3.1, 001-Thm3.1/gain, 001-Thm4.2, 001-Thm4.2/gain.
    """
    lr_w: Any
    lr_g: Any
    blocks: tuple = None

    def __post_init__(self):
        _check_hyperparameters(self)

    def init(self, x0, oracle) -> SIState:
        x = copy(x0)
        _invariant_slices(self.blocks, x.shape[-1])
        return SIState(x=x, t=0)

    def step(self, s: SIState, oracle) -> SIState:
        t = s.t + 1
        W, rest = _invariant_slices(self.blocks, s.x.shape[-1])
        grad = oracle.stoch_grad(s.x, oracle.sample())            # grad F_{z_t}(theta_t)
        x = s.x - lr_at(self.lr_g, t) * grad                      # g_{t+1} = g_t - eta_g grad_g F
        eta_w = lr_at(self.lr_w, t)
        for sl in W:
            x[..., sl] = s.x[..., sl] - eta_w * grad[..., sl]     # w_{t+1} = w_t - eta_w grad_w F
        return SIState(x=x, t=t)

    def effective_lr(self, s):
        """eta_{w,t+1} / ||w^(i)||^2 for each scale-invariant block (seed 001 L190)."""
        W, _ = _invariant_slices(self.blocks, s.x.shape[-1])
        eta = lr_at(self.lr_w, s.t + 1)
        return tuple(eta / norm(s.x[..., sl]) ** 2 for sl in W)


@dataclass(frozen=True)
class PSGD(ScaleInvariantSGD):
    """Projected SGD: an eq. (4) step, then each scale-invariant block rescaled to its pre-step norm,
    seed 001 App. D (L637-639). The paper states no theorem for it (it is the experiments' control), so no
    ``Theorems:`` line; lecture 18 measures its learning-rate sensitivity against ScaleInvariantSGD.

    The step is :class:`ScaleInvariantSGD`'s (inherited, not retyped) followed by the rescaling, so the
    norms ||w^(i)_t|| = ||w^(i)_0|| never change and ``effective_lr`` eta_{w,t+1} / ||w^(i)_0||^2 is fixed
    by the schedule: no auto-tuning.
    """

    def init(self, x0, oracle) -> SIState:
        for sl in _invariant_slices(self.blocks, x0.shape[-1])[0]:
            if not numpy.all(norm(x0[..., sl]) != 0):
                raise ValueError("a scale-invariant block of x0 is zero: PSGD would keep it at norm 0; start "
                                 "from a nonzero block")
        return super().init(x0, oracle)

    def step(self, s: SIState, oracle) -> SIState:
        new = super().step(s, oracle)                             # the SGD step of eq. (4) ...
        for sl in _invariant_slices(self.blocks, s.x.shape[-1])[0]:
            u = new.x[..., sl]
            new.x[..., sl] = u * (norm(s.x[..., sl]) / norm(u))   # ... rescaled to ||w_t|| (per seed)
        return new


class WNGradState(NamedTuple):
    x: Any        # theta~ = (V; g): unit-norm blocks v^(i), then g
    G: tuple      # G^(i)_t = ||w^(i)_t||^2
    t: int


@dataclass(frozen=True)
class WNGrad:
    """Projected WNGrad on the sphere, seed 001 Theorem 2.5 (L176-180) and Remark 2.6."""
    lr_w: Any
    lr_g: Any
    blocks: tuple = None

    def __post_init__(self):
        _check_hyperparameters(self)

    def init(self, x0, oracle) -> WNGradState:
        x = copy(x0)
        W, _ = _invariant_slices(self.blocks, x.shape[-1])
        G = []
        for sl in W:
            G.append(norm(x[..., sl]) ** 2)                       # G_0 = ||w_0||^2 (per seed)
            if not numpy.all(G[-1] != 0):
                raise ValueError("a scale-invariant block of x0 is zero; its direction is undefined")
            x[..., sl] = x[..., sl] / sqrt(G[-1])                 # v_0 = w_0 / ||w_0||
        return WNGradState(x=x, G=tuple(G), t=0)

    def step(self, s: WNGradState, oracle) -> WNGradState:
        t = s.t + 1
        W, _ = _invariant_slices(self.blocks, s.x.shape[-1])
        grad = oracle.stoch_grad(s.x, oracle.sample())            # grad F_{z_t}(theta~_t)
        x = s.x - lr_at(self.lr_g, t) * grad                      # g_{t+1} = g_t - eta_g grad_g F
        eta_w, G = lr_at(self.lr_w, t), []
        for sl, Gi in zip(W, s.G):
            u = s.x[..., sl] - (eta_w / Gi) * grad[..., sl]       # v - (eta_w / G) grad_v F
            x[..., sl] = u / norm(u)                              # Pi(.) onto the unit sphere
            G.append(Gi + eta_w ** 2 / Gi * norm(grad[..., sl]) ** 2)   # G_{t+1} = G + eta^2/G ||grad_v||^2
        return WNGradState(x=x, G=tuple(G), t=t)

    def effective_lr(self, s):
        """eta_{w,t+1} / G^(i)_t for each scale-invariant block."""
        eta = lr_at(self.lr_w, s.t + 1)
        return tuple(eta / Gi for Gi in s.G)
