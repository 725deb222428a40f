"""EC500 (seed 003) Propositions 10.4-10.6 and the oracle-rate statements (12.b)-(12.d) of section 12.

Propositions 10.4-10.6 (L1617-1665, restated in Appendix A) are facts about random variables. They are
checked on the **empirical distribution** of what an SGD run drew, where expectations are finite
averages and the statements must hold exactly: at step t the distribution is uniform on s = 1..t, with
A_s = ||grad L(w_s)||, B_s = ||g_s|| (the stochastic gradients, replayed from the run's seed).

* **Prop 10.4** (bias-variance, L1617-1627): E||X - Y||^2 = ||Y - E X||^2 + E||X - E X||^2 for a fixed Y;
  X = g_s, Y = grad L(w_t). An identity: measured/bound = 1 (up to rounding) at every step.
* **Prop 10.5** (Young, L1629-1655): <X, Y> <= ||X||^p/(p lambda^p) + lambda^q ||Y||^q/q, 1/p + 1/q = 1,
  on X = grad L(w_t), Y = g_t. Equality when p = q = 2, lambda = 1 and g_t = grad L(w_t).
* **Prop 10.6** (Cauchy-Schwarz, L1657-1665): E[AB] <= sqrt(E[A^2] E[B^2]). Its proof applies Young with
  lambda = E[A^2]/E[B^2] (L1665) and claims the result; that choice gives
  E[A^2]/(2 lambda^2) + lambda^2 E[B^2]/2 (seed-notes: the right choice is lambda^2 = sqrt(E[A^2]/E[B^2])),
  which exceeds sqrt(E[A^2] E[B^2]) unless E[A^2] = E[B^2]: ``EC500-10.6/printed`` checks the printed
  proof's claim that its right side is at most sqrt(E[A^2] E[B^2]), and fails.

Section 12 (L1751-1797), SGD with additive noise of variance sigma^2 (so sigma_t = sigma) on an H-smooth L,
Delta = L(w_1) - inf L:

* **(12.b)** (L1769-1773): with the oracle step eta_t = min(1/H, ||grad L(w_t)||^2/(2 H sigma^2)) of (12.a),
  E sum_{s<=t} min(||grad L(w_s)||^2/(4H), ||grad L(w_s)||^4/(8 H sigma^2)) <= Delta (the notes divide by T).
* **(12.c)** (L1781-1789): with eta = min(1/H, sqrt(Delta)/(sigma sqrt(T H))),
  E sum_{s<=t} eta ||grad L(w_s)||^2 <= 3 Delta for t <= T (summing L1783: each step pays H eta^2 sigma^2/2
  <= Delta/(2T)).
* **(12.d)** (L1793), corrected: when sqrt(Delta)/(sigma sqrt(T H)) <= 1/H, (12.c) divided by that step gives
  E[(1/T) sum_t ||grad L(w_t)||^2 / sigma] <= 3 sqrt(Delta H / T): the denominator is the standard
  deviation. As printed the denominator is the variance sigma^2; with the derivation's constant that fails
  for small sigma (``/printed``), and it is not scale-consistent (scaling the noise by s scales the left side
  by 1/s^2, the right side not at all).
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import SGD
from ..problems import cosine_sum, quadratic
from .block import theorem
from .ec500_adaptive_s12 import OracleStepSGD
from .ec500_convex import replay_grads
from .measures import iterates, per_run
from .stochastic import MC_SEEDS, delta, gnorm, noisy, sigma_of, start
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def _pairs(inst, r):
    """grad L(w_s) and the replayed g_s, s = 1..T, for one SGD run."""
    W = iterates(r)
    grads = numpy.array([numpy.asarray(inst.problem.grad(w), dtype=float) for w in W[:-1]])
    return grads, replay_grads(inst.problem, inst, W, r.seed)


def _t(inst):
    return numpy.arange(1, inst.T + 1, dtype=float)


class _EmpiricalSGD:
    """Shared by Props 10.4-10.6: one SGD run at a step <= 1/H with sphere noise; the run's own draws."""
    algorithm, kind = SGD, "every_step"
    requires, constants = {"smooth"}, ("H",)
    rule = "SGD with any eta; the statement is about the empirical distribution of the run's draws"
    admissible = {"lr": (0.0, None)}
    path_bound = True

    def method(self, inst):
        return SGD(lr=inst.hyper["lr"])

    def default(self, seed):
        p = cosine_sum(d=4, seed=seed)
        return Instance(p, numpy.full(4, 0.3), T=60, hyper={"lr": 0.3}, oracle=noisy(1.0),
                        label="sum of cos, sphere noise sigma = 1")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, hyper={"lr": (0.05 + 0.9 * u[1]) / problem.H},
                        oracle=noisy(3 * u[2]))


