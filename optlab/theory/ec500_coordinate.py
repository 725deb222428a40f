"""Per-coordinate learning rates and Adam in EC500 (seed 003) sections 16-17, one block each.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import Adam, AdaGrad, AdaGradNorm
from ..problems import logistic_regression, median_example, reddi_adam_example
from .block import theorem
from .ec500_convex import replay_grads, start, ts
from .measures import iterates, losses, per_run
from .stochastic import sigma_of
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def _ratio_path(R, S):
    """R / sqrt(S), with 0 where S = 0 (then R = 0: no gradient has been seen)."""
    return numpy.where(S > 0, R / numpy.sqrt(numpy.where(S > 0, S, 1.0)), 0.0)


def _oracle_draw(u):
    return {} if u < 0.5 else {"noise": "gaussian", "sigma": 4 * (u - 0.5)}


def _ball(x, D):
    n = float(numpy.linalg.norm(x))
    return x if n <= D else x * (D / n)


# ---- Theorem 16.2 -------------------------------------------------------------------------------------

@theorem
class EC500_16_2:
    """adaptive GD on a ball: regret <= 2 sqrt(2) D_2 sqrt(sum ||g_t||^2)

    EC500 Theorem 16.2 (L2339-2345; adaptive GD, the homework "baseline"). L convex, ||w_*||_2 <= D_2,
    c = sqrt(2) D_2, w_{t+1} = Pi_{||w|| <= D_2}(w_t - c g_t / sqrt(||g||^2_{1:t})):
    E[sum_t L(w_t) - L(w_*)] <= 2 sqrt(2) D_2 E[sqrt(sum_t ||g_t||^2)]. Its proof gives the pathwise regret
    bound for *any* vectors g_s (which implies the printed form by convexity and unbiasedness); that is
    what is checked, at every t, with the run's own stochastic gradients replayed from its seed:

        sum_{s<=t} <g_s, w_s - w_*> / sqrt(sum_{s<=t} ||g_s||^2)  <=  2 sqrt(2) D_2

    With D_2 = 1 the bound is 2 sqrt(2) at every t:

    >>> p = logistic_regression(n=20, d=2, seed=0)
    >>> EC500_16_2.theorem.bound(Instance(p, numpy.zeros(2), T=2, hyper={"D": 1.0}))
    array([2.82842712, 2.82842712])
    """
    id, source = "EC500-16.2", f"{SOURCE} Thm 16.2, L2339-2345"
    algorithm, kind = AdaGradNorm, "every_step"
    requires, data = {"convex"}, ("x_star",)
    rule = "c = sqrt(2) D_2, eps = 0, projection on ||w|| <= D_2 >= ||w_*||, ||w_1|| <= D_2"
    admissible = {"D": (lambda p: float(numpy.linalg.norm(p.x_star)), None)}
    note = ("Checked in the pathwise form of the homework proof (any gradient sequence), which implies the "
            "printed expectation of function values. The printed update omits the parentheses: the "
            "projection applies to the whole step. Worst ratio seen about 0.6.")

    def method(self, inst):
        return AdaGradNorm(c=math.sqrt(2) * inst.hyper["D"], eps=0.0, radius=inst.hyper["D"])

    def measure(self, runs, inst):
        p = inst.problem

        def path(r):
            W = iterates(r)
            g = replay_grads(p, inst, W, r.seed)
            R = numpy.cumsum(numpy.einsum("ij,ij->i", g, W[:-1] - p.x_star))
            return _ratio_path(R, numpy.cumsum(numpy.sum(g * g, axis=1)))

        return per_run(runs, path)

    def bound(self, inst):
        return numpy.full(inst.T, 2 * math.sqrt(2) * inst.hyper["D"])

    def default(self, seed):
        p = logistic_regression(n=200, d=10, seed=seed)
        D = 1.5 * float(numpy.linalg.norm(p.x_star))
        return Instance(p, numpy.zeros(10), T=500, hyper={"D": D}, label="logistic, sampled terms, D_2 = 1.5 ||w_*||")

    def draw(self, problem, T, u):
        D = float(numpy.linalg.norm(problem.x_star)) * (1 + 2 * u[1]) + 0.1 * (1 + u[2])
        return Instance(problem, _ball(start(problem, u[0]), D), T=T, hyper={"D": D}, oracle=_oracle_draw(u[3]))


# ---- Theorem 16.3 -------------------------------------------------------------------------------------

@theorem
class EC500_16_3:
    """diagonal AdaGrad on a box: per-coordinate regret <= 2 sqrt(2) D_inf sqrt(g^2_{1:t}[i])

    EC500 Theorem 16.3 (L2351-2433; diagonal AdaGrad). ||w_*||_inf <= D_inf, c = sqrt(2) D_inf, clip to the
    box; per coordinate (L2427), summed over i in the printed statement:

        sum_{s<=t} g_s[i] (w_s[i] - w_*[i]) / sqrt(sum_{s<=t} g_s[i]^2), every t and i  <=  2 sqrt(2) D_inf

    The proof has two slips (L2419 bounds (w_t[i] - w_*[i])^2 by D_inf^2 instead of 4 D_inf^2; L2423 gives
    sqrt(2S) for the integral 2 sqrt(S)); redone correctly the bound is 2 D^2 sqrt(S)/c + c sqrt(S), which
    at c = sqrt(2) D is exactly 2 sqrt(2) D sqrt(S): the statement is right (E20). With D_inf = 1/2, two
    coordinates and T = 1 the bound is sqrt(2) for each:

    >>> p = logistic_regression(n=20, d=2, seed=0)
    >>> EC500_16_3.theorem.bound(Instance(p, numpy.zeros(2), T=1, hyper={"D": 0.5}))
    array([1.41421356, 1.41421356])
    """
    id, source = "EC500-16.3", f"{SOURCE} Thm 16.3, L2351-2433"
    algorithm, kind = AdaGrad, "every_step"
    requires, data = {"convex"}, ("x_star",)
    rule = "c = sqrt(2) D_inf, eps = 0, clip to |w[i]| <= D_inf >= ||w_*||_inf, w_1 in the box"
    admissible = {"D": (lambda p: float(numpy.max(numpy.abs(p.x_star))), None)}
    note = ("Per coordinate (L2427), which implies the printed sum over i and, by convexity, the printed "
            "expectation. The proof's two slips (E20) cancel only in the final constant: redone, the bound "
            "is 2 D^2 sqrt(S)/c + c sqrt(S) = 2 sqrt(2) D sqrt(S) at c = sqrt(2) D, as stated.")

    def method(self, inst):
        return AdaGrad(c=math.sqrt(2) * inst.hyper["D"], eps=0.0, D_inf=inst.hyper["D"])

    def measure(self, runs, inst):
        p = inst.problem

        def path(r):
            W = iterates(r)
            g = replay_grads(p, inst, W, r.seed)
            R = numpy.cumsum(g * (W[:-1] - p.x_star), axis=0)        # per coordinate, t x d
            return _ratio_path(R, numpy.cumsum(g * g, axis=0)).ravel()

        return per_run(runs, path)

    def bound(self, inst):
        return numpy.full(inst.T * inst.problem.d, 2 * math.sqrt(2) * inst.hyper["D"])

    def default(self, seed):
        p = logistic_regression(n=200, d=10, seed=seed)
        D = 1.5 * float(numpy.max(numpy.abs(p.x_star)))
        return Instance(p, numpy.zeros(10), T=500, hyper={"D": D},
                        label="logistic, sampled terms, D_inf = 1.5 ||w_*||_inf")

    def draw(self, problem, T, u):
        D = float(numpy.max(numpy.abs(problem.x_star))) * (1 + 2 * u[1]) + 0.1 * (1 + u[2])
        return Instance(problem, numpy.clip(start(problem, u[0]), -D, D), T=T, hyper={"D": D},
                        oracle=_oracle_draw(u[3]))


# ---- Section 17.1: the variance of Adam's de-biased momentum ------------------------------------------

def var_factor(beta, t, printed=False):
    """Var(m_hat_t)/sigma^2 for i.i.d. gradients: the corrected closed form, or the one printed at L2516."""
    if printed:
        return (1 - beta) * (1 - beta ** (2 * t - 1)) / ((1 - beta ** 2) * (1 - beta ** t) ** 2)
    return (1 - beta) ** 2 * (1 - beta ** (2 * t)) / ((1 - beta ** 2) * (1 - beta ** t) ** 2)


def _dev2(runs, inst):
    """(m_hat_T - E g)^2 from Adam's own final momentum, one row per seed."""
    b, p = inst.hyper["beta1"], inst.problem
    mean = float(numpy.asarray(p.grad(inst.x0))[0])             # the loss is linear: E g is constant
    return numpy.array([(float(r.state.m[0]) / (1 - b ** inst.T) - mean) ** 2 for r in runs])


