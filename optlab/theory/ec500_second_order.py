"""Second-order smoothness, the negative-curvature step and cubic-regularized Newton, EC500 section 25 (seed 003).

L is J-second-order smooth (Def 25.1, L3734: ||hess L(x) - hess L(y)|| <= J ||x - y||, optlab's ``rho``);
lambda(w) = -lambda_min(hess L(w)); Delta = L(w_1) - L_*; cubic Newton is w_{t+1} = w_t + delta_t^* with
delta_t^* the global minimiser of P_t(delta) = <grad L(w_t), delta> + delta^T hess L(w_t) delta / 2
+ J ||delta||^3 / 6 (L3859-3867). One block per theorem.
"""
from __future__ import annotations

import numpy

from ..algorithms import CubicNewton, NegativeCurvature, run
from ..problems import cubic_test, quadratic, strict_saddle
from .block import theorem
from .ec500_normalized import grads, slack
from .measures import iterates, losses, per_run
from .theorem import Instance, run_instance
from .third_derivative import op_norm, third_derivative

SOURCE = "EC500 notes (seed 003)"
SEGMENT_POINTS = 4      # Prop 25.3: points z at which ||grad^3 L(z)||_op is evaluated on each segment


def hessians(problem, W):
    """Symmetrised Hessians (from d Hessian-vector products, as the algorithms assemble them)."""
    out = []
    for w in W:
        A = numpy.asarray(problem.hessian(w), dtype=float)
        out.append((A + A.T) / 2)
    return numpy.array(out)


def _J(inst):
    return float(inst.hyper["J"])


def _draw_J(problem, u):
    """J >= rho (J > 0 for the algorithms): rho (1 + 3u), or in [0.05, 0.2] where rho = 0."""
    return max(problem.rho, 0.05) * (1 + 3 * u)


def _x0(problem, u):
    return numpy.asarray(problem.x0(seed=1 + int(u * 1000)))


# ---- Proposition 25.3: a bounded third derivative makes the Hessian Lipschitz -------------------------

def hessian_lipschitz_ratios(p, W):
    """||hess L(w_{t+1}) - hess L(w_t)||_op / ||w_{t+1} - w_t|| for consecutive rows of W (0 for a null step),
    from the family's Hessians, less a rounding allowance for the difference of two computed matrices."""
    A = hessians(p, W)
    step = numpy.linalg.norm(W[1:] - W[:-1], axis=1)
    diff = numpy.array([numpy.abs(numpy.linalg.eigvalsh(B - C)).max() for B, C in zip(A[1:], A[:-1])])
    size = numpy.array([numpy.linalg.norm(B, 2) + numpy.linalg.norm(C, 2) for B, C in zip(A[1:], A[:-1])])
    return numpy.maximum(diff - slack(size), 0.0) / numpy.where(step > 0, step, numpy.inf)


def segment_jerks(p, W, points=SEGMENT_POINTS):
    """max over z = w_t + s (w_{t+1} - w_t), s = (k + 1/2)/points, of the certified lower bound on
    ||grad^3 L(z)||_op (third derivatives from the engine): one value per consecutive pair of rows of W."""
    s = (numpy.arange(points) + 0.5) / points
    out = []
    for a, b in zip(W[:-1], W[1:]):
        out.append(max(op_norm(third_derivative(p, a + si * (b - a))).lower for si in s))
    return numpy.array(out)


def _ray_start(p, r):
    """r times the bottom eigenvector of the cubic_test family's A: its iterates stay on that ray."""
    return r * numpy.linalg.eigh(p.A)[1][:, 0]