@theorem
class EC500_10_4(_EmpiricalSGD):
    """bias-variance decomposition on the empirical distribution of a run's stochastic gradients

    EC500 Proposition 10.4 (L1617-1627). For X uniform on {g_1, ..., g_t} and the fixed Y = grad L(w_t):

        (1/t) sum_{s<=t} ||g_s - Y||^2  <=  ||Y - g_bar_t||^2 + (1/t) sum_{s<=t} ||g_s - g_bar_t||^2

    with equality (an identity; checked as an inequality that is attained at every step).

    >>> p = quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0])
    >>> inst = Instance(p, [2.0], T=1, hyper={"lr": 0.5}, oracle=noisy(0.0))
    >>> from optlab.theory.theorem import run_instance
    >>> runs = run_instance(EC500_10_4.theorem, inst)
    >>> EC500_10_4.theorem.measure(runs, inst), EC500_10_4.theorem.bound(inst, runs)   # g_1 = Y = 2: 0 = 0 + 0
    (array([[0.]]), array([[0.]]))
    """
    id, source = "EC500-10.4", f"{SOURCE} Prop 10.4, L1617-1627 (Appendix A, L4025)"
    tight_factor = 0.999999

    def measure(self, runs, inst):
        def lhs(r):
            grads, g = _pairs(inst, r)
            return numpy.array([numpy.mean(numpy.sum((g[:t] - grads[t - 1]) ** 2, axis=1))
                                for t in range(1, inst.T + 1)])
        return per_run(runs, lhs)

    def bound(self, inst, runs):
        def rhs(r):
            grads, g = _pairs(inst, r)
            out = []
            for t in range(1, inst.T + 1):
                mean = g[:t].mean(axis=0)
                out.append(numpy.sum((grads[t - 1] - mean) ** 2) + numpy.mean(numpy.sum((g[:t] - mean) ** 2, axis=1)))
            return numpy.array(out)
        return per_run(runs, rhs)

    def tight(self):
        return self.default(0)


@theorem
class EC500_10_5(_EmpiricalSGD):
    """Young's inequality on (grad L(w_t), g_t) along an SGD run

    EC500 Proposition 10.5 (L1629-1655). For lambda > 0 and p, q > 1 with 1/p + 1/q = 1, at every step t:

        <grad L(w_t), g_t>  <=  ||grad L(w_t)||^p/(p lambda^p) + lambda^q ||g_t||^q/q

    Equality when p = q = 2, lambda = 1 and g_t = grad L(w_t) (no noise): ||x||^2 = ||x||^2/2 + ||x||^2/2.

    >>> p = quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0])
    >>> inst = Instance(p, [2.0], T=1, hyper={"lr": 0.5, "p": 2.0, "lam": 1.0}, oracle=noisy(0.0))
    >>> from optlab.theory.theorem import run_instance
    >>> EC500_10_5.theorem.bound(inst, run_instance(EC500_10_5.theorem, inst))        # 4/2 + 4/2
    array([[4.]])
    """
    id, source = "EC500-10.5", f"{SOURCE} Prop 10.5, L1629-1655 (Appendix A, L4037)"
    admissible = {"lr": (0.0, None), "p": (1.0 + 1e-9, None), "lam": (0.0, None)}
    tight_factor = 0.999999

    def method(self, inst):
        return SGD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.einsum("ij,ij->i", *_pairs(inst, r)))

    def bound(self, inst, runs):
        p_, lam = inst.hyper.get("p", 2.0), inst.hyper.get("lam", 1.0)
        q = p_ / (p_ - 1)

        def rhs(r):
            grads, g = _pairs(inst, r)
            X, Y = numpy.linalg.norm(grads, axis=1), numpy.linalg.norm(g, axis=1)
            return X ** p_ / (p_ * lam ** p_) + lam ** q * Y ** q / q
        return per_run(runs, rhs)

    def default(self, seed):
        return Instance(**{**super().default(seed).__dict__, "hyper": {"lr": 0.3, "p": 3.0, "lam": 0.7}})

    def tight(self):
        p = cosine_sum(d=3, seed=0)
        return Instance(p, numpy.full(3, 0.3), T=20, hyper={"lr": 0.5, "p": 2.0, "lam": 1.0}, oracle=noisy(0.0),
                        label="tight: p = q = 2, lambda = 1, no noise")

    def draw(self, problem, T, u):
        inst = super().draw(problem, T, u)
        return Instance(**{**inst.__dict__, "hyper": {**inst.hyper, "p": 1.1 + 4 * u[3], "lam": 0.2 + 3 * u[2]}})


