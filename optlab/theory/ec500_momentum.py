"""SGD with momentum in EC500 (seed 003) section 20: Lemma 20.1, Lemma 20.2, Theorem 20.3, one block each.

Algorithm 16 (L2701-2713): m_1 = grad l(w_1, z_1), m_t = (1 - alpha) m_{t-1} + alpha grad l(w_t, z_t),
w_{t+1} = w_t - eta m_t (the printed w_2 = w_1 - m_1 is read as w_1 - eta m_1, E7). eps_t = m_t - grad L(w_t),
r_t = grad l(w_t, z_t) - grad L(w_t), E r_t = 0, E||r_t||^2 <= sigma^2 (checked with additive noise of
exactly that variance). The momentum m_t is read back from the iterates, m_t = (w_t - w_{t+1})/eta.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import SGDMomentum
from ..problems import log_sum, quadratic
from .block import theorem
from .ec500_convex import delta, rerun, start, ts
from .measures import grad_sq_norms, iterates, losses, per_run
from .stochastic import sigma_of
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def _eps(p, W, eta):
    """m_t - grad L(w_t), t = 1..T, with m_t read back from the iterates."""
    G = numpy.array([numpy.asarray(p.grad(w), dtype=float) for w in W[:-1]])
    return (W[:-1] - W[1:]) / eta - G, G


def _noise(u):
    return {"noise": "gaussian", "sigma": 3 * u}


class _Algorithm16:
    """SGD with momentum (Algorithm 16) on H-smooth losses (not a theorem itself)."""
    algorithm, requires, constants = SGDMomentum, {"smooth"}, ("H",)

    def method(self, inst):
        return SGDMomentum(lr=inst.hyper["lr"], alpha=inst.hyper["alpha"])


# ---- Lemma 20.1 ---------------------------------------------------------------------------------------

@theorem
class EC500_20_1(_Algorithm16):
    """one momentum step: L(w_{t+1}) - L(w_t) <= -(eta/4)||grad L||^2 + (3 eta/4)||eps_t||^2

    EC500 Lemma 20.1 (L2739-2763). eta <= 1/(4H); printed in expectation, but the proof is pathwise, for
    any vector m_t, and so is the check:

        L(w_{t+1}) - L(w_t) + (eta/4) ||grad L(w_t)||^2  <=  (3 eta/4) ||m_t - grad L(w_t)||^2

    Without noise on w^2 (H = 2) from 1 with eta = 1/8, alpha = 1/2: m_1 = grad L(w_1), so eps_1 = 0; then
    w_2 = 3/4 and eps_2 = (1 - alpha)(2 - 3/2) = 1/4, so the bound is (3/32)(0, 1/16):

    >>> inst = Instance(quadratic(d=1, mu=2.0, H=2.0, x_star=[0.0]), [1.0], T=2, hyper={"lr": 1 / 8, "alpha": 0.5},
    ...                 oracle={"noise": "gaussian", "sigma": 0.0})
    >>> EC500_20_1.theorem.bound(inst)
    array([0.        , 0.00585938])
    """
    id, source, kind = "EC500-20.1", f"{SOURCE} Lemma 20.1, L2739-2763", "every_step"
    rule = "0 < eta <= 1/(4H), any momentum vector m_t"
    admissible = {"lr": (0.0, lambda p: 1 / (4 * p.H)), "alpha": (0.0, 1.0)}
    note = ("Printed in expectation; the proof (smoothness, Young with lambda = 1, ||a + b||^2 <= 2||a||^2 + "
            "2||b||^2, H eta^2 <= eta/4) holds on every path and for any vector m_t, which is what is checked.")

    def measure(self, runs, inst):
        p, eta = inst.problem, inst.hyper["lr"]

        def lhs(r):
            W = iterates(r)
            f = losses(p, W)
            return f[1:] - f[:-1] + eta / 4 * grad_sq_norms(p, W[:-1])

        return per_run(runs, lhs)

    def bound(self, inst):
        eps, _ = _eps(inst.problem, rerun(self.method(inst), inst), inst.hyper["lr"])
        return 3 * inst.hyper["lr"] / 4 * numpy.sum(eps * eps, axis=1)

    def default(self, seed):
        return Instance(log_sum(d=4, seed=seed), numpy.zeros(4), T=200, hyper={"lr": 1 / 8, "alpha": 0.2},
                        oracle=_noise(1 / 3), label="log sum + N(0, 1) noise, eta = 1/(4H)")

    def draw(self, problem, T, u):
        return Instance(problem, start(problem, u[0]), T=T, oracle=_noise(u[3]),
                        hyper={"lr": (0.05 + 0.95 * u[1]) / (4 * problem.H), "alpha": 0.02 + 0.98 * u[2]})


# ---- Lemma 20.2 (the recursion of L2880) --------------------------------------------------------------

@theorem
class EC500_20_2(_Algorithm16):
    """momentum error recursion: E||eps_{t+1}||^2 <= (1 - alpha/2) E||eps_t||^2 + ...

    EC500 Lemma 20.2 (L2809-2886), the recursion the proof establishes (L2880; alpha <= 1/2,
    eta <= alpha/(4H)), checked per step in expectation:

        ||eps_{t+1}||^2 - (1 - alpha/2) ||eps_t||^2 - (8 H^2 eta^2/alpha) ||grad L(w_t)||^2  <=  alpha^2 sigma^2

    (L2856 loses a factor 2 on the gradient term, harmlessly: 2 lambda + 2 <= 4 lambda.) Multiplying by
    3 eta/(2 alpha) gives 12 H^2 eta^3/alpha^2 and (3 eta alpha/2) sigma^2, where the notes write
    6 H^2 eta^3/alpha^2 and (3 eta alpha/4) sigma^2 (E8). With alpha = 0.2 and sigma = 1: 0.04.

    >>> EC500_20_2.theorem.bound(EC500_20_2.theorem.default(0))[:3]
    array([0.04, 0.04, 0.04])
    """
    id, source, kind = "EC500-20.2", f"{SOURCE} Lemma 20.2, L2823-2880", "expectation"
    rule, statement = "alpha <= 1/2, eta <= alpha/(4H)", "corrected"
    admissible = {"alpha": (0.0, 0.5), "lr": (0.0, lambda p: 1 / (8 * p.H))}
    note = ("The recursion the proof derives (L2880), checked per step; the printed Lemma 20.2 multiplies it "
            "by 3 eta/(2 alpha) with two factor-2 slips and the dimensionally wrong eta = alpha/sqrt(48 H) "
            "(E8), so its constants are not tested here (the corrected chain is in EC500-20.3). Needs T >= 2.")

    def measure(self, runs, inst):
        p, eta, a = inst.problem, inst.hyper["lr"], inst.hyper["alpha"]

        def lhs(r):
            eps, G = _eps(p, iterates(r), eta)
            e2, g2 = numpy.sum(eps * eps, axis=1), numpy.sum(G * G, axis=1)
            return e2[1:] - (1 - a / 2) * e2[:-1] - 8 * p.H ** 2 * eta ** 2 / a * g2[:-1]

        return per_run(runs, lhs)

    def bound(self, inst):
        return numpy.full(inst.T - 1, inst.hyper["alpha"] ** 2 * sigma_of(inst) ** 2)

    def default(self, seed):
        return Instance(log_sum(d=4, seed=seed), numpy.zeros(4), T=100, seeds=100,
                        hyper={"lr": 0.2 / (4 * 2.0), "alpha": 0.2}, oracle=_noise(1 / 3),
                        label="log sum + N(0, 1) noise, alpha = 0.2, eta = alpha/(4H)")

    def draw(self, problem, T, u):
        T, alpha = max(T, 2), 0.02 + 0.48 * u[1]
        return Instance(problem, start(problem, u[0]), T=T, seeds=20, oracle=_noise(0.05 + u[3]),
                        hyper={"alpha": alpha, "lr": (0.05 + 0.95 * u[2]) * alpha / (4 * problem.H)})


# ---- Theorem 20.3 -------------------------------------------------------------------------------------

def tuned_alpha(problem, x0, T, sigma):
    """alpha = min(1/2, sqrt((32 sqrt6 H Delta + 12 sigma^2)/(12 sigma^2 T))), balancing the corrected bound."""
    K = 32 * math.sqrt(6) * problem.H * delta(problem, x0) + 12 * sigma ** 2
    return min(0.5, math.sqrt(K / (12 * sigma ** 2 * T)))


class _Theorem203(_Algorithm16):
    """Theorem 20.3's setting (not a theorem itself); the constants c (of H Delta) and b (of sigma^2 alpha)."""
    kind, data = "expectation", ("f_star",)
    _c, _b = 32 * math.sqrt(6), 12

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(numpy.asarray(r.grad_norm[:-1]) ** 2) / ts(inst.T))

    def bound(self, inst):
        p, a, s2 = inst.problem, inst.hyper["alpha"], sigma_of(inst) ** 2
        return (self._c * p.H * delta(p, inst.x0) + 12 * s2) / (ts(inst.T) * a) + self._b * s2 * a


