"""AN-GD under the generalized PL condition: the rate regimes eq. (10)-(12) of seed 002, with constants (derived).

The slides state the rates informally (L227-248: "Omega", "O", "there exists T_0"). Encoded here is a precise
form derived for optlab (status: derived, not printed), in the setting of :mod:`.paper002`: Hessian-form
(L0, L1, alpha)-smoothness with L0' = L0 (alpha = 1) or L0 + L1 (alpha < 1), and the generalized PL condition
(9), ||grad f(w)||^rho >= 2 mu (f(w) - f_*), 0 < rho <= 2. AN-GD: w_{t+1} = w_t - gamma g_t/||g_t||^beta.

**One step (derived).** If at w_s

    (C1) ||g_s||^beta >= 2 e L0' gamma      and      (C2) e gamma L1 ||g_s||^(1-beta) <= 1/2,

then Delta_{s+1} <= Delta_s - (gamma/2) ||g_s||^(2-beta) (Delta = f - f_*). Proof: the step has length
gamma ||g_s||^(1-beta), so L1 times it is <= 1/(2e) <= 1 by (C2) and the local smoothness lemma of
:mod:`.paper002` gives Delta_{s+1} <= Delta_s - gamma ||g||^(2-beta) [1 - (e/2) gamma L0' ||g||^-beta
- (e/2) gamma L1 ||g||^(1-beta)]; (C1) and (C2) make each subtracted term at most 1/4. PL at w_s turns
||g_s||^(2-beta) into at least (2 mu Delta_s)^q with **q = (2 - beta)/rho**, so

    Delta_{s+1} <= Delta_s - c Delta_s^q,        c = (gamma/2) (2 mu)^q.

**The regimes** (:func:`regime_bound`): a sequence with this recursion satisfies, by convexity of x^(1-q)
(one tangent-line step per iteration), Delta_t <= R_q(Delta_0, c t) with

* q > 1 (rho + beta < 2), polynomial: R = (Delta_0^(1-q) + (q - 1) c t)^(-1/(q-1)), eq. (10);
* q = 1 (rho + beta = 2), linear: R = (1 - c)^t Delta_0, eq. (11);
* q < 1 (rho + beta > 2), finite time: R = max(0, Delta_0^(1-q) - (1 - q) c t)^(1/(1-q)), eq. (12).

**The floor.** (C1) fails only where ||g||^beta < 2 e L0' gamma, where PL gives Delta < (2 e L0' gamma)^(rho/beta)
/(2 mu): the run descends by the regime's rate down to this floor. The slides' step size gamma = O((mu eps)^(beta/rho)
/(L0 + L1)) is the one that puts the floor at eps: :func:`lr_for_accuracy`, gamma = (2 mu eps)^(beta/rho)/(2 e L0').
With it, c is proportional to eps^(beta/rho), and :func:`iterations` (the regime bound solved for Delta_T <= eps)
grows like eps^-((2-rho)/rho) (q > 1, eq. 10) and eps^-(beta/rho) log(Delta_0/eps) (q = 1, eq. 11); for q < 1 it
stays below Delta_0^(1-q)/((1 - q) c), the ends of the two phases of eq. (12).

**The slides' example** (L252-260): rho = 1 with beta = 2/3 (q = 4/3) and beta = 1 (q = 1) give O(eps^-1) and
O(eps^-1 log(1/eps)). ||x||^4 satisfies PL with rho = 1 on the ball ||x|| <= R (mu = 2/R, :func:`power_norm_ball_pl`),
which contains every AN-GD iterate from ||x_0|| = R at these step sizes: :func:`rho_one_example`. It is an example,
not a tight instance: ||x||^4 also satisfies PL with rho = 4/3 everywhere, and runs faster than the rho = 1 bound.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import ANGD
from ..problems import cosh_sum, power_norm
from .block import theorem
from .measures import grads, iterates, losses, per_run, slack
from .paper002 import E, L0_prime, SOURCE, _x0
from .theorem import Instance


def exponent(rho, beta):
    """q = (2 - beta)/rho, the power of Delta in the one-step decrease: q > 1, = 1, < 1 are eq. (10), (11), (12)."""
    return (2 - beta) / rho


def rate_constant(gamma, mu, q):
    """c = (gamma/2) (2 mu)^q of the recursion Delta_{s+1} <= Delta_s - c Delta_s^q."""
    return gamma / 2 * (2 * mu) ** q


def regime_bound(delta0, c, q, t):
    """R_q(Delta_0, c t): the bound on Delta_t of a sequence with Delta_{s+1} <= Delta_s - c Delta_s^q.

    >>> float(regime_bound(1.0, 0.5, 1.0, 2))     # linear: (1 - 1/2)^2
    0.25
    >>> float(regime_bound(1.0, 0.5, 2.0, 2))     # polynomial: 1/(1 + 1/2 * 2)
    0.5
    >>> float(regime_bound(1.0, 0.5, 0.5, 4))     # finite time: max(0, 1 - 1/4 * 4)^2
    0.0
    """
    t = numpy.asarray(t, dtype=float)
    if abs(q - 1) < 1e-12:
        return max(0.0, 1 - c) ** t * delta0
    if q > 1:
        return (delta0 ** (1 - q) + (q - 1) * c * t) ** (-1 / (q - 1))
    return numpy.maximum(0.0, delta0 ** (1 - q) - (1 - q) * c * t) ** (1 / (1 - q))


def iterations(eps, delta0, c, q):
    """The smallest t with R_q(Delta_0, c t) <= eps (0 if Delta_0 <= eps): the regime's iteration count."""
    if delta0 <= eps:
        return 0
    if abs(q - 1) < 1e-12:
        return math.ceil(math.log(delta0 / eps) / -math.log1p(-min(c, 1.0))) if c < 1 else 1
    return math.ceil((eps ** (1 - q) - delta0 ** (1 - q)) / ((q - 1) * c))