def _cauchy_schwarz_parts(inst, r):
    """(running E[AB], E[A^2], E[B^2]) over s <= t with A_s = ||grad L(w_s)||, B_s = ||g_s||."""
    grads, g = _pairs(inst, r)
    A, B = numpy.linalg.norm(grads, axis=1), numpy.linalg.norm(g, axis=1)
    t = _t(inst)
    return numpy.cumsum(A * B) / t, numpy.cumsum(A * A) / t, numpy.cumsum(B * B) / t


@theorem
class EC500_10_6(_EmpiricalSGD):
    """Cauchy-Schwarz for random variables on the empirical distribution of a run (A = ||grad L||, B = ||g||)

    EC500 Proposition 10.6 (L1657-1665). With s uniform on 1..t, A_s = ||grad L(w_s)||, B_s = ||g_s||:

        (1/t) sum_{s<=t} A_s B_s  <=  sqrt((1/t) sum_{s<=t} A_s^2 (1/t) sum_{s<=t} B_s^2)

    Equality when B is proportional to A (no noise: g_s = grad L(w_s)).

    >>> p = quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0])
    >>> inst = Instance(p, [2.0], T=1, hyper={"lr": 0.5}, oracle=noisy(0.0))
    >>> from optlab.theory.theorem import run_instance
    >>> EC500_10_6.theorem.bound(inst, run_instance(EC500_10_6.theorem, inst))        # sqrt(4 * 4)
    array([[4.]])
    """
    id, source = "EC500-10.6", f"{SOURCE} Prop 10.6, L1657-1665 (Appendix A, L4067)"
    tight_factor = 0.999999

    def measure(self, runs, inst):
        return per_run(runs, lambda r: _cauchy_schwarz_parts(inst, r)[0])

    def bound(self, inst, runs):
        return per_run(runs, lambda r: numpy.sqrt(_cauchy_schwarz_parts(inst, r)[1] * _cauchy_schwarz_parts(inst, r)[2]))

    def tight(self):
        p = cosine_sum(d=3, seed=0)
        return Instance(p, numpy.full(3, 0.3), T=20, hyper={"lr": 0.5}, oracle=noisy(0.0), label="tight: no noise")


@theorem
class EC500_10_6_PRINTED(EC500_10_6):
    """Prop 10.6's proof as printed: Young with lambda = E[A^2]/E[B^2] yields sqrt(E[A^2] E[B^2])

    The proof (L1665) applies Young's inequality with lambda = E[A^2]/E[B^2] and concludes the proposition,
    i.e. it claims that the right side it obtains is at most sqrt(E[A^2] E[B^2]). At every step t:

        E[A^2]/(2 lambda^2) + lambda^2 E[B^2]/2  <=  sqrt(E[A^2] E[B^2])

    which fails whenever E[A^2] != E[B^2] (the right choice is lambda^2 = sqrt(E[A^2]/E[B^2])).

    >>> EC500_10_6_PRINTED.theorem.id
    'EC500-10.6/printed'
    """
    id, source = "EC500-10.6/printed", f"{SOURCE} Prop 10.6 proof, L1665"
    statement = "printed"
    draw = tight = default = None
    note = ("The proof of Proposition 10.6 picks lambda = E[A^2]/E[B^2] (L1665); Young's inequality then gives "
            "E[AB] <= E[A^2]/(2 lambda^2) + lambda^2 E[B^2]/2, which equals sqrt(E[A^2] E[B^2]) only if "
            "lambda^2 = sqrt(E[A^2]/E[B^2]). The statement itself is right (EC500-10.6); the printed choice "
            "of lambda does not prove it.")

    def measure(self, runs, inst):
        def printed(r):
            _, a2, b2 = _cauchy_schwarz_parts(inst, r)
            lam2 = (a2 / b2) ** 2
            return a2 / (2 * lam2) + lam2 * b2 / 2
        return per_run(runs, printed)

    def counterexample(self):
        return EC500_10_6.default(self, 0)


