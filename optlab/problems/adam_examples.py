"""Counterexamples for adaptive methods: Reddi, Kale and Kumar (2018), and the sign-descent median.

* ``reddi_adam_example(C)``: x in [-1, 1] (projected methods; ``p.project`` clips). Online version
  (Reddi et al., Theorem 1): f_t(x) = C x if t mod 3 = 1, else -x, C > 2. As a finite sum of the three
  terms f = (C - 2) x / 3 with x* = -1, f* = -(C - 2)/3. Adam with beta1 = 0, beta2 = 1/(1 + C^2)
  drifts to +1 on the cyclic order (``p.online_index(t)`` gives the term of step t = 1, 2, ...;
  a :class:`~optlab.problems.declared.LinearTermsProblem` with field ``slopes``).
  Stochastic version (Theorem 3): f = C x w.p. q = (1 + delta)/(C + 1), else -x, so E f = delta x,
  x* = -1, f* = -delta (a weighted finite sum of two terms). The gradient noise does not depend on x:
  sigma^2 = sum_i q_i (g_i - mean)^2 exactly (stored as ``sigma``).
* ``median_example(values)``: f_i(w) = 1/2 (w - z_i)^2 for z in ``values`` (default (0, 0, 3)):
  f = 1/2 (w - mean z)^2 + 1/2 var z, H = mu = 1, w* = mean z, f* = var(z)/2, sigma^2 = var z (exact,
  for every w). Sign descent (Adam with beta1 = beta2 = 0) instead converges to the median of z
  (``extra['median']``), because sign E g != E sign g.

Source: EC500 notes (seed 003) §17.2 (Adam can fail; sign descent); Reddi, Kale, Kumar, "On the
convergence of Adam and beyond" (ICLR 2018) (external); seed-notes part 2 §17 F7.

Example:
    >>> import numpy as np
    >>> p = reddi_adam_example(C=3.0)
    >>> round(p.value(np.array([-1.0])), 12), p.f_star
    (-0.333333333333, -0.3333333333333333)
    >>> [int(p.online_index(t)[0]) for t in (1, 2, 3, 4)]
    [0, 1, 2, 0]
    >>> q = median_example()
    >>> (float(q.x_star[0]), q.f_star, round(q.sigma ** 2, 12), q.extra["median"])
    (1.0, 1.0, 2.0, 0.0)
"""
from __future__ import annotations

import math

import numpy

import optlab.numpy as onp

from .base import FiniteSumProblem, check_number, check_positive
from .declared import LinearTermsProblem
from .device_data import DeviceData


def _linear_terms(slopes):
    """f_i(x) = slopes[i] x in one dimension; a batch of seeds x is (S, 1), its idx (S, B) or (B,)."""
    slopes = numpy.asarray(slopes, dtype=float)
    data = DeviceData(slopes)

    # d = 1, so x . e = sum over the last axis (one number per seed of a batch); see below for why a sum
    def f_i(x, idx):
        return onp.mean(data(x)[1][idx], axis=-1) * onp.sum(x, axis=-1)

    def grad_i(x, idx):
        xp, s = data(x)
        mean_slope = s[idx].mean(axis=-1, keepdims=True)      # (1,), or (S, 1) with one idx row per seed
        return mean_slope * xp.ones_like(x)                    # the same gradient everywhere, x's shape

    def grad_all(x):
        return data(x)[1][:, None].copy()

    return f_i, grad_i, grad_all, data


def reddi_adam_example(C=3.0, stochastic=False, delta=0.1):
    """Reddi et al.'s linear counterexample on [-1, 1] (online cyclic, or stochastic with delta)."""
    C = check_number("C", C)
    if stochastic:
        delta = check_positive("delta", delta)
        if not C > delta:
            raise ValueError(f"C must satisfy C > delta, got C={C}, delta={delta}")
        q = (1 + delta) / (C + 1)
        weights = numpy.array([q, 1 - q])
        slopes = numpy.array([C, -1.0])
        slope = delta
    else:
        if not C > 2:
            raise ValueError(f"C must satisfy C > 2 (so that x* = -1), got C={C}")
        weights = None
        slopes = numpy.array([C, -1.0, -1.0])
        slope = (C - 2) / 3
    f_i, grad_i, grad_all, data = _linear_terms(slopes)
    w = numpy.full(len(slopes), 1 / len(slopes)) if weights is None else weights
    sigma = math.sqrt(float(w @ (slopes - w @ slopes) ** 2))
    # d = 1, so sum(x) = x[0]; written as a sum so that the engine's gradient stays on x's device (the
    # reverse of x[0] under a Python-float cotangent builds its zeros on the host)
    kw = {} if weights is None else dict(weights=weights, f=lambda x: slope * onp.sum(x, axis=-1),
                                         grad=lambda x: data(x)[0].full(x.shape, slope))
    return LinearTermsProblem(
        f_i, slopes,
        f"Reddi et al. Adam example (C={C:g}" + (f", delta={delta:g})" if stochastic else ")"),
        grad_i=grad_i, grad_all=grad_all, hvp_i=lambda x, v, idx: data(x)[0].zeros(x.shape), H=0.0, mu=0.0,
        G=slope, sigma=sigma, rho=0.0, x_star=numpy.array([-1.0]), f_star=-slope,
        assumptions={"convex", "smooth", "lipschitz", "second_order_smooth"},
        domain="[-1, 1] (use p.project)", in_domain=lambda x: bool(numpy.all(numpy.abs(x) <= 1)),
        project=lambda x: x.clip(-1.0, 1.0), x0=numpy.array([1.0]),
        source="Reddi, Kale, Kumar (2018) Thm 1 / Thm 3 (external); seed 003 §17.2",
        extra={"G_max": float(numpy.max(numpy.abs(slopes)))}, batched=True, **kw)


def median_example(values=(0.0, 0.0, 3.0)):
    """1/2 (w - z)^2 with z uniform on ``values``: SGD finds the mean, sign descent the median."""
    z = numpy.asarray(values, dtype=float)
    if z.ndim != 1 or len(z) < 1:
        raise ValueError(f"values must be a non-empty 1-D sequence, got {values!r}")

    data = DeviceData(z)

    # x is (1,) for one iterate, (S, 1) for a batch of seeds; idx (B,), or (S, B) / (B,) for a batch
    def f_i(x, idx):
        r = x - data(x)[1][idx]                                # w - z_i: (B,) or (S, B)
        return 0.5 * onp.mean(r * r, axis=-1)

    def grad_i(x, idx):
        z_ = data(x)[1]
        return x - z_[idx].mean(axis=-1, keepdims=True)        # w - mean of the sampled z_i

    def grad_all(x):
        return (x[0] - data(x)[1])[:, None]

    var = float(z.var())
    return FiniteSumProblem(
        f_i, len(z), 1, f"median example (z = {tuple(float(v) for v in z)})", grad_i=grad_i,
        grad_all=grad_all, hvp_i=lambda x, v, idx: v.copy(), H=1.0, mu=1.0, rho=0.0,
        sigma=math.sqrt(var), pl_mu=1.0, pl_exponent=2.0, x_star=numpy.array([z.mean()]),
        f_star=0.5 * var,
        assumptions={"convex", "strongly_convex", "smooth", "second_order_smooth", "generalized_pl"},
        x0=numpy.array([z.mean()]), source="seed 003 §17.2; seed-notes part 2 §17 F7(a)",
        notes="sign descent converges to the median, not to x*",
        extra={"median": float(numpy.median(z)), "H_max": 1.0}, batched=True)  # every term (w - z_i)^2/2 is 1-smooth
