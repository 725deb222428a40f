"""SGD in EC500 (seed 003): Theorems 3.2 and 6.1, one block each (6.2, 7.1, 7.2: :mod:`.ec500_sgd_schedules`).

Notation: Delta = L(w_1) - inf L, sigma^2 bounds E||g - grad L(w)||^2, the noise is additive
(``'gaussian'`` or ``'sphere'`` of radius sigma, both with covariance sigma^2/d I), B is the batch.
Every bound below also holds for every horizon t <= T (the proofs telescope up to t), so it is checked
at every t unless the step size depends on T. See :mod:`.block` for the form of a block.
"""
from __future__ import annotations

import math

import numpy

from ..algorithms import SGD
from ..problems import cosine_sum, norm_loss, quadratic
from .block import theorem
from .measures import dist, per_run
from .stochastic import MC_SEEDS, delta, exact_grad_sq, gnorm, horizon, noisy, sigma_of, start
from .theorem import Instance

SOURCE = "EC500 notes (seed 003)"


def _cum_sq(runs, inst):
    return numpy.cumsum(gnorm(runs, inst.T) ** 2, axis=1)


# ---- Theorem 3.2 ----------------------------------------------------------------------------------------

@theorem
class EC500_3_2:
    """SGD on convex losses with G-Lipschitz samples: E regret <= D G sqrt(T)

    EC500 Theorem 3.2 (L305-345). L convex, l(., z) G-Lipschitz (||g_t|| <= G a.s.), ||w_1 - w_*|| <= D,
    eta = D/(G sqrt T); in the proof's any-eta form, for every t:

        E sum_{s<=t} (L(w_s) - L_*)  <=  D^2/(2 eta) + eta t G^2/2 (= D G sqrt(T) at t = T)

    With sphere noise on a G_L-Lipschitz L, G = G_L + sigma.

    On |w| (G_L = 1) with sphere noise sigma = 1 (G = 2), D = 3 and eta = 1: 9/2 + 2t.

    >>> p = norm_loss(d=1, G=1.0)
    >>> EC500_3_2.theorem.bound(Instance(p, p.x_star + 3.0, T=4, hyper={"lr": 1.0}, oracle=noisy(1.0)))
    array([ 6.5,  8.5, 10.5, 12.5])
    """
    id, source = "EC500-3.2", f"{SOURCE} Thm 3.2, L305-345"
    algorithm, kind = SGD, "expectation"
    requires, constants, data = {"convex", "lipschitz"}, ("G",), ("x_star", "f_star")
    rule = "eta = D/(G sqrt T) (any eta > 0 in the proof's form); G = G_L + sigma"
    admissible = {"lr": (0.0, None)}

    def G(self, inst):
        return inst.problem.G + sigma_of(inst)           # ||grad L + xi|| <= G_L + sigma (sphere noise)

    def lr(self, inst):
        D = dist(inst.x0, inst.problem.x_star)
        return inst.hyper.get("lr", D / (self.G(inst) * math.sqrt(inst.T)))

    def method(self, inst):
        return SGD(lr=self.lr(inst))

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.cumsum(r.loss[:inst.T] - inst.problem.f_star))

    def bound(self, inst):
        eta, D = self.lr(inst), dist(inst.x0, inst.problem.x_star)
        return D ** 2 / (2 * eta) + eta * horizon(inst) * self.G(inst) ** 2 / 2

    def default(self, seed):
        p = norm_loss(d=5, G=2.0, seed=seed)
        x0 = p.x_star + numpy.random.default_rng(seed).standard_normal(5)
        return Instance(p, x0, T=100, oracle=noisy(1.0), seeds=200, label="G||w - w*|| + <xi, w>, ||xi|| = 1")

    def draw(self, problem, T, u):
        # sphere noise keeps ||g_t|| <= G_L + sigma surely (l(., z) Lipschitz); any eta up to twice the tuned one
        inst = Instance(problem, start(problem, u[0]), T=T, oracle=noisy(2 * u[1]), seeds=MC_SEEDS)
        return Instance(problem, inst.x0, T=T, hyper={"lr": self.lr(inst) * (0.1 + 1.9 * u[2])},
                        oracle=inst.oracle, seeds=MC_SEEDS)