# ---- section 12: oracle learning rates ----------------------------------------------------------------

class _Section12:
    """SGD with additive noise of known sigma on an H-smooth loss; Monte Carlo over seeds."""
    kind = "expectation"
    requires, constants, data = {"smooth"}, ("H",), ("f_star",)
    admissible = {}

    def default(self, seed):
        p = cosine_sum(d=4, seed=seed)
        return Instance(p, numpy.full(4, 0.3), T=100, oracle=noisy(1.0), seeds=100,
                        label="sum of cos, sphere noise sigma = 1")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, oracle=noisy(0.1 + 3 * u[2]), seeds=MC_SEEDS)


@theorem
class EC500_12_B(_Section12):
    """(12.b): the oracle step's summed guaranteed decreases stay below Delta

    EC500 section 12, L1769-1773. SGD with eta_t = min(1/H, ||grad L(w_t)||^2/(2 H sigma^2)) on an H-smooth
    L with noise variance sigma^2 (the notes divide both sides by T). For every t:

        E sum_{s<=t} min(||grad L(w_s)||^2/(4H), ||grad L(w_s)||^4/(8 H sigma^2))  <=  L(w_1) - inf L

    >>> p = quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0])
    >>> EC500_12_B.theorem.bound(Instance(p, [2.0], T=2, oracle=noisy(1.0)))       # Delta = 4/2
    array([2., 2.])
    """
    id, source = "EC500-12/b", f"{SOURCE} §12, L1769-1773"
    algorithm = OracleStepSGD
    rule = "eta_t = min(1/H, ||grad L(w_t)||^2/(2 H sigma^2)) (knows grad L and sigma)"

    def method(self, inst):
        return OracleStepSGD(inst.problem.H, sigma_of(inst))

    def measure(self, runs, inst):
        H, s2 = inst.problem.H, sigma_of(inst) ** 2
        g2 = gnorm(runs, inst.T) ** 2
        with numpy.errstate(divide="ignore"):
            per_step = numpy.minimum(g2 / (4 * H), g2 ** 2 / (8 * H * s2) if s2 > 0 else numpy.inf)
        return numpy.cumsum(per_step, axis=1)

    def bound(self, inst):
        return numpy.full(inst.T, delta(inst))


@theorem
class EC500_12_C(_Section12):
    """(12.c): with eta = min(1/H, sqrt(Delta)/(sigma sqrt(T H))), E sum eta ||grad L||^2 <= 3 Delta

    EC500 section 12, L1781-1789. SGD with the step eta = min(1/H, sqrt(Delta)/(sigma sqrt(T H))) (the
    oracle knows Delta, sigma and T; sigma_t = sigma here). For every t <= T:

        E sum_{s<=t} eta ||grad L(w_s)||^2  <=  3 (L(w_1) - inf L)

    >>> p = quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0])
    >>> EC500_12_C.theorem.bound(Instance(p, [2.0], T=2, oracle=noisy(1.0)))       # 3 Delta = 3 * 2
    array([6., 6.])
    """
    id, source = "EC500-12/c", f"{SOURCE} §12, L1781-1789"
    algorithm = SGD
    rule = "eta = min(1/H, sqrt(Delta)/(sigma sqrt(T H)))"

    def lr(self, inst):
        H, s = inst.problem.H, sigma_of(inst)
        return 1 / H if s == 0 else min(1 / H, math.sqrt(delta(inst)) / (s * math.sqrt(inst.T * H)))

    def method(self, inst):
        return SGD(lr=self.lr(inst))

    def measure(self, runs, inst):
        return numpy.cumsum(self.lr(inst) * gnorm(runs, inst.T) ** 2, axis=1)

    def bound(self, inst):
        return numpy.full(inst.T, 3 * delta(inst))


