"""Rare features: a linear loss on a box whose examples are one-hot, with Zipf-distributed features.

EC500 (seed 003) section 16 motivates per-coordinate learning rates with bag-of-words features, where
most words are rare (L2267-2327), and bounds diagonal AdaGrad on the example "g_t is 1-hot, its i-th
coordinate is +-1 with probability proportional to 1/i^2" (L2387-2397, adapted from Duchi et al.).
``zipf_one_hot(d, s, D, bias)`` is that example as a problem: n = 2d terms, term (i, +-) is the linear
loss +-w[i] and is drawn with probability P(i) (1 +- bias)/2, where P(i) = i^(-s)/Z (Zipf's law with
exponent s; s = 2 is the notes' example). So each sampled gradient is the one-hot vector +-e_i, and

    L(w) = bias sum_i P(i) w[i]  on the box [-D, D]^d,   w_* = -D (every coordinate), L_* = -bias D.

Constants (exact): convex, H = 0 (smooth), G = bias ||P|| (the gradient of L), per-term gradients of norm
1, and E||g - grad L||^2 = 1 - bias^2 ||P||^2 = sigma^2 at every w. ``p.project`` clips to the box
(a constrained family: pair it with projected methods, e.g. ``AdaGrad(D_inf=D)``).

Example:
    >>> import numpy as np
    >>> p = zipf_one_hot(d=3, s=2.0, D=1.0, bias=0.5)
    >>> np.round(p.extra["P"], 4)                         # 1, 1/4, 1/9 over their sum 49/36
    array([0.7347, 0.1837, 0.0816])
    >>> round(float(p.value(p.x_star)), 12), p.f_star
    (-0.5, -0.5)
    >>> p.grad_i(np.zeros(3), np.array([4]))               # term 4 = (coordinate 2, sign +)
    array([0., 0., 1.])
"""
from __future__ import annotations

import math

import numpy

import optlab.numpy as onp

from ._linalg import margins
from .base import FiniteSumProblem, check_int, check_nonnegative, check_positive
from .device_data import DeviceData


def zipf_one_hot(d, s=2.0, D=1.0, bias=0.2):
    """One-hot gradients +-e_i with Zipf(s) feature frequencies, a linear loss on [-D, D]^d."""
    d = check_int("d", d)
    s = check_nonnegative("s", s)
    D = check_positive("D", D)
    bias = check_positive("bias", bias)
    if bias > 1:
        raise ValueError(f"bias must lie in (0, 1] (the mean sign of a feature's gradient), got bias={bias!r}")
    P = numpy.arange(1, d + 1, dtype=float) ** (-s)
    P /= P.sum()
    coord = numpy.repeat(numpy.arange(d), 2)                      # term 2i: (i, +), term 2i+1: (i, -)
    sign = numpy.tile([1.0, -1.0], d)
    weights = P[coord] * numpy.where(sign > 0, (1 + bias) / 2, (1 - bias) / 2)
    A = numpy.zeros((2 * d, d))
    A[numpy.arange(2 * d), coord] = sign                          # row k: the gradient of term k
    data = DeviceData(A)
    slope = bias * P                                              # grad L = sum_k weights_k A_k
    slope_data = DeviceData(slope)

    # a linear loss: its gradients do not depend on x, but they take x's shape (one row per seed of a
    # batch (S, d)); idx is (B,) for one iterate, (S, B) per seed or (B,) shared for a batch
    def f_i(x, idx):
        return onp.mean(margins(data(x)[1][idx], x), axis=-1)

    def grad_i(x, idx):
        xp, A_ = data(x)
        return A_[idx].mean(axis=-2) * xp.ones_like(x)

    def grad_all(x):
        return data(x)[1].copy()

    def f(x):
        return onp.sum(slope_data(x)[1] * x, axis=-1)

    def grad(x):
        xp, slope_ = slope_data(x)
        return slope_ * xp.ones_like(x)

    G = float(numpy.linalg.norm(slope))
    p = FiniteSumProblem(
        f_i, 2 * d, d, f"Zipf one-hot features (d={d}, s={s:g}, D={D:g}, bias={bias:g})", grad_i=grad_i,
        grad_all=grad_all, hvp_i=lambda x, v, idx: v * 0, weights=weights, f=f,
        grad=grad, H=0.0, mu=0.0, G=G, sigma=math.sqrt(1 - G ** 2),
        rho=0.0, x_star=numpy.full(d, -D), f_star=-bias * D,
        assumptions={"convex", "smooth", "lipschitz", "second_order_smooth", "finite_sum"},
        domain=f"[-{D:g}, {D:g}]^d (use p.project)", in_domain=lambda x: bool(numpy.all(numpy.abs(x) <= D)),
        project=lambda x: x.clip(-D, D), x0=numpy.zeros(d),
        source="seed 003 sec 16, L2267-2327 and L2387-2397 (one-hot 1/i^2 example)",
        extra={"P": P, "s": s, "D_inf": D, "G_max": 1.0}, batched=True)
    return p