@theorem
class EC500_25_3:
    """a bounded third derivative makes the Hessian Lipschitz

    EC500 Proposition 25.3 (L3766-3778), with Def 25.2's operator norm ||T||_op = max over unit x, y, z of
    |T(x, y, z)|: ||grad^3 L|| <= J everywhere gives ||hess L(x) - hess L(y)||_op <= J ||x - y||. The proof
    only uses the third derivative on the segment [x, y], so it is checked in that local form, at every
    pair of consecutive cubic-Newton iterates:

        ||hess L(w_{t+1}) - hess L(w_t)||_op / ||w_{t+1} - w_t||  <=  max_{z in [w_t, w_{t+1}]} ||grad^3 L(z)||_op

    Equality on the cubic model x^T A x/2 + rho ||x||^3/6 along a ray through 0: there the Hessian moves by
    (rho/2) dr (I + e e^T), of norm rho dr, and ||grad^3 L|| = rho at every x != 0 (rho = 2):

    >>> EC500_25_3.theorem.bound(EC500_25_3.theorem.tight_instance()).round(9)
    array([2., 2., 2.])
    """
    id, source = "EC500-25.3", f"{SOURCE} Prop 25.3, L3766-3778 (Def 25.2, L3756-3764)"
    algorithm, kind = CubicNewton, "every_step"
    requires = {"second_order_smooth"}
    rule = "any x, y (checked at consecutive iterates of cubic Newton with any J > 0)"
    admissible = {"J": (0.0, None)}
    tight_factor = 0.999999
    note = ("Left side from the family's Hessians (its analytic hvp where it has one); right side from the "
            "engine's third derivatives, at 4 points s = 1/8, 3/8, 5/8, 7/8 of the segment. The operator "
            "norm there is the attained max of |grad^3 L(z)(u, u, u)| over unit u (shifted power iteration, "
            "many starts): a certified lower bound, so a pass certifies the inequality at those points (the "
            "sampling of the segment is the one step not certified; it could only cause a false failure). "
            "The certified upper bound (spectral norm of the unfolding) is optlab.theory.third_derivative.op_norm"
            "(...).upper. Quadratics give 0 <= 0; with rho the family's constant, ||grad^3 L|| <= rho is the "
            "hypothesis with J = rho.")

    def method(self, inst):
        return CubicNewton(J=_J(inst))

    def measure(self, runs, inst):
        return per_run(runs, lambda r: hessian_lipschitz_ratios(inst.problem, iterates(r)))

    def bound(self, inst):
        W = iterates(run(self.method(inst), inst.problem, steps=inst.T, x0=inst.x0, progress=False))
        return segment_jerks(inst.problem, W)

    def default(self, seed):
        p = strict_saddle(d=3, k=2)
        x0 = numpy.array([1.0, -0.5, 2.0]) + 0.1 * seed
        return Instance(p, x0, T=5, hyper={"J": p.rho}, label="strict saddle (two cosine coordinates), J = rho")

    def tight(self):
        p = cubic_test(d=3, rho=2.0, lam_min=-1.0, lam_max=1.0, c_norm=0.0, seed=0)
        return Instance(p, _ray_start(p, 3.0), T=3, hyper={"J": 2.0}, label="tight: cubic model along a ray")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=min(T, 2), hyper={"J": _draw_J(problem, u[1])})


# ---- Lemmas 25.4 and 25.5 along cubic-Newton steps -------------------------------------------------

class _Taylor:
    """A Taylor remainder bound checked along cubic-Newton steps (Lemmas 25.4, 25.5; not a theorem itself)."""
    algorithm, kind = CubicNewton, "every_step"
    requires, constants = {"second_order_smooth"}, ("rho",)
    rule = "any x, delta (checked at the steps of cubic Newton with any J >= rho)"
    admissible = {"J": (lambda p: p.rho, None)}
    tight_factor = 0.999999
    note = ("J in the bound is the problem's rho (the tightest constant the family certifies). Equality "
            "holds on optlab's cubic_test family from x = 0, where L is its own cubic model.")

    def method(self, inst):
        return CubicNewton(J=_J(inst))

    def remainder(self, p, W, D, G, AD):
        """The remainder of the Taylor model at each step."""
        raise NotImplementedError

    def measure(self, runs, inst):
        p = inst.problem

        def one(r):
            W = iterates(r)
            D = W[1:] - W[:-1]
            G, A = grads(p, W[:-1]), hessians(p, W[:-1])
            return self.remainder(p, W, D, G, numpy.einsum("tij,tj->ti", A, D))

        return per_run(runs, one)

    def step_lengths(self, inst):
        W = iterates(run(CubicNewton(J=_J(inst)), inst.problem, steps=inst.T, x0=inst.x0, progress=False))
        return numpy.linalg.norm(W[1:] - W[:-1], axis=1)

    def default(self, seed):
        p = strict_saddle(d=3, k=1)
        x0 = numpy.array([1.0, -0.5, 1e-3]) + 0.1 * seed
        return Instance(p, x0, T=20, hyper={"J": p.rho}, label="strict saddle, J = rho")

    def tight(self):
        p = cubic_test(d=3, rho=2.0, lam_min=-1.0, lam_max=1.0, c_norm=1.0, seed=0)
        return Instance(p, numpy.zeros(3), T=1, hyper={"J": 2.0}, label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=min(T, 12), hyper={"J": _draw_J(problem, u[1])})


