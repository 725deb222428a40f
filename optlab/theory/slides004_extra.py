"""Two qualitative claims of the SGD lecture slides (seed 004), made quantitative so that runs can check them.

* **004-D1** (L386-404): SGD with a fixed step gamma on a finite sum cannot stay at a point x unless every
  component gradient vanishes there. The slides argue by contradiction; the quantity behind the argument
  is the expected squared move of one step from x, an exact finite average over the index i:

      E_i ||x_{k+1} - x_k||^2 = gamma^2 sum_i w_i ||grad f_i(x_k)||^2 >= gamma^2 (min_i w_i) max_i ||grad f_i(x_k)||^2,

  so a zero expected move forces grad f_i(x_k) = 0 for every i (w_i = 1/N without weights).
* **004-D3** (L1028-1040): under the error bound delta (f(x) - f_*) <= ||grad f(x)||^2 every stationary
  point is a global minimiser. Written as the inequality that proves it, f(x) - f_* <= ||grad f(x)||^2 /
  delta, checked along gradient-method runs, which head for stationary points.

* **004-D5/semismooth** (L1071-1139): D5 (corrected factor 1 - delta gamma (1 - beta gamma)) checked with
  c > 0, on a family that is (c, beta)-semi-smooth and not smooth (``kinked_quadratic``), with (c, beta)
  read from the family; **004-D5/semismooth/printed** is the printed factor 1 - c gamma (1 - beta gamma)
  there, which fails where c > delta and the run contracts slowly.

The ids follow slides004's labels (the seed notes' D-numbering).
"""
from __future__ import annotations

import numpy

from ..algorithms import GD, SGD
from ..problems import quadratic
from ..problems.custom import wrap_finite_sum
from ..problems.semismooth import kinked_quadratic
from .block import theorem
from .ec500_normalized import grad_norms, slack
from .measures import iterates, losses, per_run
from .slides004 import SOURCE, _delta, _isotropic, _x0
from .theorem import Instance


def _weights(p):
    return numpy.full(p.n, 1.0 / p.n) if p.weights is None else numpy.asarray(p.weights, dtype=float)


def component_grad_sq(p, W):
    """(T + 1) x n array: ||grad f_i(x_k)||^2 for every iterate (rows) and component (columns)."""
    return numpy.array([numpy.sum(numpy.asarray(p.grad_all(w), dtype=float) ** 2, axis=1) for w in W])


def expected_sq_move(p, W, lr):
    """E_i ||x_{k+1} - x_k||^2 of one fixed-step SGD step from each row of W, by enumerating the index i."""
    return lr ** 2 * component_grad_sq(p, W) @ _weights(p)


def one_active_term(d=2):
    """f = (f_1 + f_2)/2 with f_1 = 0 and f_2 = ||x||^2/2: only one component gradient is ever non-zero, so
    max_i ||grad f_i||^2 = sum_i ||grad f_i||^2 and D1's bound is attained at every point."""
    import optlab.numpy as onp

    a = numpy.array([0.0, 1.0])
    return wrap_finite_sum(lambda x, idx: onp.mean(onp.asarray(a)[idx]) * 0.5 * onp.sum(x * x), n=2, d=d,
                           name="one active term", H=0.5, convex=True)


