"""Heavy-tailed gradient noise with a bounded kappa-th moment: the noise of seed 002's open problem (eq. 20, L372-378).

The slides' analysis of IAN-SGD needs noise bounded almost surely (eq. 18); their open problem asks what normalized
methods achieve under the weaker expected bound E ||grad f_xi(w) - grad F(w)||^kappa <= tau_2^kappa, kappa in (1, 2]
(eq. 20), which allows infinite variance when kappa < 2. ``HeavyTailed(kappa, tail)`` is a noise law meeting that
bound with equality, for use as the oracle's additive noise: ``run(method, problem, steps, noise=HeavyTailed(1.5),
sigma=tau_2, ...)`` (see :class:`~optlab.problems.Oracle`).

**The law.** xi = sigma R U, with U uniform on the unit sphere of R^d and, independent of U, a radius R with a Pareto
tail of index ``tail`` > kappa:

    R = s V^(-1/tail),  V uniform on (0, 1),  s = ((tail - kappa)/tail)^(1/kappa),  P(R > r) = (r/s)^-tail  (r >= s),

so E R^p = s^p tail/(tail - p) for p < tail and infinity for p >= tail. The choice of s makes E R^kappa = 1, hence

* E ||xi||^kappa = sigma^kappa exactly: eq. (20) with tau_2 = sigma, attained;
* E ||xi||^p = infinity for every p >= tail; ``tail`` <= 2 gives infinite variance (the default, tail = (kappa + 2)/2
  for kappa < 2, puts the tail index halfway between kappa and 2);
* E xi = 0 (U and -U are equally likely, independent of R, and E R < infinity since tail > kappa > 1): stochastic
  gradients stay unbiased.

With a minibatch of B draws the oracle averages them (the mean keeps E = 0; its kappa-th moment is no longer
sigma^kappa exactly).

**Random numbers.** One draw uses d + 1 standard normals z from the oracle's stream: U = z[:d]/||z[:d]||, and
V = Phi(z[d]) (the normal distribution function, which makes V uniform), with log V = log Phi(z[d]) computed by
``scipy.special.log_ndtr`` so that the far tail (V near 0, R large) keeps full precision. Drawing only normals keeps
each seed's stream a plain sequence, so a batch of seeds draws a block of samples at once and matches the single
oracle number for number (:mod:`~optlab.problems.batch_oracle`).

Example:
    >>> import numpy as np
    >>> law = HeavyTailed(kappa=1.5)
    >>> law.tail, round(7 * law.scale ** 1.5, 12)           # s^kappa = (tail - kappa)/tail = 1/7
    (1.75, 1.0)
    >>> round(law.moment(1.5), 12), law.moment(2.0)            # E R^kappa = 1; infinite variance
    (1.0, inf)
    >>> xi = law.shape(np.random.default_rng(0).standard_normal((4, 3 + 1)), sigma=2.0)
    >>> xi.shape
    (4, 3)
"""
from __future__ import annotations

import dataclasses
import math

import numpy

from .base import check_number


@dataclasses.dataclass(frozen=True)
class HeavyTailed:
    """Additive noise sigma R U with E ||xi||^kappa = sigma^kappa and a Pareto tail of index ``tail`` (> kappa).

    ``kappa`` in (1, 2]: the moment that is bounded (eq. 20). ``tail``: moments of order >= tail are infinite;
    default (kappa + 2)/2 for kappa < 2 (infinite variance) and 3 for kappa = 2 (finite variance, infinite third
    moment).
    """
    kappa: float
    tail: float = None

    def __post_init__(self):
        kappa = check_number("kappa", self.kappa)
        if not 1 < kappa <= 2:
            raise ValueError(f"kappa must satisfy 1 < kappa <= 2 (the moment bounded by eq. 20), got kappa={kappa!r}")
        tail = (kappa + 2) / 2 if self.tail is None and kappa < 2 else (3.0 if self.tail is None else self.tail)
        tail = check_number("tail", tail)
        if not tail > kappa:
            raise ValueError(f"tail must exceed kappa (else E||xi||^kappa is infinite), got tail={tail!r} <= "
                             f"kappa={kappa!r}")
        object.__setattr__(self, "kappa", float(kappa))
        object.__setattr__(self, "tail", float(tail))

    @property
    def scale(self):
        """s = ((tail - kappa)/tail)^(1/kappa), the smallest radius, which makes E R^kappa = 1."""
        return ((self.tail - self.kappa) / self.tail) ** (1 / self.kappa)

    def moment(self, p):
        """E R^p = E ||xi||^p / sigma^p: s^p tail/(tail - p) for p < tail, infinity otherwise."""
        if p >= self.tail:
            return math.inf
        return self.scale ** p * self.tail / (self.tail - p)

    def normals_per_draw(self, d):
        """How many standard normals one draw in R^d uses (d for the direction, 1 for the radius)."""
        return d + 1

    def shape(self, z, sigma, xp=numpy):
        """Standard normals z of shape (..., d + 1) made into draws xi of shape (..., d)."""
        from scipy.special import log_ndtr

        u = z[..., :-1]
        u = u / xp.sqrt((u * u).sum(axis=-1, keepdims=True))                  # uniform on the sphere
        log_v = log_ndtr(numpy.asarray(z[..., -1]))                             # log V, V = Phi(z) uniform
        radius = self.scale * numpy.exp(-log_v / self.tail)                     # s V^(-1/tail)
        return sigma * xp.asarray(radius)[..., None] * u

    def __repr__(self):
        return f"HeavyTailed(kappa={self.kappa:g}, tail={self.tail:g})"