@theorem
class EC500_25_4(_Taylor):
    """second-order smoothness: Taylor remainder of L

    EC500 Lemma 25.4 (L3782-3790): L(x + delta) <= L(x) + <grad L(x), delta> + delta^T hess L(x) delta / 2
    + J ||delta||^3 / 6, checked at every cubic-Newton step (x = w_t, delta = delta_t^*):

        L(w_{t+1}) - L(w_t) - <grad L(w_t), delta_t> - delta_t^T hess L(w_t) delta_t / 2  <=  J ||delta_t||^3 / 6

    Equality on the cubic model f(x) = x^T A x / 2 + c^T x + rho ||x||^3 / 6 from x = 0: there the step has
    length r = 1.536 and rho = 2, so both sides are r^3/3:

    >>> inst = EC500_25_4.theorem.tight_instance()
    >>> bound = EC500_25_4.theorem.bound(inst)
    >>> bound, bool(numpy.allclose(EC500_25_4.theorem.measure(run_instance(EC500_25_4.theorem, inst), inst), bound))
    (array([1.20864013]), True)
    """
    id, source = "EC500-25.4", f"{SOURCE} Lemma 25.4, L3782-3790"

    def remainder(self, p, W, D, G, AD):
        f = losses(p, W)
        lin, quad = numpy.sum(G * D, axis=1), 0.5 * numpy.sum(D * AD, axis=1)
        return f[1:] - f[:-1] - lin - quad - slack(f[1:], f[:-1], lin, quad)

    def bound(self, inst):
        return inst.problem.rho * self.step_lengths(inst) ** 3 / 6


@theorem
class EC500_25_5(_Taylor):
    """second-order smoothness: Taylor remainder of grad L

    EC500 Lemma 25.5 (L3794-3810), at every cubic-Newton step:

        ||grad L(w_{t+1}) - grad L(w_t) - hess L(w_t) delta_t||  <=  J ||delta_t||^2 / 2

    Equality on the same model from 0, where both sides are r^2 (rho = 2, r = 1.536):

    >>> inst = EC500_25_5.theorem.tight_instance()
    >>> bound = EC500_25_5.theorem.bound(inst)
    >>> bound, bool(numpy.allclose(EC500_25_5.theorem.measure(run_instance(EC500_25_5.theorem, inst), inst), bound))
    (array([2.36018209]), True)
    """
    id, source = "EC500-25.5", f"{SOURCE} Lemma 25.5, L3794-3810"

    def remainder(self, p, W, D, G, AD):
        G1 = grads(p, W[1:])
        err = numpy.linalg.norm(G1 - G - AD, axis=1)
        return err - slack(numpy.linalg.norm(G1, axis=1), numpy.linalg.norm(G, axis=1), numpy.linalg.norm(AD, axis=1))

    def bound(self, inst):
        return inst.problem.rho * self.step_lengths(inst) ** 2 / 2


# ---- Theorem 25.7: the negative-curvature step -----------------------------------------------------

def _nc_lambdas(p, W, J):
    lam = numpy.array([numpy.linalg.eigvalsh(A)[0] for A in hessians(p, W)])
    return numpy.where(lam < 0, 2 * (-lam) ** 3 / (3 * J ** 2), 0.0), lam < 0


