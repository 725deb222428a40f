"""Learning-rate schedules in EC500 (seed 003) section 8.2: the warm-up coupling argument, one block.

**Warm-up coupling** (L1233-1305, "not a strong theorem"). From the same w_1 and on the same samples
z_1..z_B, compare B steps of batch-1 SGD with step eta and one step of batch-B SGD with step B eta (the
linear scaling rule). With L H-smooth, eta <= 1/(2 B H) and E||grad l(w, z) - grad L(w)||^2 <= sigma^2:

    E||w^(1)_{B+1} - w^(B)_2|| <= 2 sigma eta sqrt(B) + eta^2 H B^2 ||grad L(w_1)|| + 4 eta^2 H sigma B^(3/2)
                               <= 4 sigma eta sqrt(B) + (eta B / 2) ||grad L(w_1)||          (L1295-1297)

Small steps and one big step agree when the gradient is small; far from a critical point the second term
dominates, hence the warm-up: a small learning rate while ||grad L|| is large. (L1267 prints
E||sum p_t||^2 <= sqrt(E||sum p_t||^4) <= 2 sigma sqrt(B); it means E||sum p_t|| <= sqrt(E||sum p_t||^2).)

**GD with a schedule on a strongly convex loss** (derived; the any-schedule form of Theorem 21.6,
L3028-3044). L mu-strongly convex and H-smooth, eta_t <= 1/H for every t: Lemma 5.7 and the PL
inequality ||grad L||^2 >= 2 mu (L - L_*) (Lemma 21.5) give L(w_{t+1}) - L_* <= (1 - mu eta_t)(L(w_t) - L_*),
so L(w_{t+1}) - L_* <= exp(-mu sum_{s<=t} eta_s)(L(w_1) - L_*) for any schedule, warm-up and restarts
included (eta_t = 1/H gives Theorem 21.6). It is the convergence check of exercise 4.

The noise must depend on w, or the two runs' noises cancel exactly (p_t = 0): :class:`CoupledWarmup`
draws u_t uniform on the unit sphere and uses grad l(w, z_t) = grad L(w) + sigma R(w) u_t, with R(w) the
rotation by the angle w[0] in the plane of the first two coordinates (variance exactly sigma^2 at every w).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy

from ..algorithms import GD, CosineAnnealing, LinearWarmup
from ..problems import quadratic
from .block import theorem
from .stochastic import MC_SEEDS, noisy, sigma_of, start
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def rotate(w, v):
    """R(w) v: v rotated by the angle w[0] in the plane of coordinates 0 and 1 (identity for d = 1)."""
    if len(v) < 2:
        return v
    c, s = math.cos(w[0]), math.sin(w[0])
    out = numpy.array(v, dtype=float)
    out[0], out[1] = c * v[0] - s * v[1], s * v[0] + c * v[1]
    return out


class CoupledState(NamedTuple):
    x: Any              # w^(1)_{B+1} after the step (w_1 before)
    big: Any            # w^(B)_2
    t: int


@dataclass(frozen=True)
class CoupledWarmup:
    """One coupled round: B batch-1 SGD steps with ``lr`` and one batch-B step with ``B lr``, same samples.

    A teaching method for EC500 section 8.2 (not a catalogue algorithm): each ``step`` is one round from
    the current point; ``state.big`` is where the big step lands.

    Theorems: EC500-8.2, EC500-8.2/full.
    """
    lr: float
    B: int
    sigma: float

    def init(self, x0, oracle):
        x = numpy.array(x0, dtype=float)
        return CoupledState(x, x, 0)

    def step(self, s, oracle):
        p, w1 = oracle.problem, s.x
        u = oracle.rng.standard_normal((self.B, len(w1)))
        u /= numpy.linalg.norm(u, axis=1, keepdims=True)             # z_t: uniform on the unit sphere
        w = w1
        for t in range(self.B):                                        # B steps of batch size 1
            w = w - self.lr * (p.grad(w) + self.sigma * rotate(w, u[t]))
        g1 = numpy.asarray(p.grad(w1), dtype=float)
        big = w1 - self.B * self.lr * numpy.mean([g1 + self.sigma * rotate(w1, ut) for ut in u], axis=0)
        return CoupledState(w, big, s.t + 1)


@theorem
class EC500_8_2:
    """warm-up coupling: B small steps vs one step of batch B (linear scaling) end close if ||grad L|| is small

    EC500 section 8.2 (L1233-1305). L H-smooth, eta <= 1/(2 B H), noise variance <= sigma^2, the same samples
    in both runs from w_1; after one round (t = 1):

        E||w^(1)_{B+1} - w^(B)_2||  <=  4 sigma eta sqrt(B) + (eta B / 2) ||grad L(w_1)||

    On (1/2)||w||^2 from w_1 = (3, 4) with B = 4, eta = 1/16, sigma = 1: 4 (1/16) 2 + (1/4)(5)/2 = 0.5 + 0.625.

    >>> p = quadratic(d=2, mu=1.0, H=1.0, x_star=[0.0, 0.0])
    >>> EC500_8_2.theorem.bound(Instance(p, [3.0, 4.0], T=1, hyper={"lr": 0.0625, "B": 4}, oracle=noisy(1.0)))
    array([1.125])
    """
    id, source = "EC500-8.2", f"{SOURCE} §8.2, L1233-1305"
    algorithm, kind = CoupledWarmup, "expectation"
    requires, constants = {"smooth"}, ("H",)
    rule = "eta <= 1/(2 B H); batch-B step = B eta (linear scaling); same samples"
    admissible = {"lr": (0.0, None), "B": (1, None)}

    def method(self, inst):
        B, H = int(inst.hyper["B"]), inst.problem.H
        if inst.hyper["lr"] > 1 / (2 * B * H) * (1 + 1e-12):
            raise ValueError(f"{self.id} needs lr <= 1/(2 B H) = {1 / (2 * B * H):.4g}; got lr={inst.hyper['lr']}")
        return CoupledWarmup(lr=inst.hyper["lr"], B=B, sigma=sigma_of(inst))

    def measure(self, runs, inst):
        return numpy.array([[numpy.linalg.norm(r.state.x - r.state.big)] for r in runs])

    def bound(self, inst):
        eta, B, s = inst.hyper["lr"], int(inst.hyper["B"]), sigma_of(inst)
        g1 = float(numpy.linalg.norm(inst.problem.grad(numpy.asarray(inst.x0, dtype=float))))
        return numpy.array([4 * s * eta * math.sqrt(B) + eta * B / 2 * g1])

    def default(self, seed):
        p = quadratic(d=2, mu=0.3, H=1.0, seed=seed)
        return Instance(p, numpy.asarray(p.x_star) + numpy.array([2.0, -2.0]), T=1, hyper={"lr": 1 / 32, "B": 16},
                        oracle=noisy(1.0), seeds=200, label="quadratic, rotated sphere noise, B = 16, eta = 1/(2BH)")

    def draw(self, problem, T, u):
        B = 2 + int(30 * u[1])
        return Instance(problem, start(problem, u[0]), T=1, hyper={"lr": (0.1 + 0.9 * u[2]) / (2 * B * problem.H), "B": B},
                        oracle=noisy(2 * u[3]), seeds=MC_SEEDS)


@theorem
class EC500_8_2_FULL(EC500_8_2):
    """warm-up coupling, the sharper intermediate bound of L1295 (before eta <= 1/(2BH) is used)

    EC500 section 8.2, L1295. Same setting as EC500-8.2; after one round:

        E||w^(1)_{B+1} - w^(B)_2||  <=  2 sigma eta sqrt(B) + eta^2 H B^2 ||grad L(w_1)|| + 4 eta^2 H sigma B^(3/2)

    Same example, eta = 1/16: 2 (1/16) 2 + (1/256) 16 * 5 + 4 (1/256) 8 = 0.25 + 0.3125 + 0.125 (at eta = 1/(2BH)
    the two bounds coincide).

    >>> p = quadratic(d=2, mu=1.0, H=1.0, x_star=[0.0, 0.0])
    >>> EC500_8_2_FULL.theorem.bound(Instance(p, [3.0, 4.0], T=1, hyper={"lr": 0.0625, "B": 4}, oracle=noisy(1.0)))
    array([0.6875])
    """
    id = "EC500-8.2/full"

    def bound(self, inst):
        eta, B, s, H = inst.hyper["lr"], int(inst.hyper["B"]), sigma_of(inst), inst.problem.H
        g1 = float(numpy.linalg.norm(inst.problem.grad(numpy.asarray(inst.x0, dtype=float))))
        return numpy.array([2 * s * eta * math.sqrt(B) + eta ** 2 * H * B ** 2 * g1 + 4 * eta ** 2 * H * s * B ** 1.5])


def schedule_values(lr, T):
    """eta_1..eta_T of a number or a schedule (a callable t -> eta_t)."""
    return numpy.array([float(lr(t)) if callable(lr) else float(lr) for t in range(1, T + 1)])


@theorem
class EC500_21_6_SCHEDULE:
    """GD with any schedule eta_t <= 1/H on a strongly convex loss: gap <= exp(-mu sum eta_s) gap_1

    Derived from EC500 Lemma 5.7 and Lemma 21.5 (the any-schedule form of Theorem 21.6, L3028-3044):
    L mu-strongly convex and H-smooth, eta_t <= 1/H for every t (warm-up and restarts allowed). For every t:

        L(w_{t+1}) - L_*  <=  exp(-mu sum_{s<=t} eta_s) (L(w_1) - L_*)

    On (1/2)||w||^2 (mu = H = 1) from w_1 = (2, 0) with eta = 1/2: gap_1 = 2, bound 2 exp(-t/2).

    >>> p = quadratic(d=2, mu=1.0, H=1.0, x_star=[0.0, 0.0])
    >>> EC500_21_6_SCHEDULE.theorem.bound(Instance(p, [2.0, 0.0], T=2, hyper={"lr": 0.5})).round(4)
    array([1.2131, 0.7358])
    """
    id, source = "EC500-21.6/schedule", f"{SOURCE} Thm 21.6, L3028-3044 (any schedule; derived with Lemmas 5.7, 21.5)"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"strongly_convex", "smooth"}, ("H", "mu"), ("f_star",)
    rule = "eta_t <= 1/H for every t (any schedule: warm-up, cosine, restarts)"

    def etas(self, inst):
        eta = schedule_values(inst.hyper["lr"], inst.T)
        bad = numpy.nonzero(eta > (1 + 1e-12) / inst.problem.H)[0]
        if len(bad) or numpy.any(eta < 0):
            t = int(bad[0]) + 1 if len(bad) else int(numpy.argmax(eta < 0)) + 1
            raise ValueError(f"{self.id} needs 0 <= eta_t <= 1/H = {1 / inst.problem.H:.6g} at every step; the "
                             f"schedule gives eta_{t} = {eta[t - 1]:.6g}")
        return eta

    def method(self, inst):
        self.etas(inst)
        return GD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        return numpy.array([numpy.asarray(r.loss[1:inst.T + 1]) - inst.problem.f_star for r in runs])

    def bound(self, inst):
        gap1 = float(inst.problem.f(numpy.asarray(inst.x0, dtype=float))) - inst.problem.f_star
        return gap1 * numpy.exp(-inst.problem.mu * numpy.cumsum(self.etas(inst)))

    def default(self, seed):
        p = quadratic(d=10, mu=0.1, H=1.0, seed=seed)
        lr = LinearWarmup(lr=1.0, warmup=10, after=CosineAnnealing(lr_max=1.0, period=(50, 50, 50), decay=0.5))
        return Instance(p, numpy.ones(10), T=150, hyper={"lr": lr}, label="warm-up 10, cosine with 3 restarts")

    def draw(self, problem, T, u):
        top = (0.2 + 0.8 * u[1]) / problem.H
        k = 1 + int(u[2] * T / 3)
        lr = LinearWarmup(lr=top, warmup=k, after=CosineAnnealing(lr_max=top, period=(max(1, T // 3), T), decay=0.7))
        return Instance(problem, start(problem, u[0]), T=T, hyper={"lr": lr})


THEOREMS = (EC500_8_2.theorem, EC500_8_2_FULL.theorem, EC500_21_6_SCHEDULE.theorem)
