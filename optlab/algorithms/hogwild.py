"""Hogwild! as a deterministic simulator with bounded staleness (EC500 section 19, seed 003).

The real, lock-free, multi-process implementation is :func:`optlab.algorithms.hogwild_shm.hogwild`.
This simulator reproduces the *analysed* model of Theorem 19.1 (L2650-2669): w_t is the shared vector
after t updates; the t-th update uses a gradient computed at a stale iterate w_{k(t)} with
t - k(t) <= tau. Workers follow

.. code-block:: text

    Algorithm 14 (L2608-2620)                 Algorithm 15 (L2633-2644, coordinate=True)
    sample z;  g = grad l(w, z)               sample z;  g = grad l(w, z);  j ~ Uniform{0..d-1}
    for j = 0..d-1:  w[j] -= eta g[j]         w[j] -= eta g[j]   (times d: see coordinate_scale)

``tau``: the staleness bound; ``delay``: ``"max"`` always reads the oldest allowed iterate
w_{max(0, t - tau)} (the worst case of the theorem), ``"uniform"`` draws k(t) uniformly in the window.
``coordinate_scale``: the proof analyses step eta d on one coordinate (unbiased: E_j[d g[j] e_j] = g);
Algorithm 15 as printed has no factor d (``coordinate_scale=1``). tau = 0 with ``coordinate=False`` is
SGD, sample for sample.

Example:
    >>> HogwildSim(lr=0.1, tau=4).coordinate_scale
    'd'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .base import check_choice, check_int, check_lr, copy, lr_at, set_field


class HogwildState(NamedTuple):
    x: Any            # w_t (the shared vector after t updates)
    history: tuple    # (w_{t-tau}, ..., w_t): the iterates a worker may still be reading
    t: int
    delay: int        # t - k(t) of the last update


@dataclass(frozen=True)
class HogwildSim:
    """Hogwild! with bounded staleness tau, simulated (EC500 Algorithms 14/15, Theorem 19.1).

    Theorems: EC500-19.1, EC500-19.1/printed.
    """
    lr: Any
    tau: int = 0
    coordinate: bool = False
    coordinate_scale: Any = "d"
    delay: str = "max"

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "tau", check_int("tau", self.tau, minimum=0))
        if self.coordinate_scale != "d":
            check_choice("coordinate_scale", self.coordinate_scale, ("d", 1))
        check_choice("delay", self.delay, ("max", "uniform"))

    def init(self, x0, oracle) -> HogwildState:
        x = copy(x0)
        return HogwildState(x=x, history=(x,), t=0, delay=0)

    def step(self, s: HogwildState, oracle) -> HogwildState:
        t, h = s.t + 1, s.history
        k = 0 if self.delay == "max" else int(oracle.rng.integers(0, len(h)))   # index of w_{k(t)}
        g = oracle.stoch_grad(h[k], oracle.sample())               # g = grad l(w_{k(t)}, z)
        eta = lr_at(self.lr, t)
        if self.coordinate:
            d = s.x.shape[0]
            j = int(oracle.rng.integers(0, d))                     # j ~ Uniform{0..d-1}
            x = s.x.copy()
            x[j] = s.x[j] - eta * (d if self.coordinate_scale == "d" else 1) * g[j]   # w[j] -= eta d g[j]
        else:
            x = s.x - eta * g                                      # w[j] -= eta g[j] for every j
        history = (h + (x,))[-(self.tau + 1):]
        return HogwildState(x=x, history=history, t=t, delay=len(h) - 1 - k)