@theorem
class EC500_12_D(EC500_12_C):
    """(12.d), corrected: E[(1/T) sum ||grad L(w_t)||^2 / sigma] <= 3 sqrt(Delta H / T) (std, not variance)

    EC500 section 12, L1793, with the standard deviation in the denominator. When
    sqrt(Delta)/(sigma sqrt(T H)) <= 1/H (large T), (12.c) divided by that step gives, at t = T:

        E[(1/T) sum_{t<=T} ||grad L(w_t)||^2 / sigma]  <=  3 sqrt((L(w_1) - inf L) H / T)

    >>> p = quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0])
    >>> EC500_12_D.theorem.bound(Instance(p, [2.0], T=8, oracle=noisy(1.0)))       # 3 sqrt(2 * 1 / 8)
    array([1.5])
    """
    id, source = "EC500-12/d", f"{SOURCE} §12, L1791-1793"
    statement = "corrected"
    rule = "eta = sqrt(Delta)/(sigma sqrt(T H)) <= 1/H (large T or large sigma)"

    def denominator(self, inst):
        return sigma_of(inst)

    def measure(self, runs, inst):
        s = sigma_of(inst)
        if s == 0 or math.sqrt(delta(inst)) / (s * math.sqrt(inst.T * inst.problem.H)) > 1 / inst.problem.H:
            raise ValueError(f"{self.id} needs sigma >= sqrt(Delta H / T) (the regime where eta < 1/H); got "
                             f"sigma = {s:.4g}, sqrt(Delta H / T) = {math.sqrt(delta(inst) * inst.problem.H / inst.T):.4g}")
        g2 = gnorm(runs, inst.T) ** 2
        return (g2.sum(axis=1) / inst.T / self.denominator(inst))[:, None]

    def bound(self, inst):
        return numpy.array([3 * math.sqrt(delta(inst) * inst.problem.H / inst.T)])

    def draw(self, problem, T, u):
        inst = super().draw(problem, T, u)
        # sigma at least sqrt(Delta H / T): the regime of the statement
        s = math.sqrt(max(delta(inst), 1e-12) * problem.H / T) * (1.0 + 3 * u[2]) + 1e-9
        return Instance(**{**inst.__dict__, "oracle": noisy(s)})


@theorem
class EC500_12_D_PRINTED(EC500_12_D):
    """(12.d) as printed: the variance sigma^2 in the denominator (with the derivation's constant)

    EC500 section 12, L1793 prints E[||grad L(w_hat)||^2 / E_z||grad l - grad L||^2] <= O(1/sqrt T). With
    the constant that (12.c) gives, at t = T:

        E[(1/T) sum_{t<=T} ||grad L(w_t)||^2 / sigma^2]  <=  3 sqrt((L(w_1) - inf L) H / T)

    >>> EC500_12_D_PRINTED.theorem.id
    'EC500-12/d/printed'
    """
    id = "EC500-12/d/printed"
    statement = "printed"
    draw = default = None
    note = ("(12.c) bounds E sum eta ||grad L||^2 by 3 Delta with eta = sqrt(Delta)/(sigma sqrt(T H)); dividing by "
            "that step puts sigma, the standard deviation, in the denominator. L1793 prints the variance "
            "E_z||grad l - grad L||^2 instead: scaling the noise by s then scales the left side by 1/s^2 and not "
            "the right side, and with the derivation's constant the printed form fails when sigma < 1.")

    def denominator(self, inst):
        return sigma_of(inst) ** 2

    def counterexample(self):
        p = cosine_sum(d=4, seed=0)
        return Instance(p, numpy.full(4, 0.3), T=250, oracle=noisy(0.2), seeds=20,
                        label="sum of cos, sigma = 0.2 (>= sqrt(Delta H / T) = 0.18)")


THEOREMS = (EC500_10_4.theorem, EC500_10_5.theorem, EC500_10_6.theorem, EC500_10_6_PRINTED.theorem,
            EC500_12_B.theorem, EC500_12_C.theorem, EC500_12_D.theorem, EC500_12_D_PRINTED.theorem)