@theorem
class Slides004_D1:
    """fixed-step SGD moves unless every component gradient vanishes

    Slides 004, L386-404: on a finite sum f = sum_i w_i f_i, one SGD step of fixed size gamma from x_k with
    index i drawn from the weights moves, in mean square, at least gamma^2 (min_i w_i) times the largest
    squared component gradient. Checked at every iterate x_0 .. x_T of one run (k = 0 .. T):

        max_i ||grad f_i(x_k)||^2  <=  E_i ||x_{k+1} - x_k||^2 / (gamma^2 min_i w_i)

    Attained when at most one component gradient is non-zero. On f_1 = 0, f_2 = ||x||^2/2 (w = (1/2, 1/2))
    from x = (1, 1) with gamma = 0.5: ||grad f_2||^2 = 2 and E||move||^2 = 0.25 * 2/2 = 0.25, so the bound
    is 0.25/(0.25 * 0.5) = 2; after the step x = (0.75, 0.75) w.p. 1/2 or stays, and one sample path gives
    the second point:

    >>> Slides004_D1.theorem.bound(Instance(one_active_term(), numpy.ones(2), T=1, hyper={"lr": 0.5})).round(12)[:1]
    array([2.])
    """
    id, source = "004-D1", f"{SOURCE} L386-404"
    algorithm, kind = SGD, "every_step"
    requires, constants, data = {"finite_sum"}, (), ()
    rule, admissible = "any fixed step gamma > 0", {"lr": (0.0, None)}
    tight_factor = 0.999999
    note = ("The slides' contradiction argument made quantitative: the expected squared move of a step is an exact "
            "average over the N indices (no sampling), so a point where SGD 'stays' in mean square has every "
            "grad f_i = 0. Measured and bound are compared at the T + 1 iterates of one sample path.")

    def method(self, inst):
        return SGD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        p = inst.problem
        return per_run(runs, lambda r: component_grad_sq(p, iterates(r)).max(axis=1))

    def bound(self, inst):
        from ..algorithms import run

        p, lr = inst.problem, inst.hyper["lr"]
        W = iterates(run(SGD(lr=lr), p, steps=inst.T, x0=inst.x0, progress=False, **dict(inst.oracle)))
        return expected_sq_move(p, W, lr) / (lr ** 2 * _weights(p).min()) * (1 + 64 * numpy.finfo(float).eps)

    def default(self, seed):
        from ..problems import least_squares

        return Instance(least_squares(n=12, d=3, seed=seed), numpy.ones(3), T=30, hyper={"lr": 0.05},
                        label="least squares, 12 terms, fixed step 0.05")

    def tight(self):
        return Instance(one_active_term(), numpy.ones(2), T=10, hyper={"lr": 0.5}, label="tight")

    def draw(self, problem, T, u):
        x0 = _x0(problem, u[0])
        scale = problem.H or 1.0
        if not problem.H and getattr(problem, "L0", None) is not None:     # (L0, L1)-smooth: the local scale
            scale = problem.L0 + problem.L1 * float(numpy.linalg.norm(problem.grad(x0)))
        return Instance(problem, x0, T=T, hyper={"lr": (0.05 + 0.9 * u[1]) / scale})


@theorem
class Slides004_D3:
    """error bound: every stationary point is a global minimiser

    Slides 004, L1028-1040: if delta (f(x) - f_*) <= ||grad f(x)||^2 everywhere (delta = 2 mu_PL), a point
    with grad f(x) = 0 has f(x) = f_*. Checked at the iterates x_0 .. x_T of a gradient-method run:

        f(x_k) - f_*  <=  ||grad f(x_k)||^2 / delta

    Equality on isotropic quadratics. On (1)||x - x_*||^2 in R^3 (delta = 4) from x_* + (1, 1, 1): the gap is
    3 and ||grad f||^2 = 12, so the first bound is 3; a step of 0.1 scales x - x_* by 0.8 (gap 3 * 0.64):

    >>> Slides004_D3.theorem.bound(_isotropic(1, lr=0.1)).round(12)
    array([3.  , 1.92])
    """
    id, source = "004-D3", f"{SOURCE} L1028-1040"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"smooth", "generalized_pl"}, ("pl_mu", "pl_exponent"), ("f_star",)
    rule, admissible = "any point (visited by the gradient method with gamma < 2/beta)", {"lr": (0.0, None)}
    tight_factor = 0.999999
    note = ("The slides' one-line proof is the inequality itself: at a stationary point the right side is 0. The "
            "runs only choose the points; they matter because GD stops near stationary points, where the claim "
            "has content (a function without the error bound, e.g. a sum of cosines, has stationary points above "
            "f_*).")

    def method(self, inst):
        return GD(lr=inst.hyper["lr"])

    def measure(self, runs, inst):
        p = inst.problem
        return per_run(runs, lambda r: losses(p, iterates(r)) - p.f_star)

    def bound(self, inst):
        from ..algorithms import run

        p = inst.problem
        W = iterates(run(GD(lr=inst.hyper["lr"]), p, steps=inst.T, x0=inst.x0, progress=False,
                         **dict(inst.oracle)))
        return grad_norms(p, W) ** 2 / _delta(p) + slack(losses(p, W), p.f_star)

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=40, hyper={"lr": 0.2},
                        label="quadratic, gamma = 0.8/beta")

    def tight(self):
        return _isotropic(5, lr=0.1)

    def draw(self, problem, T, u):
        _delta(problem)
        return Instance(problem, _x0(problem, u[0]), T=T, hyper={"lr": (0.05 + 1.9 * u[1]) / problem.H})