@theorem
class EC500_20_3(_Theorem203):
    """SGD with momentum, eta = alpha/(4 sqrt6 H): average E||grad L||^2 <= K/(T alpha) + 12 sigma^2 alpha

    EC500 Theorem 20.3 (L2888-2948), redone with the correct constants: eta = alpha/(4 sqrt6 H) makes
    12 H^2 eta^3/alpha^2 = eta/8; the potential Phi_t = L(w_t) + (sqrt6/(16 H))||eps_t||^2 (= L + (3 eta/
    (2 alpha))||eps||^2) satisfies E[Phi_{t+1} - Phi_t] <= -(eta/8) E||grad L(w_t)||^2 + 6 sqrt6 H eta^2
    sigma^2, and E||eps_1||^2 <= sigma^2, so for every alpha in (0, 1/2] and every t:

        (1/t) sum_{s<=t} E||grad L(w_s)||^2  <=  (32 sqrt6 H Delta + 12 sigma^2)/(t alpha) + 12 sigma^2 alpha

    (At the balancing alpha the printed case constant 2 sqrt6 sigma sqrt(K)/sqrt(T), L2934, should be
    7 sigma sqrt(K)/sqrt(T) with the notes' own L2922.) Started at w_* (Delta = 0) with sigma = 1 and
    alpha = 1/2: 24/t + 6.

    >>> inst = Instance(quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0]), [0.0], T=2, hyper={"alpha": 0.5},
    ...                 oracle={"noise": "gaussian", "sigma": 1.0})
    >>> EC500_20_3.theorem.bound(inst)
    array([30., 18.])
    """
    id, source, statement = "EC500-20.3", f"{SOURCE} Thm 20.3, L2888-2948", "corrected"
    rule = "0 < alpha <= 1/2, eta = alpha/(4 sqrt6 H)"
    admissible = {"alpha": (0.0, 0.5), "lr": (0.0, lambda p: 1 / (8 * math.sqrt(6) * p.H))}
    note = ("Derivation in the block's docstring (the seed notes' corrected statement, re-derived). Tuned "
            "alpha = min(1/2, sqrt((32 sqrt6 H Delta + 12 sigma^2)/(12 sigma^2 T))) gives "
            "4 sigma sqrt(3 (32 sqrt6 H Delta + 12 sigma^2)/T) when alpha < 1/2.")

    def default(self, seed):
        p, T, sigma = log_sum(d=4, seed=seed), 300, 1.0
        x0 = numpy.asarray(p.x0(0))
        a = tuned_alpha(p, x0, T, sigma)
        return Instance(p, x0, T=T, hyper={"alpha": a, "lr": a / (4 * math.sqrt(6) * p.H)}, seeds=20,
                        oracle={"noise": "gaussian", "sigma": sigma}, label="log sum + N(0, 1) noise, tuned alpha")

    def draw(self, problem, T, u):
        alpha = 0.02 + 0.48 * u[1]
        return Instance(problem, start(problem, u[0]), T=T, seeds=20, oracle=_noise(0.05 + u[2]),
                        hyper={"alpha": alpha, "lr": alpha / (4 * math.sqrt(6) * problem.H)})