# ---- Theorem 6.1 ----------------------------------------------------------------------------------------

class _Theorem61:
    """The hypotheses of Theorem 6.1 (shared by its parts; not a theorem itself)."""
    source = f"{SOURCE} Thm 6.1, L1009-1071"
    algorithm, kind = SGD, "expectation"
    requires, constants, data = {"smooth"}, ("H",), ("f_star",)
    admissible = {"lr": (0.0, lambda p: 1 / p.H)}

    def method(self, inst):
        return SGD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        return _cum_sq(runs, inst)

    def bound(self, inst):
        eta, B = inst.hyper["lr"], int(inst.hyper.get("B", 1))     # B = 1: Theorem 6.1; B > 1: Theorem 7.2(a)
        return 2 * delta(inst) / eta + inst.problem.H * horizon(inst) * eta * sigma_of(inst) ** 2 / B

    def default(self, seed, T=100, seeds=100, sigma=1.0):
        p = cosine_sum(d=4, seed=seed)
        return Instance(p, numpy.full(4, 0.3), T=T, hyper={"lr": 1.0 / p.H}, oracle=noisy(sigma),
                        seeds=seeds, label="sum of cos, sphere noise, eta = 1/H")

    def draw(self, problem, T, u, seeds=MC_SEEDS):
        kind = "gaussian" if u[3] < 0.5 else "sphere"
        return Instance(problem, start(problem, u[0]), T=T, hyper={"lr": (0.05 + 0.95 * u[1]) / problem.H},
                        oracle=noisy(2 * u[2], kind), seeds=seeds)


@theorem
class EC500_6_1(_Theorem61):
    """SGD on H-smooth losses, constant eta <= 1/H: sum E||grad||^2 <= 2 Delta/eta + H T eta sigma^2

    EC500 Theorem 6.1(a) (L1009-1071). L H-smooth, noise variance sigma^2, 0 < eta <= 1/H. For every t:

        sum_{s<=t} E||grad L(w_s)||^2  <=  2 Delta/eta + H t eta sigma^2

    On w^2 (H = 2) from w_1 = 1 (Delta = 1), eta = 1/2, sigma = 1: 4 + t.

    >>> inst = Instance(quadratic(d=1, mu=2.0, H=2.0, x_star=[0.0]), [1.0], T=3, hyper={"lr": 0.5},
    ...                 oracle=noisy(1.0))
    >>> EC500_6_1.theorem.bound(inst)
    array([5., 6., 7.])
    """
    id, rule = "EC500-6.1", "0 < eta <= 1/H"


@theorem
class EC500_6_1_exact(_Theorem61):
    """Theorem 6.1(a) with exact expectations on quadratics (moment recursion)

    Theorem 6.1(a) on quadratics with additive isotropic noise, where the expectation is computed exactly
    (the moment recursion of seed-notes part 1 §7.3, no sampling):

        sum_{s<=t} E||grad L(w_s)||^2 (exact)  <=  2 Delta/eta + H t eta sigma^2

    Tight: on (H/2) w^2 with eta = 1/H, E sum = H^2 w_1^2 + (t-1) sigma^2 against H^2 w_1^2 + t sigma^2.
    With H = 1, w_1 - w_* = 10, sigma = 1 (Delta = 50):

    >>> inst = EC500_6_1_exact.theorem.tight_instance()
    >>> EC500_6_1_exact.theorem.bound(inst)[:3], EC500_6_1_exact.theorem.measure(None, inst)[:3]
    (array([101., 102., 103.]), array([100., 101., 102.]))
    """
    id = "EC500-6.1/exact"
    rule = "0 < eta <= 1/H; L quadratic with Hessian A, additive isotropic noise"
    data = ("f_star", "A")
    exact, tight_factor = True, 0.99

    def measure(self, runs, inst):
        B = int(inst.hyper.get("B", 1))
        return numpy.cumsum(exact_grad_sq(inst, [inst.hyper["lr"]] * inst.T, B))

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.1, H=4.0, seed=seed), numpy.ones(5), T=100,
                        hyper={"lr": 0.2}, oracle=noisy(1.0, "gaussian"), label="quadratic")

    def tight(self):
        p = quadratic(d=1, mu=1.0, H=1.0, seed=0)
        return Instance(p, p.x_star + 10.0, T=100, hyper={"lr": 1.0}, oracle=noisy(1.0, "gaussian"),
                        label="tight")

    def draw(self, problem, T, u, minibatch=False):
        hyper = {"lr": (0.02 + 0.98 * u[1]) / problem.H, **({"B": 1 + int(8 * u[3])} if minibatch else {})}
        return Instance(problem, start(problem, u[0]), T=T, oracle=noisy(3 * u[2], "gaussian"), hyper=hyper)