def semi_smoothness(p):
    """(c, beta) of a (c, beta)-semi-smooth family (slides 004 L1071-1093): the family's certified
    ``extra["semi_c"]``, ``extra["semi_beta"]``; a beta-smooth family is (0, H)-semi-smooth."""
    if "semi_c" in p.extra and "semi_beta" in p.extra:
        return float(p.extra["semi_c"]), float(p.extra["semi_beta"])
    if "smooth" in p.assumptions:
        return 0.0, float(p.H)
    raise ValueError(f"004-D5/semismooth needs a (c, beta)-semi-smooth problem: '{p.name}' is not smooth and "
                     f"states no extra['semi_c'], extra['semi_beta'] (certify them, or use a smooth family)")


def _lr_range(p):
    """gamma in [2 c / (sqrt(delta) beta), 1/beta): the slides' c <= sqrt(delta) gamma beta / 2 and gamma < 1/beta."""
    c, beta = semi_smoothness(p)
    return 2 * c / (_delta(p) ** 0.5 * beta), 1 / beta


@theorem
class Slides004_D5_semismooth:
    """semi-smooth + error bound, with c > 0: the gradient method converges linearly

    Slides 004, L1071-1139, corrected factor, on a (c, beta)-semi-smooth f with the error bound (delta =
    2 mu_PL), c <= sqrt(delta) gamma beta / 2 and gamma < 1/beta, with (c, beta) the family's certified
    constants (c > 0 on a non-smooth family):

        f(x_{k+1}) - f_*  <=  (1 - delta gamma (1 - beta gamma)) (f(x_k) - f_*)

    On the kinked quadratic with a = (0.5, 1), eps = 0.1 (c = 0.1 sqrt(2), beta = 2.42, delta = 1/2) from
    (3, 3) with gamma = 0.3, f(x_0) = (0.25 * 3.2^2 + 3.2^2)/2 = 6.4, and the factor is 1 - 0.15 * 0.274:

    >>> Slides004_D5_semismooth.theorem.bound(Slides004_D5_semismooth.theorem.default(0)).round(6)[:1]
    array([6.13696])
    """
    id, source, statement = "004-D5/semismooth", f"{SOURCE} L1071-1139", "corrected"
    algorithm, kind = GD, "every_step"
    requires, constants, data = {"generalized_pl"}, ("pl_mu", "pl_exponent"), ("f_star",)
    rule = "gamma in [2 c/(sqrt(delta) beta), 1/beta) (c <= sqrt(delta) gamma beta/2), (c, beta) of the family"
    admissible = {"lr": (lambda p: _lr_range(p)[0], lambda p: _lr_range(p)[1])}
    note = ("The chain of L1107-1137 with c > 0: the c-term c gamma ||grad f|| sqrt(f) is at most (c gamma / "
            "sqrt(delta)) ||grad f||^2 by the error bound, and c <= sqrt(delta) gamma beta / 2 folds it into the "
            "beta-term, leaving f(x_{k+1}) <= f(x_k) - gamma (1 - beta gamma) ||grad f(x_k)||^2. Checked on "
            "kinked_quadratic (optlab.problems.semismooth), whose kinks make c = 0 impossible; GD's iterates "
            "cross them. No drawn instances: it is checked on its default and in tests/test_problems_semismooth.py.")

    def method(self, inst):
        semi_smoothness(inst.problem)
        return GD(lr=inst.hyper["lr"])

    def factor(self, inst):
        p, g = inst.problem, inst.hyper["lr"]
        return 1 - _delta(p) * g * (1 - semi_smoothness(p)[1] * g)

    def measure(self, runs, inst):
        p = inst.problem
        return per_run(runs, lambda r: losses(p, iterates(r))[1:] - p.f_star)

    def bound(self, inst):
        from ..algorithms import run

        p = inst.problem
        f = losses(p, iterates(run(self.method(inst), p, steps=inst.T, x0=inst.x0, progress=False)))
        return self.factor(inst) * (f[:-1] - p.f_star) + slack(f[1:], p.f_star)

    def default(self, seed):
        p = kinked_quadratic(d=2, a_min=0.5, a_max=1.0, eps=0.1)
        return Instance(p, numpy.full(2, 3.0) + 0.1 * seed, T=40, hyper={"lr": 0.3},
                        label="kinked quadratic a = (0.5, 1), eps = 0.1 (c = 0.14), gamma = 0.3")