def _adam_instance(T, beta1, seeds, label):
    return Instance(reddi_adam_example(C=3.0), numpy.array([0.0]), T=T, hyper={"beta1": beta1},
                    oracle={"noise": "gaussian", "sigma": 1.0}, seeds=seeds, label=label)


class _AdamMomentum:
    """Adam's de-biased momentum under i.i.d. gradients with a constant mean (not a theorem itself).

    With a frozen mean (a linear loss), m_hat_t = sum beta^tau g_{t-tau} / sum beta^tau, and
    sum_tau beta^{2 tau} = (1 - beta^{2t})/(1 - beta^2), sum_tau beta^tau = (1 - beta^t)/(1 - beta).
    """
    source, algorithm, kind = f"{SOURCE} sec 17.1, L2514-2516", Adam, "expectation"
    rule = "i.i.d. gradients with a constant mean (linear loss), m_0 = 0"
    _printed = False

    def method(self, inst):
        return Adam(lr=0.01, beta1=inst.hyper["beta1"], beta2=0.999)

    def default(self, seed):
        return _adam_instance(10, 0.9, 400, "linear loss + N(0, 1) noise, beta1 = 0.9, T = 10")

    def claimed(self, inst):
        return sigma_of(inst) ** 2 * var_factor(inst.hyper["beta1"], inst.T, self._printed)

    def measure(self, runs, inst):
        y = _dev2(runs, inst)
        return numpy.stack([y, 2 * self.claimed(inst) - y], axis=1)

    def bound(self, inst):
        return numpy.full(2, self.claimed(inst))


