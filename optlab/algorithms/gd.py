"""Gradient descent (EC500 Algorithm 1, seed 003 L152-160; re-printed as "Algorithm 2", L857-869).

.. code-block:: text

    Input: w_1, learning rate eta, horizon T
    for t = 1..T:
        g_t = grad L(w_t)
        w_{t+1} = w_t - eta g_t

The oracle is the exact (full) gradient; a finite sum pays n per step. ``lr`` may be a schedule.

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=2, name="half squared norm", grad=lambda x: x)
    >>> gd = GD(lr=0.5)
    >>> s = gd.step(gd.init(np.array([2.0, -4.0]), Oracle(p)), Oracle(p))
    >>> s.x, s.t
    (array([ 1., -2.]), 1)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .base import check_lr, copy, lr_at, set_field


class GDState(NamedTuple):
    x: Any
    t: int


@dataclass(frozen=True)
class GD:
    """Gradient descent, EC500 Algorithm 1 (seed 003 L152-160). ``lr``: eta (number or schedule).

    Theorems: EC500-2.1, EC500-2.1/printed, EC500-2.3, EC500-2.4, EC500-5.7, EC500-5.8, EC500-21.6/schedule,
        EC500-13.1, EC500-13.2, EC500-13.3, EC500-21.6, EC500-21-ridge, EC500-21.2, EC500-21.4, EC500-21.5,
        EC500-21.7, EC500-21.8, 004-D4, 004-D5/printed, 004-D5, 004-D3, 004-D5/semismooth/printed,
        004-D5/semismooth.
    """
    lr: Any

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))

    def init(self, x0, oracle) -> GDState:
        return GDState(x=copy(x0), t=0)

    def step(self, s: GDState, oracle) -> GDState:
        t = s.t + 1
        g = oracle.full_grad(s.x)                          # g_t = grad L(w_t)
        return GDState(x=s.x - lr_at(self.lr, t) * g, t=t)  # w_{t+1} = w_t - eta g_t