@theorem
class EC500_25_7:
    """negative-curvature step: L decreases by at least 2 lambda^3 / (3 J^2)

    EC500 Theorem 25.7 (L3847-3855): if v^T hess L(w) v = -lambda < 0 for the unit bottom eigenvector v,
    the step delta = -(2 lambda / J) v sign(<v, grad L(w)>) gives L(w + delta) <= L(w) - 2 lambda^3 / (3 J^2):

        2 lambda_t^3 / (3 J^2) on steps with lambda_t = -lambda_min(hess L(w_t)) > 0 (else 0)  <=
        L(w_t) - L(w_{t+1}) (else 0)

    Equality on the cubic model with c = 0 from its strict saddle 0: with lambda = 1 and J = rho = 2 the
    decrease is 2/12:

    >>> EC500_25_7.theorem.bound(EC500_25_7.theorem.tight_instance())
    array([0.16666667])
    """
    id, source = "EC500-25.7", f"{SOURCE} Thm 25.7, L3847-3855"
    algorithm, kind = NegativeCurvature, "every_step"
    requires, constants = {"second_order_smooth"}, ("rho",)
    rule = "J >= rho; delta = -(2 lambda/J) v sign(<v, grad L(w)>)"
    admissible = {"J": (lambda p: p.rho, None), "lr": (0.0, None)}
    tight_factor = 0.999999
    note = ("Steps without negative curvature are gradient steps, outside the theorem (both sides 0). The "
            "bound is attained on the cubic model x^T A x/2 + rho ||x||^3/6 from its saddle x = 0, whose "
            "minimum value is exactly 2 lambda_min^3 / (3 rho^2).")

    def method(self, inst):
        return NegativeCurvature(J=_J(inst), lr=inst.hyper.get("lr", 0.1))

    def measure(self, runs, inst):
        return per_run(runs, lambda r: _nc_lambdas(inst.problem, iterates(r)[:-1], _J(inst))[0])

    def bound(self, inst):
        p = inst.problem
        W = iterates(run(self.method(inst), p, steps=inst.T, x0=inst.x0, progress=False))
        f = losses(p, W)
        _, nc = _nc_lambdas(p, W[:-1], _J(inst))
        return numpy.where(nc, f[:-1] - f[1:] + slack(f[:-1], f[1:]), 0.0)   # the decrease, on NC steps

    def default(self, seed):
        return Instance(cubic_test(d=4, rho=2.0, lam_min=-1.0, seed=seed), numpy.zeros(4), T=10,
                        hyper={"J": 2.0, "lr": 0.1}, label="cubic test, from its saddle region")

    def tight(self):
        return Instance(cubic_test(d=3, rho=2.0, lam_min=-1.0, c_norm=0.0, seed=0), numpy.zeros(3), T=1,
                        hyper={"J": 2.0, "lr": 0.1}, label="tight")

    def draw(self, problem, T, u):
        return Instance(problem, _x0(problem, u[0]), T=min(T, 12),
                        hyper={"J": _draw_J(problem, u[1]), "lr": 0.02 + 0.2 * u[2]})


# ---- Theorem 25.8: cubic Newton finds an approximate second-order stationary point ------------------

class _Theorem258(_Taylor):
    """Theorem 25.8 (L3879-3937), checked for every horizon T' <= T (a run of T steps contains the runs of
    T' steps) through the existence statement's ratio min_{t<=T'} max(||grad L(w_{t+1})|| / eps_g(T'),
    lambda_+(w_{t+1}) / eps_lambda(T')) <= 1 (not a theorem itself)."""
    source, data = f"{SOURCE} Thm 25.8, L3879-3937", ("f_star",)
    rule, tight, tight_factor, note = "J >= rho, exact cubic steps", None, None, ""

    def eps(self, inst, Tp):
        """(eps_g, eps_lambda) at horizon Tp."""
        raise NotImplementedError

    def measure(self, runs, inst):
        p = inst.problem

        def one(r):
            W = iterates(r)[1:]                                   # w_2 .. w_{T+1}
            g = numpy.linalg.norm(grads(p, W), axis=1)
            lam = numpy.maximum(-numpy.array([numpy.linalg.eigvalsh(A)[0] for A in hessians(p, W)]), 0.0)
            out = []
            for Tp in range(1, inst.T + 1):
                eg, el = self.eps(inst, Tp)
                out.append(numpy.min(numpy.maximum(g[:Tp] / eg, lam[:Tp] / el)))
            return out

        return per_run(runs, one)

    def bound(self, inst):
        return numpy.ones(inst.T)


def _delta_example(delta):
    """(1/2) w^2 from sqrt(2 delta): L(w_1) - L_* = delta (J = 1), for the examples of eps_g, eps_lambda."""
    return Instance(quadratic(d=1, mu=1.0, H=1.0, x_star=[0.0]), [(2 * delta) ** 0.5], T=1, hyper={"J": 1.0})