@theorem
class EC500_17_1(_AdamMomentum):
    """Adam's momentum: Var(m_hat_t) = sigma^2 (1-b)^2 (1-b^2t) / ((1-b^2)(1-b^t)^2)

    EC500 section 17.1 (L2494-2540), corrected: Var(m_hat_t) = sigma^2 F(t), an equality checked on both
    sides on Adam's own m_T (E[Y] <= sigma^2 F and E[2 sigma^2 F - Y] <= sigma^2 F, Y = (m_hat_T - E g)^2):

        [(m_hat_T - E g)^2, 2 sigma^2 F(T) - (m_hat_T - E g)^2]  <=
        [sigma^2 F(T), sigma^2 F(T)], F(t) = (1-b)^2 (1-b^{2t}) / ((1-b^2)(1-b^t)^2)

    At t = 1, m_hat_1 = g_1, and indeed F(1) = 1:

    >>> EC500_17_1.theorem.bound(_adam_instance(1, 0.9, 1, ""))
    array([1., 1.])
    """
    id, statement = "EC500-17.1", "corrected"
    note = ("An equality, checked on both sides (E[Y] <= sigma^2 F and E[2 sigma^2 F - Y] <= sigma^2 F, "
            "Y = (m_hat_T - E g)^2), so the ratio is about 1 by construction. sum_tau beta^{2 tau} = "
            "(1 - beta^{2t})/(1 - beta^2) and sum_tau beta^tau = (1 - beta^t)/(1 - beta).")


@theorem
class EC500_17_1_printed(_AdamMomentum):
    """Adam's momentum: Var(m_hat_t) = sigma^2 (1-b)(1-b^{2t-1}) / ((1-b^2)(1-b^t)^2)

    EC500 section 17.1 as printed (L2516):

        [(m_hat_T - E g)^2, 2 sigma^2 P(T) - (m_hat_T - E g)^2]  <=
        [sigma^2 P(T), sigma^2 P(T)], P(t) = (1-b)(1-b^{2t-1}) / ((1-b^2)(1-b^t)^2)

    At t = 1 it gives 1/(1 - beta^2) = 5.26 for beta = 0.9, though m_hat_1 = g_1 has variance sigma^2 = 1:

    >>> EC500_17_1_printed.theorem.bound(_adam_instance(1, 0.9, 1, ""))
    array([5.26315789, 5.26315789])
    """
    id, statement = "EC500-17.1/printed", "printed"
    source = f"{SOURCE} sec 17.1, L2516"
    _printed = True
    note = ("Erratum E5: the printed factor is ten times too large at beta1 = 0.9 (1.067 vs 0.108 at t = 10; "
            "1/(1 - beta^2) = 5.26 vs 1 at t = 1, where m_hat_1 = g_1). The notes' own limit at L2520, "
            "sigma^2 (1-b)^2/(1-b^2), and the bound at L2538 use the corrected numerator (1-b)^2.")

    def counterexample(self):
        return _adam_instance(10, 0.9, 200, "linear loss + N(0, 1) noise, beta1 = 0.9, T = 10")


