"""Stochastic gradient descent and its sampling variants.

* :class:`SGD`: EC500 Algorithm 2 (seed 003 L287-301): sample z_t; g_t = grad l(w_t, z_t);
  w_{t+1} = w_t - eta g_t. The oracle's sample decides the model (finite-sum index, minibatch of the
  oracle's ``batch_size`` with or without replacement, additive noise). ``lr`` may be a schedule.
* :class:`ShuffledSGD`: EC500 Algorithm 3 (L385-407), SGD for ERM with shuffling: epochs over the
  dataset in order, the dataset "optionally shuffled into a new random order" after each epoch.
* :class:`MinibatchSGD`: EC500 Algorithm 6 (L1126-1137) g_t = (1/B) sum_i grad l(w_t, z_{(t-1)B+i}),
  with the SGD slides' uniform K-subsets (seed 004 L147-235; ``replace=False``) or i.i.d. draws.
* :class:`ParallelMinibatchSGD`: EC500 Algorithm 13 (L2579-2592): M processors each sum B/M
  gradients, a barrier, then the mean. Simulated in one process (the partial sums are computed in
  turn), which is what the box computes; the genuinely parallel method is Hogwild! (``hogwild``).
* :class:`ProjectedSGD`: EC500 Theorem 22.1 (L3136-3138): w_{t+1} = Pi_{||w|| <= D}[w_t - g_t/(mu t)].
* :class:`StepRuleSGD`: the SGD slides' gradient-adaptive and combined step rules (seed 004 L820-852):
  gamma_k = gamma_0 / ((1 + psi(ceil(k/K))) (alpha ||g_k|| + 1)).

Example:
    >>> import numpy as np
    >>> from optlab.problems import Problem, Oracle
    >>> p = Problem(lambda x: 0.5 * (x @ x), d=2, name="q", grad=lambda x: x)
    >>> o = Oracle(p, seed=0, noise="gaussian", sigma=0.0)    # zero noise: SGD is GD
    >>> SGD(lr=0.5).step(SGD(lr=0.5).init(np.array([2.0, 2.0]), o), o).x
    array([1., 1.])
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from .base import (
    check_batch, check_choice, check_int, check_lr, check_nonnegative, check_positive, copy, lr_at,
    norm, project_ball, set_field,
)
from .schedules import InverseTime


class SGDState(NamedTuple):
    x: Any
    t: int


@dataclass(frozen=True)
class SGD:
    """SGD, EC500 Algorithm 2 (seed 003 L287-301). ``lr``: eta (number or schedule).

    Theorems: EC500-3.2, EC500-6.1, EC500-6.1/exact, EC500-6.1/b, EC500-6.1/c, EC500-3.1/single-pass,
        EC500-6.2, EC500-6.2/printed, EC500-6.2/c, EC500-10.4, EC500-10.5, EC500-10.6, EC500-10.6/printed,
        EC500-12/c, EC500-12/d, EC500-12/d/printed, EC500-15.1, 000-Lemma1, 000-Thm2, 004-D2, 004-D1.
    """
    lr: Any

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))

    def init(self, x0, oracle) -> SGDState:
        return SGDState(x=copy(x0), t=0)

    def step(self, s: SGDState, oracle) -> SGDState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())         # sample z_t; g_t = grad l(w_t, z_t)
        return SGDState(x=s.x - lr_at(self.lr, t) * g, t=t)  # w_{t+1} = w_t - eta g_t


class ShuffledState(NamedTuple):
    x: Any
    t: int
    order: Any      # the current order of the dataset (host integer array)


@dataclass(frozen=True)
class ShuffledSGD:
    """SGD for ERM with shuffling, EC500 Algorithm 3 (seed 003 L385-407); needs a finite sum.

    ``shuffle``: reshuffle after each epoch (the box's "optionally"); ``shuffle_first``: also shuffle
    before the first epoch (as printed, epoch 1 uses the given order).
    """
    lr: Any
    shuffle: bool = True
    shuffle_first: bool = False

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))

    def init(self, x0, oracle) -> ShuffledState:
        n = getattr(oracle.problem, "n", None)
        if n is None:
            raise ValueError("ShuffledSGD needs a finite-sum problem (with n terms); got "
                             f"{oracle.problem!r}")
        order = oracle.draw(lambda rng: rng.permutation(n)) if self.shuffle_first else numpy.arange(n)
        return ShuffledState(x=copy(x0), t=0, order=order)

    def step(self, s: ShuffledState, oracle) -> ShuffledState:
        n = s.order.shape[-1]
        i = s.t % n                                          # position in the epoch
        g = oracle.stoch_grad(s.x, s.order[..., i:i + 1])    # g_t = grad l(w_t, z_i)
        x = s.x - lr_at(self.lr, s.t + 1) * g                # w_{t+1} = w_t - eta g_t
        order = s.order
        if i == n - 1 and self.shuffle:                      # end of epoch: optionally shuffle
            order = oracle.draw(lambda rng: rng.permutation(n))
        return ShuffledState(x=x, t=s.t + 1, order=order)


@dataclass(frozen=True)
class MinibatchSGD:
    """Minibatch SGD, EC500 Algorithm 6 (seed 003 L1126-1137) and the slides' K-subsets (seed 004).

    ``batch_size``: B. ``replace``: i.i.d. indices (True) or a uniform B-subset (False, the slides'
    minibatch). On a finite sum the B indices are drawn here and evaluated in one oracle call; on a
    problem with additive noise, B independent samples of the oracle are averaged.

    Theorems: EC500-7.1, EC500-7.2/a, EC500-7.2, EC500-7.2/printed.
    """
    lr: Any
    batch_size: int
    replace: bool = True

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "batch_size", check_int("batch_size", self.batch_size))

    def init(self, x0, oracle) -> SGDState:
        if not self.replace:
            check_batch(self.batch_size, oracle)
        return SGDState(x=copy(x0), t=0)

    def minibatch_grad(self, x, oracle):
        B, n = self.batch_size, getattr(oracle.problem, "n", None)
        if n is not None and oracle.noise is None:
            idx = oracle.draw(lambda rng: rng.integers(0, n, B) if self.replace
                              else rng.choice(n, B, replace=False))
            return oracle.stoch_grad(x, idx)                 # (1/B) sum_i grad l(w_t, z_{t,i})
        g = oracle.stoch_grad(x, oracle.sample())
        for _ in range(B - 1):
            g = g + oracle.stoch_grad(x, oracle.sample())
        return g / B

    def step(self, s: SGDState, oracle) -> SGDState:
        t = s.t + 1
        g = self.minibatch_grad(s.x, oracle)                 # g_t = (1/B) sum_i g_{t,i}
        return SGDState(x=s.x - lr_at(self.lr, t) * g, t=t)  # w_{t+1} = w_t - eta_t g_t


@dataclass(frozen=True)
class ParallelMinibatchSGD:
    """Parallel minibatch SGD, EC500 Algorithm 13 (seed 003 L2579-2592); needs a finite sum.

    ``workers``: M processors, each summing B/M per-sample gradients (M must divide B).
    """
    lr: Any
    batch_size: int
    workers: int = 2

    def __post_init__(self):
        set_field(self, "lr", check_lr(self.lr))
        set_field(self, "batch_size", check_int("batch_size", self.batch_size))
        set_field(self, "workers", check_int("workers", self.workers))
        if self.batch_size % self.workers:
            raise ValueError(f"workers must divide batch_size (B/M samples per processor), got "
                             f"workers={self.workers}, batch_size={self.batch_size}")

    def init(self, x0, oracle) -> SGDState:
        if getattr(oracle.problem, "n", None) is None:
            raise ValueError("ParallelMinibatchSGD needs a finite-sum problem (with n terms)")
        return SGDState(x=copy(x0), t=0)

    def step(self, s: SGDState, oracle) -> SGDState:
        B, M, n = self.batch_size, self.workers, oracle.problem.n
        z = oracle.draw(lambda rng: rng.integers(0, n, B))   # z_{t,0..B-1}
        k = B // M
        parts = [k * oracle.stoch_grad(s.x, z[..., i * k:(i + 1) * k])   # processor i: sum of B/M grads
                 for i in range(M)]
        g = sum(parts[1:], parts[0]) / B                     # barrier; g_t = (1/B) sum_i g_{t,i}
        return SGDState(x=s.x - lr_at(self.lr, s.t + 1) * g, t=s.t + 1)   # w_{t+1} = w_t - eta g_t


@dataclass(frozen=True)
class ProjectedSGD:
    """Projected SGD with eta_t = 1/(mu t), EC500 Theorem 22.1 (seed 003 L3136-3138).

    ``mu``: strong convexity; ``D``: radius of the ball {||w|| <= D} containing w_*; ``lr``: optional
    override of the schedule (default ``InverseTime(mu)``).

    Theorems: EC500-22.1, EC500-22.1-sum.
    """
    mu: float
    D: float
    lr: Any = None

    def __post_init__(self):
        set_field(self, "mu", check_positive("mu", self.mu))
        set_field(self, "D", check_positive("D", self.D))
        set_field(self, "lr", InverseTime(self.mu) if self.lr is None else check_lr(self.lr))

    def init(self, x0, oracle) -> SGDState:
        return SGDState(x=project_ball(copy(x0), self.D), t=0)

    def step(self, s: SGDState, oracle) -> SGDState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                      # grad l(w_t, z_t)
        return SGDState(x=project_ball(s.x - lr_at(self.lr, t) * g, self.D), t=t)  # Pi[w_t - g/(mu t)]


_PSI = {None: lambda j: 0.0, "linear": float, "sqrt": math.sqrt}


@dataclass(frozen=True)
class StepRuleSGD:
    """SGD with the slides' step rules (seed 004 L820-852), with k = t - 1:

    gamma_k = lr / ((1 + psi(ceil(k / K))) (alpha ||g_k|| + 1)).

    ``psi=None`` is the gradient-adaptive rule gamma_0 / (alpha ||g|| + 1) (L827-834); ``'linear'``
    (psi(x) = x) and ``'sqrt'`` (psi(x) = sqrt(x)) are the combined rule (L835-852). ``K`` is in steps.
    With lr = 1/L0 and alpha = L1/L0 the adaptive rule is the (L0, L1)-smooth step 1/(L0 + L1||g||).
    """
    lr: float
    alpha: float
    psi: Any = None
    K: int = 1

    def __post_init__(self):
        set_field(self, "lr", check_positive("lr", self.lr))
        set_field(self, "alpha", check_nonnegative("alpha", self.alpha))
        check_choice("psi", self.psi, tuple(_PSI))
        set_field(self, "K", check_int("K", self.K))

    def step_size(self, t, gnorm):
        j = -(-(t - 1) // self.K)                                        # ceil(k / K)
        return self.lr / ((1 + _PSI[self.psi](j)) * (self.alpha * gnorm + 1))

    def init(self, x0, oracle) -> SGDState:
        return SGDState(x=copy(x0), t=0)

    def step(self, s: SGDState, oracle) -> SGDState:
        t = s.t + 1
        g = oracle.stoch_grad(s.x, oracle.sample())                      # stochastic gradient
        return SGDState(x=s.x - self.step_size(t, norm(g)) * g, t=t)    # x_{k+1} = x_k - gamma_k g