@theorem
class EC500_25_8_printed(_Theorem258):
    """cubic-regularized Newton reaches an approximate second-order stationary point

    EC500 Theorem 25.8 as printed: some t <= T has ||grad L(w_{t+1})|| <= eps_g and lambda(w_{t+1}) <=
    eps_lambda, i.e.

        min_(t<=T) max(||grad L(w_(t+1))|| / eps_g, lambda_+(w_(t+1)) / eps_lambda), eps_g = 6^(2/3) Delta^(2/3)
        J^(4/3) / T^(2/3), eps_lambda = 2 6^(1/3) Delta^(1/3) J^(2/3) / T^(1/3)  <=  1

    Dimensionally wrong and false on a real run (erratum E16). With Delta = 4/3, J = T = 1:
    eps_g = 8^(2/3) = 4 and eps_lambda = 2 * 8^(1/3) = 4:

    >>> [round(e, 9) for e in EC500_25_8_printed().eps(_delta_example(4 / 3), 1)]
    [4.0, 4.0]
    """
    id, statement, draw = "EC500-25.8/printed", "printed", None
    note = ("E16. (1) Units: under L -> a L(./b) the gradient scales as a/b and J as a/b^3, but the printed "
            "gradient bound as a^2/b^4. (2) The proof's case ||delta*|| > sqrt(eps)/J ends with P_t(delta*) < "
            "+eps^(3/2)/(6 J^2), which is no decrease (sqrt(eps) r^2/2 - J r^3/3 is positive at r = "
            "sqrt(eps)/J). (3) Case 2 writes 2 eps^(3/2)/(3J) for 2 eps^(3/2)/(3 J^2). (4) ||grad L(w_{t+1})|| "
            "<= J r^2 with r <= sqrt(eps)/J gives eps/J, not eps. Corrected proof: from (11), P_t(delta*) = "
            "-delta*^T A delta*/2 - J r^3/3, and the global minimiser satisfies A + (J r/2) I >= 0, so "
            "delta*^T A delta* >= -J r^3/2 and (i) L(w_{t+1}) <= L(w_t) + P_t(delta*) <= L(w_t) - J r^3/12; "
            "(ii) ||grad L(w_{t+1})|| <= J r^2/2 + J r^2/2 = J r^2 (Lemma 25.5 and (11)); (iii) hess L(w_{t+1}) "
            ">= hess L(w_t) - J r I >= -(3/2) J r I. Summing (i), some t <= T has r_t^3 <= 12 Delta/(J T).")

    def eps(self, inst, Tp):
        D, J = float(inst.problem.f(inst.x0)) - inst.problem.f_star, _J(inst)
        return (6 ** (2 / 3) * D ** (2 / 3) * J ** (4 / 3) / Tp ** (2 / 3),
                2 * 6 ** (1 / 3) * D ** (1 / 3) * J ** (2 / 3) / Tp ** (1 / 3))

    def counterexample(self):
        p = strict_saddle(d=3, k=1, a=1.0, b=10.0)                 # J = a/b^3 = 1e-3
        return Instance(p, numpy.asarray(p.x0()), T=5, hyper={"J": p.rho},
                        label="strict saddle a = 1, b = 10 (J = 1e-3), from its default start")


@theorem
class EC500_25_8(_Theorem258):
    """cubic-regularized Newton reaches an approximate second-order stationary point

    EC500 Theorem 25.8, corrected (derived in the note of EC500-25.8/printed): some t <= T has
    ||grad L(w_{t+1})|| <= J^(1/3) (12 Delta/T)^(2/3) and lambda(w_{t+1}) <= (3/2) J^(2/3) (12 Delta/T)^(1/3):

        min_(t<=T) max(||grad L(w_(t+1))|| / eps_g, lambda_+(w_(t+1)) / eps_lambda), eps_g = J^(1/3) (12 Delta /
        T)^(2/3), eps_lambda = (3/2) J^(2/3) (12 Delta / T)^(1/3)  <=  1

    With Delta = 2/3, J = T = 1: eps_g = 8^(2/3) = 4 and eps_lambda = (3/2) 8^(1/3) = 3:

    >>> [round(e, 9) for e in EC500_25_8().eps(_delta_example(2 / 3), 1)]
    [4.0, 3.0]
    """
    id, statement = "EC500-25.8", "corrected"
    note = ("Derived in the note of EC500-25.8/printed (the catalogue's corrected theorem, re-derived): with "
            "r_t = ||delta_t*||, L(w_{t+1}) <= L(w_t) - J r_t^3/12, ||grad L(w_{t+1})|| <= J r_t^2 and "
            "lambda(w_{t+1}) <= (3/2) J r_t, hence some t <= T has r_t <= (12 Delta/(J T))^(1/3). Equivalently "
            "T >= 12 Delta sqrt(J)/eps^(3/2) steps give an (eps, (3/2) sqrt(J eps)) second-order stationary "
            "point. The ratio is invariant under L -> a L(./b), as it must be.")

    def eps(self, inst, Tp):
        D, J = float(inst.problem.f(inst.x0)) - inst.problem.f_star, _J(inst)
        return J ** (1 / 3) * (12 * D / Tp) ** (2 / 3), 1.5 * J ** (2 / 3) * (12 * D / Tp) ** (1 / 3)


THEOREMS = tuple(block.theorem for block in (EC500_25_3, EC500_25_4, EC500_25_5, EC500_25_7, EC500_25_8_printed,
                                             EC500_25_8))