class _Tuned61(_Theorem61):
    """Theorem 6.1(b), (c): the step tuned to Delta, sigma, H and T."""
    rule = "eta = min(1/H, sqrt(Delta)/(sigma sqrt(H T)))"
    admissible = {}

    def lr(self, inst):
        p, s = inst.problem, sigma_of(inst)
        cap = math.sqrt(max(delta(inst), 0.0)) / (s * math.sqrt(p.H * inst.T)) if s > 0 else math.inf
        return max(min(1 / p.H, cap), 1e-12 / p.H)

    def method(self, inst):
        return SGD(lr=self.lr(inst))

    def default(self, seed):
        inst = super().default(seed, T=200, seeds=100, sigma=2.0)
        return Instance(inst.problem, inst.x0, T=inst.T, oracle=inst.oracle, seeds=inst.seeds,
                        label="sum of cos, sphere noise, tuned eta")

    def draw(self, problem, T, u):
        inst = super().draw(problem, T, u)
        return Instance(problem, inst.x0, T=T, oracle=inst.oracle, seeds=MC_SEEDS)


@theorem
class EC500_6_1_b(_Tuned61):
    """Theorem 6.1(b): tuned eta, sum E||grad||^2 <= 2 Delta H + 3 sigma sqrt(Delta H T)

    EC500 Theorem 6.1(b). With eta = min(1/H, sqrt(Delta)/(sigma sqrt(H T))), at t = T:

        sum_{t<=T} E||grad L(w_t)||^2  <=  2 Delta H + 3 sigma sqrt(Delta H T)

    With Delta = 1, H = 2, sigma = 1, T = 2: 4 + 3 sqrt(4) = 10.

    >>> inst = Instance(quadratic(d=1, mu=2.0, H=2.0, x_star=[0.0]), [1.0], T=2, oracle=noisy(1.0))
    >>> EC500_6_1_b.theorem.bound(inst)
    array([10.])
    """
    id = "EC500-6.1/b"

    def measure(self, runs, inst):
        return _cum_sq(runs, inst)[:, -1:]

    def bound(self, inst):
        dh, s = delta(inst) * inst.problem.H, sigma_of(inst)
        return numpy.array([2 * dh + 3 * s * math.sqrt(dh * inst.T)])


@theorem
class EC500_6_1_c(_Tuned61):
    """Theorem 6.1(c): tuned eta, E||grad L(w_hat)|| = O(1/sqrt T + sqrt(sigma)/T^(1/4))

    EC500 Theorem 6.1(c). With the step of (b) and w_hat drawn uniformly from the iterates:

        E||grad L(w_hat)||, w_hat uniform on w_1..w_T  <=  sqrt(2 Delta H)/sqrt(T) +
        sqrt(3 sigma sqrt(Delta H))/T^(1/4)

    With Delta = 4, H = 1, sigma = 3, T = 16: sqrt(8)/4 + sqrt(18)/2 = 2 sqrt(2) = 2.828...

    >>> inst = Instance(quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0]), [8 ** 0.5], T=16, oracle=noisy(3.0))
    >>> EC500_6_1_c.theorem.bound(inst)
    array([2.82842712])
    """
    id = "EC500-6.1/c"

    def measure(self, runs, inst):
        return gnorm(runs, inst.T).mean(axis=1, keepdims=True)

    def bound(self, inst):
        dh, s, T = delta(inst) * inst.problem.H, sigma_of(inst), inst.T
        return numpy.array([math.sqrt(2 * dh / T) + math.sqrt(3 * s * math.sqrt(dh)) / T ** 0.25])


THEOREMS = tuple(block.theorem for block in (EC500_3_2, EC500_6_1, EC500_6_1_exact, EC500_6_1_b, EC500_6_1_c))