@theorem
class Slides004_D5_semismooth_printed(Slides004_D5_semismooth):
    """semi-smooth + error bound, with c > 0: the gradient method converges linearly

    Slides 004, L1094-1139, as printed, with c the family's certified semi-smoothness constant:

        f(x_{k+1}) - f_*  <=  (1 - c gamma (1 - beta gamma)) (f(x_k) - f_*)

    On the example of 004-D5/semismooth the printed factor is 1 - 0.1 sqrt(2) * 0.3 * 0.274 (c < delta
    there, so the printed bound is the weaker one and holds):

    >>> Slides004_D5_semismooth_printed.theorem.bound(Slides004_D5_semismooth.theorem.default(0)).round(6)[:1]
    array([6.325601])
    """
    id, statement = "004-D5/semismooth/printed", "printed"
    note = ("The printed factor has c where the chain's last step (the error bound ||grad f||^2 >= delta f) gives "
            "delta; it overstates the rate whenever c > delta, which the hypothesis c <= sqrt(delta) gamma beta/2 "
            "allows when delta < 1/4. Counterexample: kinked_quadratic with a = (0.02, 1), eps = 0.005, so "
            "c = 0.0071 > delta = 0.0008, gamma = 0.3 (admissible range [0.2475, 0.495)). Once the fast coordinate "
            "has converged, GD contracts f by (1 - gamma a_min^2)^2 = 0.99976 per step, above the printed "
            "1 - c gamma (1 - beta gamma) = 0.99916 (the corrected factor is 0.99991).")

    def factor(self, inst):
        p, g = inst.problem, inst.hyper["lr"]
        c, beta = semi_smoothness(p)
        return 1 - c * g * (1 - beta * g)

    def counterexample(self):
        p = kinked_quadratic(d=2, a_min=0.02, a_max=1.0, eps=0.005)
        return Instance(p, numpy.full(2, 3.0), T=40, hyper={"lr": 0.3},
                        label="kinked quadratic a = (0.02, 1), eps = 0.005 (c = 0.0071 > delta = 0.0008), gamma = 0.3")


THEOREMS = (Slides004_D1.theorem, Slides004_D3.theorem, Slides004_D5_semismooth_printed.theorem,
            Slides004_D5_semismooth.theorem)