def lr_for_accuracy(problem, eps, beta, rho, mu):
    """The step size gamma = (2 mu eps)^(beta/rho)/(2 e L0') that puts the floor of (C1) at Delta = eps."""
    return (2 * mu * eps) ** (beta / rho) / (2 * E * L0_prime(problem))


def power_norm_ball_pl(p, R, rho):
    """mu such that ||x||^p satisfies ||grad||^rho >= 2 mu f on the ball ||x|| <= R (rho <= p/(p-1)).

    ||grad f|| = p r^(p-1), so the ratio ||grad f||^rho/(2 f) = p^rho r^((p-1) rho - p)/2 is smallest at r = R.
    >>> power_norm_ball_pl(4.0, 1.0, 1.0)         # the slides' rho = 1 for x^4: mu = 2/R
    2.0
    """
    if not 0 < rho <= p / (p - 1):
        raise ValueError(f"rho must be in (0, p/(p-1)] = (0, {p / (p - 1):.4g}] for ||x||^{p:g}, got rho={rho!r}")
    return p ** rho * R ** ((p - 1) * rho - p) / 2


def _pl(inst):
    p = inst.problem
    return inst.hyper.get("rho", p.pl_exponent), inst.hyper.get("pl_mu", p.pl_mu)


def conditions(problem, W, gamma, beta, rho, mu):
    """For each iterate: (C1), (C2) and PL with (rho, mu) hold there (the hypotheses the proof uses at w_s)."""
    g = numpy.linalg.norm(grads(problem, W), axis=1)
    delta = losses(problem, W) - problem.f_star
    c1 = g ** beta >= 2 * E * L0_prime(problem) * gamma
    c2 = E * gamma * problem.L1 * g ** (1 - beta) <= 0.5
    pl = g ** rho >= 2 * mu * delta * (1 - 1e-12)
    return c1 & c2 & pl


