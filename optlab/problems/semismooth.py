"""A loss that is (c, beta)-semi-smooth with c > 0 and not smooth: the kinked quadratic (slides 004).

Slides 004 (L1071-1093) call f (c, beta)-semi-smooth (f_* = 0) when for all x, y

    f(x) <= f(y) + <grad f(y), x - y> + c ||x - y|| sqrt(f(y)) + beta/2 ||x - y||^2;

c = 0 is beta-smoothness. ``kinked_quadratic(d, a_min, a_max, eps)`` is

    f(x) = sum_i h_i(x_i)^2 / 2,   h_i(t) = a_i (|t| + eps max(|t| - 1, 0)),

with a_i geometric from a_min to a_max. Each h_i is convex, piecewise linear, with slopes a_i and
a_i (1 + eps): f has a kink (the gradient jumps by a_i^2 eps) on every hyperplane |x_i| = 1, where f > 0.

Certified constants (derivation; tests/test_problems_semismooth.py checks each at random pairs):

* **Not smooth** for eps > 0: across |x_i| = 1 the gradient jumps, so f(x) - f(y) - <grad f(y), x - y>
  is about a_i^2 eps ||x - y|| for short steps over the kink, above any beta/2 ||x - y||^2 (c = 0 fails).
* **Semi-smooth** with c = sqrt(2) eps a_max and beta = 2 a_max^2 (1 + eps)^2. Per coordinate (h = h_i,
  d = x_i - y_i, s = h'(y_i)): f_i(x) - f_i(y) - f_i'(y) d = h(y_i) e + (h(x_i) - h(y_i))^2 / 2 with
  e = h(x_i) - h(y_i) - s d >= 0. On one side of 0 the slope of h moves by at most a_i eps, so
  e <= a_i eps |d|; across 0 add at most 2 G_i |x_i| (G_i = a_i (1 + eps)), and h(y_i) 2 G_i |x_i| <=
  2 G_i^2 |x_i| |y_i| <= G_i^2 d^2 / 2. With h(y_i) = sqrt(2 f_i(y)), |h(x_i) - h(y_i)| <= G_i |d|, and
  Cauchy-Schwarz over i (sum |d_i| sqrt(f_i) <= ||d|| sqrt(f)): the bound with (c, beta) above.
* **Error bound** (PL, exponent 2): ||grad f||^2 = sum h_i^2 h_i'^2 >= a_min^2 sum h_i^2 = 2 a_min^2 f,
  so pl_mu = a_min^2 (the slides' delta = 2 a_min^2). Tight along the a_min axis inside |x| <= 1.
* **Strongly convex** with mu = a_min^2: f_i' = h h' has slope h'^2 + h h'' >= a_i^2 between kinks and
  jumps up at them. f_* = 0 at x_* = 0. Not Lipschitz, not smooth: H and G are not claimed.

eps = 0 gives the smooth quadratic sum a_i^2 x_i^2 / 2 (then 'smooth' with H = a_max^2, c = 0).
The gradient at a kink is the one-sided derivative from outside (|t| > 1), at 0 it is 0.

Source: SGD lecture slides (seed 004) L1071-1093 (definition; their example class, over-parameterized
ReLU networks after Allen-Zhu et al. 2019, has no certified constants); the family is optlab's own.

Example:
    >>> import numpy as np
    >>> p = kinked_quadratic(d=2, a_min=0.5, a_max=1.0, eps=0.1)
    >>> round(p.extra["semi_c"] ** 2, 12), round(p.extra["semi_beta"], 12), p.pl_mu
    (0.02, 2.42, 0.25)
    >>> [round(float(p.grad(np.array([0.0, t]))[1]), 9) for t in (1 - 1e-12, 1 + 1e-12)]   # jump a^2 eps = 0.1
    [1.0, 1.1]
"""
from __future__ import annotations

import math

import numpy

import optlab.numpy as onp

from .base import DeviceData, Problem, check_int, check_nonnegative, check_positive


def kinked_quadratic(d=2, a_min=0.5, a_max=1.0, eps=0.1):
    """sum_i h_i(x_i)^2 / 2 with h_i(t) = a_i (|t| + eps (|t| - 1)_+): (sqrt(2) eps a_max, 2 a_max^2 (1 + eps)^2)-
    semi-smooth, PL with pl_mu = a_min^2, not smooth when eps > 0."""
    d = check_int("d", d)
    a_min, a_max = check_positive("a_min", a_min), check_positive("a_max", a_max)
    eps = check_nonnegative("eps", eps)
    if a_min > a_max:
        raise ValueError(f"a_min must satisfy a_min <= a_max, got a_min={a_min} > a_max={a_max}")
    a = numpy.geomspace(a_min, a_max, d) if d > 1 else numpy.array([a_min])
    data = DeviceData(a)

    def h_and_slope(x):
        xp, a_ = data(x)
        t = xp.abs(x)
        outside = t > 1
        return a_ * (t + eps * xp.where(outside, t - 1, 0.0)), a_ * (1 + eps * outside) * xp.sign(x)

    def f(x):
        a_ = data(x)[1]
        t = onp.abs(x)
        h = a_ * (t + eps * onp.maximum(t - 1, 0.0))
        return 0.5 * onp.sum(h * h, axis=-1)

    def grad(x):
        h, slope = h_and_slope(x)
        return h * slope

    smooth = eps == 0
    semi_c, semi_beta = math.sqrt(2) * eps * a_max, 2 * a_max ** 2 * (1 + eps) ** 2
    p = Problem(f, d, f"kinked quadratic (a in [{a_min:g}, {a_max:g}], eps={eps:g})", grad=grad,
                mu=a_min ** 2, H=a_max ** 2 if smooth else None, pl_mu=a_min ** 2, pl_exponent=2.0,
                x_star=numpy.zeros(d), f_star=0.0,
                assumptions={"convex", "strongly_convex", "generalized_pl"} | ({"smooth"} if smooth else set()),
                x0=numpy.full(d, 3.0), batched=True,
                source="seed 004 L1071-1093 (semi-smoothness); optlab's own family",
                notes="kinks on |x_i| = 1 (gradient jump a_i^2 eps); not smooth, not Lipschitz for eps > 0",
                extra={"semi_c": 0.0 if smooth else semi_c, "semi_beta": a_max ** 2 if smooth else semi_beta,
                       "a": a, "eps": eps})
    return p