@theorem
class EC500_20_3_printed(_Theorem203):
    """SGD with momentum, eta = alpha/sqrt(48 H) (as printed): average E||grad L||^2 <= O(...)

    EC500 Theorem 20.3 as printed (L2888, explicit form L2922), with eta = alpha/sqrt(48 H) (dimensionally
    wrong: L2886 needs alpha/(sqrt(48) H); L2920 writes a third variant) and alpha = min(1/2,
    sqrt(32 sqrt3 H Delta + 12 sigma^2)/(sigma sqrt T)):

        (1/t) sum_{s<=t} E||grad L(w_s)||^2  <=  (32 sqrt3 H Delta + 12 sigma^2)/(t alpha) + 6 sigma^2 alpha

    On the instance of EC500-20.3's example: 24/t + 3.

    >>> inst = Instance(quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0]), [0.0], T=2, hyper={"alpha": 0.5},
    ...                 oracle={"noise": "gaussian", "sigma": 1.0})
    >>> EC500_20_3_printed.theorem.bound(inst)
    array([27., 15.])
    """
    id, source, statement = "EC500-20.3/printed", f"{SOURCE} Thm 20.3, L2888 and L2922", "printed"
    rule = "eta = alpha/sqrt(48 H), alpha = min(1/2, sqrt(32 sqrt3 H Delta + 12 sigma^2)/(sigma sqrt T))"
    _c, _b = 32 * math.sqrt(3), 6
    note = ("Erratum E8. eta = alpha/sqrt(48 H) is not invariant under rescaling the loss: eta H = "
            "alpha sqrt(H/48) grows with H, and for H > 3/alpha^2 it breaks the proof's eta <= 1/(4H). With "
            "H = 1e4 and alpha = 1/2, eta H = 7.2 exceeds the heavy-ball stability limit 2(2 - alpha)/alpha = 6 "
            "and the iterates diverge geometrically, so no constant in the O(.) bound can hold. The proof "
            "itself needs eta = alpha/(sqrt(48) H) and, with its factor-2 slips fixed, alpha/(4 sqrt6 H) "
            "(EC500-20.3).")

    def counterexample(self):
        p, sigma, T = quadratic(d=2, mu=1.0, H=1e4, seed=0), 1.0, 60
        x0 = numpy.asarray(p.x_star) + 1.0
        K = 32 * math.sqrt(3) * p.H * delta(p, x0) + 12 * sigma ** 2
        a = min(0.5, math.sqrt(K) / (sigma * math.sqrt(T)))
        return Instance(p, x0, T=T, hyper={"alpha": a, "lr": a / math.sqrt(48 * p.H)}, seeds=10,
                        oracle={"noise": "gaussian", "sigma": sigma},
                        label="quadratic with H = 1e4: eta = alpha/sqrt(48 H) makes eta H = 7.2")


THEOREMS = tuple(block.theorem for block in (EC500_20_1, EC500_20_2, EC500_20_3, EC500_20_3_printed))
