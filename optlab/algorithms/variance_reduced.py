"""SVRG, EC500 Algorithm 17 (seed 003 L3354-3372), for finite sums L = (1/N) sum_i l(w, z_i).

.. code-block:: text

    v_1 = w_1;  compute grad L(v_1)  (O(N));  e = 1
    for t = 1..T:
        sample z_t uniformly from {z_1..z_N}
        g_t = grad l(w_t, z_t) - grad l(v_e, z_t) + grad L(v_e)
        w_{t+1} = w_t - eta g_t
        if t = 0 mod N:
            e = e + 1;  v_e = (1/N) sum_{i=t-N+1}^{t} w_i   (the AVERAGE of the epoch's iterates)
            compute grad L(v_e)

The same sample z_t is evaluated at two points (``oracle.sample()`` once, ``stoch_grad`` twice).
Theorem 23.2 takes eta = c/sqrt(N) <= 1/(8H). ``epoch`` overrides the epoch length N (default n);
``checkpoint="last"`` uses w_{t+1} instead of the average (the common practical variant; not the box).

Example:
    >>> SVRG(lr=0.1).checkpoint
    'average'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .base import check_choice, check_int, check_lr, copy, lr_at, set_field


class SVRGState(NamedTuple):
    x: Any
    v: Any            # checkpoint v_e
    grad_v: Any       # grad L(v_e)
    acc: Any          # sum of the current epoch's iterates w_i
    t: int
    e: int


@dataclass(frozen=True)
class SVRG:
    """SVRG, EC500 Algorithm 17 (seed 003 L3354-3372). ``lr``: eta; ``epoch``: N (default n).

    Theorems: EC500-23.1, EC500-23.2, EC500-23-unbiased, EC500-23.1/path.
    """
    lr: Any
    epoch: Any = None
    checkpoint: str = "average"

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        if self.epoch is not None:
            set_field(self, "epoch", check_int("epoch", self.epoch))
        check_choice("checkpoint", self.checkpoint, ("average", "last"))

    def _N(self, oracle):
        return self.epoch or oracle.problem.n

    def init(self, x0, oracle) -> SVRGState:
        if self.epoch is None and getattr(oracle.problem, "n", None) is None:
            raise ValueError("SVRG needs a finite-sum problem (with n terms) or an explicit epoch=N")
        x = copy(x0)
        return SVRGState(x=x, v=x.copy(), grad_v=oracle.full_grad(x),   # v_1 = w_1; grad L(v_1)
                         acc=x * 0, t=0, e=1)

    def step(self, s: SVRGState, oracle) -> SVRGState:
        t, N = s.t + 1, self._N(oracle)
        xi = oracle.sample()                                             # z_t uniform on the data
        g = oracle.stoch_grad(s.x, xi) - oracle.stoch_grad(s.v, xi) + s.grad_v   # g_t
        x = s.x - lr_at(self.lr, t) * g                                  # w_{t+1} = w_t - eta g_t
        acc = s.acc + s.x                                                # sum_{i=t-N+1}^{t} w_i
        if t % N:
            return SVRGState(x=x, v=s.v, grad_v=s.grad_v, acc=acc, t=t, e=s.e)
        v = acc / N if self.checkpoint == "average" else x.copy()       # v_e = mean of the epoch
        return SVRGState(x=x, v=v, grad_v=oracle.full_grad(v),           # grad L(v_e)  (O(N))
                         acc=acc * 0, t=t, e=s.e + 1)
