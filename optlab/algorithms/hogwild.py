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

A batch of seeds runs together, each with its own shared vector, history, delays and coordinates: a
worker's draws come from its seed's stream in the single run's order (``oracle.sample_with``), so seed s
of a batch is the single run of seed s.

Example:
    >>> HogwildSim(lr=0.1, tau=4).coordinate_scale
    'd'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..backend import get_xp
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

    # a batch of seeds (S, d): each seed keeps its own shared vector, history, delays and coordinates
    no_batch = None

    def init(self, x0, oracle) -> HogwildState:
        x = copy(x0)
        return HogwildState(x=x, history=(x,), t=0, delay=0)

    def step(self, s: HogwildState, oracle) -> HogwildState:
        t, h, d = s.t + 1, s.history, s.x.shape[-1]
        # the worker's draws, from its seed's stream: k (uniform delay) before the sample, j after it
        k, xi, j = oracle.sample_with(
            before=(lambda rng: rng.integers(0, len(h))) if self.delay == "uniform" else None,
            after=(lambda rng: rng.integers(0, d)) if self.coordinate else None)
        k = 0 if k is None else k                                  # "max": the oldest allowed w_{t - tau}
        g = oracle.stoch_grad(_read(h, k), xi)                     # g = grad l(w_{k(t)}, z)
        eta = lr_at(self.lr, t)
        if self.coordinate:
            scale = d if self.coordinate_scale == "d" else 1
            x = _coordinate_step(s.x, j, eta * scale, g)           # w[j] -= eta d g[j]
        else:
            x = s.x - eta * g                                      # w[j] -= eta g[j] for every j
        history = (h + (x,))[-(self.tau + 1):]
        delay = len(h) - 1 - k                                     # t - k(t)
        delay = int(delay) if numpy.ndim(delay) == 0 else delay[:, None]   # a batch: one per seed, (S, 1)
        return HogwildState(x=x, history=history, t=t, delay=delay)


def _read(history, k):
    """w_{k(t)}: ``history[k]`` for one iterate; for a batch of seeds, seed s reads row s of
    ``history[k[s]]`` (its own stale copy)."""
    if numpy.ndim(k) == 0:
        return history[int(k)]
    xp = get_xp(history[0])
    rows = xp.arange(len(k))
    return xp.stack(history)[xp.asarray(k), rows]


def _coordinate_step(x, j, step, g):
    """x with coordinate j moved by -step g[j] (for a batch, seed s's coordinate j[s] of row s)."""
    out = x.copy()
    if numpy.ndim(j) == 0:
        out[j] = x[j] - step * g[j]
        return out
    xp = get_xp(x)
    rows, j = xp.arange(len(j)), xp.asarray(j)
    out[rows, j] = x[rows, j] - step * g[rows, j]
    return out