@theorem
class EC500_17_1_4alpha(_AdamMomentum):
    """Adam's momentum: Var(m_hat_t) <= 4 (1 - beta1) sigma^2 once beta1^t <= 1/2

    EC500 section 17.1 (L2532-2540): (1-b)^2/(1-b^2) = alpha/(2 - alpha) <= alpha and (1 - b^t)^2 >= 1/4, so

        (m_hat_T - E g)^2  <=  4 (1 - beta1) sigma^2

    in expectation. With beta1 = 0.9 and sigma = 1: 0.4.

    >>> EC500_17_1_4alpha.theorem.bound(_adam_instance(10, 0.9, 1, ""))
    array([0.4])
    """
    id, source = "EC500-17.1-4alpha", f"{SOURCE} sec 17.1, L2532-2540"
    rule = "t >= log(1/2)/log(beta1); i.i.d. gradients with a constant mean"
    note = ("(1-b)^2/(1-b^2) = alpha/(2 - alpha) <= alpha and (1 - b^t)^2 >= 1/4; true (with the corrected "
            "variance; the printed one would not give it).")

    def measure(self, runs, inst):
        return _dev2(runs, inst)[:, None]

    def bound(self, inst):
        return numpy.array([4 * (1 - inst.hyper["beta1"]) * sigma_of(inst) ** 2])


# ---- Section 17.2: sign descent converges to the median -----------------------------------------------

@theorem
class EC500_17_2:
    """Adam with beta1 = beta2 = 0 (sign descent) does not converge: average gap -> 1/2

    EC500 section 17.2 (L2544-2554), made quantitative here (our derivation). beta_1 = beta_2 = 0 makes Adam
    sign descent, which makes progress in the wrong direction when sign E[g] != E[sign g]. On
    L(w) = E (w - z)^2/2 with z in {0, 0, 3} (median 0, mean 1 = w_*), sign descent is SGD on
    h(w) = E|w - z| (subgradient sign(w - z), |g| = 1), so (1/t) sum_s E[h(w_s) - h(0)] <= w_1^2/(2 eta t) +
    eta/2; h(w) - h(0) >= |w|/3 and L(w) - L_* >= 1/2 - |w| then give

        1/2 - (1/t) sum_{s<=t} (L(w_s) - L_*)  <=  3 (w_1^2/(2 eta t) + eta/2)

    in expectation: the average gap tends to 1/2, not 0. From w_1 = 1 with eta = 1/2: 3 (1/t + 1/4).

    >>> EC500_17_2.theorem.bound(Instance(median_example(), numpy.array([1.0]), T=2, hyper={"lr": 0.5}))
    array([3.75, 2.25])
    """
    id, source = "EC500-17.2", f"{SOURCE} sec 17.2, L2544-2554 (quantified here)"
    algorithm, kind = Adam, "expectation"
    rule = "beta1 = beta2 = 0, eps = 0, constant eta; z uniform on (0, 0, 3)"
    note = ("The notes' argument made quantitative (derivation in the block's docstring): a lower bound on "
            "the average gap written as an upper bound on its shortfall below 1/2. The run starts at the "
            "minimiser and drifts to the median 0, where L - L_* = 1/2. eta is chosen so that w never hits "
            "0 or 3 exactly (sign(0) would be 0/0 in Adam).")

    def method(self, inst):
        return Adam(lr=inst.hyper["lr"], beta1=0.0, beta2=0.0, eps=0.0)

    def measure(self, runs, inst):
        p = inst.problem
        return per_run(runs, lambda r: 0.5 - numpy.cumsum(losses(p, iterates(r)[:-1]) - p.f_star) / ts(inst.T))

    def bound(self, inst):
        eta, w1 = inst.hyper["lr"], float(inst.x0[0]) - inst.problem.extra["median"]
        return 3 * (w1 ** 2 / (2 * eta * ts(inst.T)) + eta / 2)

    def default(self, seed):
        return Instance(median_example(), numpy.array([1.0]), T=400, hyper={"lr": 0.0317}, seeds=30,
                        label="z in {0, 0, 3}, started at w_* = 1")


THEOREMS = tuple(block.theorem for block in (
    EC500_16_2, EC500_16_3, EC500_17_1, EC500_17_1_printed, EC500_17_1_4alpha, EC500_17_2))