@theorem
class Paper002_AN_GD_PL:
    """AN-GD under generalized PL: the regimes (10)-(12) with explicit constants (derived)

    AN-GD (seed 002, eq. 8) under (L0, L1, alpha)-smoothness and generalized PL (9) with (rho, mu); theorem
    L227-248. q = (2 - beta)/rho, c = (gamma/2)(2 mu)^q, Delta_t = f(w_t) - f_*. On every prefix whose iterates
    w_0..w_{t-1} satisfy (C1) ||g||^beta >= 2 e L0' gamma, (C2) e gamma L1 ||g||^(1-beta) <= 1/2 and PL:

        f(w_t) - f_*  <=  R_q(f(w_0) - f_*, c t)

    with R_q polynomial (q > 1, eq. 10), linear (q = 1, eq. 11) or finite-time (q < 1, eq. 12), as in the
    module docstring. On cosh(w) - 1 (rho = 1, mu = 1/2) with beta = 1, q = 1 and c = gamma mu: from w_0 = 1
    with gamma = 0.1 the bound after 2 steps is (1 - 0.05)^2 (cosh(1) - 1):

    >>> inst = Instance(cosh_sum(d=1), numpy.array([1.0]), T=2, hyper={"lr": 0.1, "beta": 1.0})
    >>> b = Paper002_AN_GD_PL.theorem.bound(inst, [run_angd(inst)])
    >>> bool(numpy.isclose(b[0][1], 0.95 ** 2 * (math.cosh(1) - 1)))
    True
    """
    id = "002-AN-GD-PL"
    source = f"{SOURCE} generalized PL eq. (9) L211-217, AN-GD rates eq. (10)-(12) L225-248, example L252-260"
    algorithm, kind, path_bound = ANGD, "every_step", True
    requires = {"generalized_smooth", "generalized_pl"}
    constants, data = ("L0", "L1", "alpha", "pl_mu", "pl_exponent"), ("f_star",)
    rule = ("beta in [alpha, 1], any gamma > 0; checked on the prefix where (C1), (C2) and PL hold; (rho, mu) are "
            "the problem's PL constants unless hyper gives rho and pl_mu valid along the run")
    admissible = {"lr": (0.0, None), "beta": (lambda p: p.alpha, 1.0), "rho": (0.0, 2.0), "pl_mu": (0.0, None)}
    note = ("Status: derived (the slides' statement is informal). Proof in the module docstring: the local "
            "smoothness lemma of 002-AN-GD with (C1), (C2) gives Delta_{s+1} <= Delta_s - (gamma/2)||g_s||^(2-beta), PL "
            "gives Delta_{s+1} <= Delta_s - c Delta_s^q, and the tangent line of x^(1-q) solves the recursion. The slides' "
            "gamma ~ (mu eps)^(beta/rho)/(L0 + L1) is gamma = (2 mu eps)^(beta/rho)/(2 e L0'), which puts the floor "
            "where (C1) fails at Delta = eps; the iteration counts then reproduce eq. (10) and (11) and, for q < 1, a "
            "count independent of eps once c is fixed (the second phase of eq. (12) is at least as fast as linear). "
            "Not tight: the factor 1/2 of the one-step decrease and e/2 of the local lemma are not attained.")

    def method(self, inst):
        return ANGD(lr=inst.hyper["lr"], beta=inst.hyper["beta"])

    def measure(self, runs, inst):
        p = inst.problem
        return per_run(runs, lambda r: self._where_covered(inst, iterates(r), losses(p, iterates(r))[1:] - p.f_star))

    def bound(self, inst, runs):
        p, gamma, beta = inst.problem, inst.hyper["lr"], inst.hyper["beta"]
        rho, mu = _pl(inst)
        q = exponent(rho, beta)
        c = rate_constant(gamma, mu, q)

        def one(r):
            f = losses(p, iterates(r))
            delta0 = f[0] - p.f_star
            R = regime_bound(delta0, c, q, numpy.arange(1, inst.T + 1))
            return self._where_covered(inst, iterates(r), R + slack(f[0], f[1:], p.f_star))

        return per_run(runs, one)

    def _where_covered(self, inst, W, values):
        """``values`` at the steps t whose iterates w_0..w_{t-1} all satisfy the hypotheses, 0 elsewhere."""
        rho, mu = _pl(inst)
        ok = conditions(inst.problem, W[:-1], inst.hyper["lr"], inst.hyper["beta"], rho, mu)
        return numpy.where(numpy.cumprod(ok).astype(bool), values, 0.0)

    def default(self, seed):
        return Instance(cosh_sum(d=3), numpy.full(3, 3.0 + 0.1 * seed), T=100, hyper={"lr": 0.1, "beta": 1.0},
                        label="sum of cosh from x = 3 (rho = 1, beta = 1: linear), gamma = 0.1")

    def draw(self, problem, T, u):
        x0 = _x0(problem, u[0])
        beta = problem.alpha + (1 - problem.alpha) * u[1]
        g0 = float(numpy.linalg.norm(problem.grad(x0)))
        # gamma below both (C2) and (C1) at w_0, so that the checked prefix is not empty
        top = min(1 / (2 * E * problem.L1 * g0 ** (1 - beta)), g0 ** beta / (2 * E * L0_prime(problem)))
        return Instance(problem, x0, T=T, hyper={"lr": (0.05 + 0.9 * u[2]) * top, "beta": beta})


def run_angd(inst):
    """AN-GD's run on ``inst`` (one trace)."""
    from ..algorithms import run

    return run(ANGD(lr=inst.hyper["lr"], beta=inst.hyper["beta"]), inst.problem, steps=inst.T, x0=inst.x0,
               progress=False)


def rho_one_example(beta, eps=1e-2, R=1.0, d=2):
    """The slides' example (L252-260): ||x||^4 from ||x_0|| = R, PL with rho = 1 and mu = 2/R on the ball, AN-GD
    with beta in {2/3, 1} at the step size of accuracy eps, for as many steps as the regime bound needs."""
    p = power_norm(d=d, p=4.0)
    mu = power_norm_ball_pl(4.0, R, 1.0)
    gamma = lr_for_accuracy(p, eps, beta, 1.0, mu)
    q, delta0 = exponent(1.0, beta), R ** 4
    T = iterations(eps, delta0, rate_constant(gamma, mu, q), q)
    return Instance(p, numpy.full(d, R / math.sqrt(d)), T=T, hyper={"lr": gamma, "beta": beta, "rho": 1.0, "pl_mu": mu},
                    label=f"||x||^4 from ||x_0|| = {R:g}, rho = 1 on the ball, beta = {beta:.3g}, eps = {eps:g}")


THEOREMS = (Paper002_AN_GD_PL.theorem,)
