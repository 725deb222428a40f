"""LARS and LAMB, layer-wise normalized updates (EC500 section 24.2, seed 003 L3704-3728).

The flat parameter is split into blocks W_i (``blocks``: tuple of sizes; default one block). Norms
are Frobenius norms of the blocks. The notes give no theory for either method (L3714, L3728).

* :class:`LARS` (L3714): (W_i)_{t+1} = (W_i)_t - eta ||(W_i)_t|| grad_i / ||grad_i||.
* :class:`LAMB` (L3720-3724), one beta for both averages as printed, M_0 = V_0 = 0:

  .. code-block:: text

      (M_i)_{t+1} = beta (M_i)_t + (1 - beta) grad_i
      (V_i)_{t+1} = beta (V_i)_t + (1 - beta) grad_i^2           (adam=True)
      (D_i)_{t+1} = (M_i)_{t+1} / sqrt((V_i)_{t+1})              (adam=True; else D = M)
      (W_i)_{t+1} = (W_i)_t - eta ||(W_i)_t|| (D_i)_{t+1} / ||(D_i)_{t+1}||

  The momentum-only version prints (M_i)_t in the update; we use the fresh (M_i)_{t+1}, as in the
  full version. ``eps`` is added to sqrt(V) (0 as printed; a coordinate with V = 0 then gets D = 0).

Each block moves by exactly eta ||(W_i)_t|| (a block at 0, or with zero direction, does not move).
The state keeps each block's *trust ratio* ||(W_i)_t|| / ||(D_i)_{t+1}|| (D = the stochastic gradient for
LARS), the factor by which the layer's step on its raw direction is scaled: the layer-wise learning rate
is eta times it (0 where D_i = 0). ``trust`` has one entry per block, (S, blocks) for a batch of seeds.
With an MLP (:func:`optlab.problems.mlp`) pass its ``block_sizes``: one block per weight matrix.

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=3, name="q", grad=lambda x: x)
    >>> o, m = Oracle(p), LARS(lr=0.1, blocks=(2, 1))
    >>> s = m.step(m.init(np.array([3.0, 4.0, -2.0]), o), o)
    >>> s.x, s.trust                      # g = x: ||W_i|| / ||g_i|| = 1 for both blocks
    (array([ 2.7,  3.6, -1.8]), array([1., 1.]))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..backend import get_xp
from .base import (
    block_slices, check_beta, check_blocks, check_lr, check_nonnegative, copy, div_or_zero, lr_at, norm,
    set_field,
)


def _layerwise(x, d_dir, eta, slices):
    """(W_i) - eta ||W_i|| D_i / ||D_i|| for every block: the new array and the trust ratios
    ||W_i|| / ||D_i|| (a (blocks,) array, or (S, blocks) for a batch)."""
    out, trust = x.copy(), []
    for sl in slices:                           # [..., sl]: the block of each seed's row of a batch
        ratio = div_or_zero(norm(x[..., sl]), norm(d_dir[..., sl]))         # no step where D = 0
        out[..., sl] = x[..., sl] - (eta * ratio) * d_dir[..., sl]
        trust.append(ratio)
    xp = get_xp(x)
    if x.ndim > 1:
        return out, xp.concatenate(trust, axis=1)
    return out, xp.asarray(trust, dtype=x.dtype)


class LARSState(NamedTuple):
    x: Any
    t: int
    trust: Any = None          # ||W_i|| / ||g_i|| of the last step, one per block (None before the first)


@dataclass(frozen=True)
class LARS:
    """LARS, EC500 L3714 (seed 003). ``lr``: eta; ``blocks``: block sizes (None: one block)."""
    lr: Any
    blocks: Any = None

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "blocks", check_blocks("blocks", self.blocks))

    def init(self, x0, oracle) -> LARSState:
        x = copy(x0)
        block_slices(self.blocks, x.shape[-1])
        return LARSState(x=x, t=0)

    def step(self, s: LARSState, oracle) -> LARSState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                    # grad_{W_i} l(w, zeta)
        sl = block_slices(self.blocks, s.x.shape[-1])
        x, trust = _layerwise(s.x, g, lr_at(self.lr, t), sl)            # W - eta ||W|| g / ||g||
        return LARSState(x=x, t=t, trust=trust)


class LAMBState(NamedTuple):
    x: Any
    M: Any
    V: Any
    t: int
    trust: Any = None          # ||W_i|| / ||D_i|| of the last step, one per block (None before the first)


@dataclass(frozen=True)
class LAMB:
    """LAMB, EC500 L3720-3724 (seed 003). ``beta`` for both averages; ``adam``: use V (full LAMB)."""
    lr: Any
    beta: float = 0.9
    blocks: Any = None
    adam: bool = True
    eps: float = 0.0

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "beta", check_beta("beta", self.beta))
        set_field(self, "blocks", check_blocks("blocks", self.blocks))
        set_field(self, "eps", check_nonnegative("eps", self.eps))

    def init(self, x0, oracle) -> LAMBState:
        x = copy(x0)
        block_slices(self.blocks, x.shape[-1])
        xp = get_xp(x)
        return LAMBState(x=x, M=xp.zeros_like(x), V=xp.zeros_like(x), t=0)   # M_0 = V_0 = 0

    def step(self, s: LAMBState, oracle) -> LAMBState:
        xp, t, b = get_xp(s.x), s.t + 1, self.beta
        g = oracle.stoch_grad(s.x, oracle.sample())                    # grad_{W_i} l(w_t, zeta_t)
        M = b * s.M + (1 - b) * g                                      # M_{t+1}
        V = b * s.V + (1 - b) * g * g if self.adam else s.V            # V_{t+1}
        if self.adam:
            den = xp.sqrt(V) + self.eps
            with numpy.errstate(invalid="ignore", divide="ignore"):
                D = xp.where(den > 0, M / den, 0.0)                    # D_{t+1} = M / sqrt(V)
        else:
            D = M
        sl = block_slices(self.blocks, s.x.shape[-1])
        x, trust = _layerwise(s.x, D, lr_at(self.lr, t), sl)           # W - eta ||W|| D / ||D||
        return LAMBState(x=x, M=M, V=V, t=t, trust=trust)
