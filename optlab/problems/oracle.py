"""Oracles that algorithms query: full, stochastic and minibatch gradients, additive noise, HVPs.

Every call is counted. ``calls`` is a dict by kind ('value', 'full_grad', 'sample', 'stoch_grad',
'hvp'); ``grad_evals`` counts gradient evaluations in units of one term's gradient:

* ``full_grad`` of a finite sum of n terms costs n, of any other problem 1;
* ``stoch_grad`` with a minibatch of B terms costs B; with additive noise it costs ``batch_size``
  (one noisy gradient per drawn noise vector).

Randomness is drawn on the host with :class:`numpy.random.Generator`: the same seed gives the same
sample path, for a NumPy or a CuPy ``x`` alike (index arrays stay on the host, CuPy gathers with them;
noise vectors move to the gradient's device). Gradients come back on the device of ``x``.
``sample()`` returns xi and ``stoch_grad(x, xi)`` evaluates it, so one xi can be used at two points
(SVRG, STORM) and two calls of ``sample()`` give independent samples (IAN-SGD).

Models (``noise``):

* ``None`` on a finite sum: xi is an index array of ``batch_size`` terms, drawn uniformly with
  (``replace=True``) or without replacement (from the problem's weights when it has them, with
  replacement only); g = mean of grad f_i(x) over xi.
  Variance E||g - grad f(x)||^2 = S(x)/B with replacement, S(x)(n - B)/(B(n - 1)) without, where
  S(x) = (1/n) sum_i ||grad f_i(x) - grad f(x)||^2 (computed by enumeration).
* ``None`` on a problem that is not a finite sum: deterministic, xi is None, variance 0.
* ``'gaussian'``: xi = mean of B draws of N(0, sigma^2/d I), so E||xi||^2 = sigma^2/B exactly.
* ``'sphere'``: xi = mean of B independent vectors uniform on the sphere of radius sigma (bounded
  noise, ||xi|| = sigma exactly when B = 1); again E||xi||^2 = sigma^2/B.
  With noise, g = grad f(x) + xi (the exact gradient of the problem, noise added on top).
* ``'affine'`` (seed 002, eq. 18, the IAN-SGD noise model): g = (1 + u) grad f(x) + v with u = +-tau1
  (Rademacher) and v uniform on the sphere of radius sigma, independent; xi = (u, v) averaged over the
  batch. v comes from the oracle's stream, the signs from a second stream seeded ``(seed, 1)``, so
  that each stream is a plain sequence of draws (a batch of seeds then draws them in blocks). Unbiased, ||g - grad f|| <= tau1 ||grad f|| + sigma surely, and
  E||g - grad f||^2 = (tau1^2 ||grad f(x)||^2 + sigma^2)/B exactly.
* a :class:`~optlab.problems.heavy_tailed.HeavyTailed` law (seed 002, eq. 20, the open problem): xi = sigma R U with
  E||xi||^kappa = sigma^kappa and a Pareto tail (infinite variance for tail <= 2), drawn from d + 1 normals of the
  oracle's stream; g = grad f(x) + xi (the mean of B draws); E xi = 0.

Streams (``stream``): ``"host"`` (default) draws from ``numpy.random.default_rng(seed)``;
``"counter"`` (additive Gaussian or sphere noise only) computes each normal as a pure function of
(seed, sample number, coordinate) (:func:`optlab.problems.streams.counter_normals`), so a batch of
seeds gets its noise in one vectorized call, on the GPU when the iterates are there, with no host
stream to advance. The two streams give different (equally valid) sample paths.

Source: EC500 lecture notes (seed 003, the stochastic oracle: unbiased, variance sigma^2, minibatch
variance sigma^2/B) and the SGD slides (seed 004, minibatches with and without replacement).

Example:
    >>> import numpy as np
    >>> from optlab.problems import least_squares
    >>> p = least_squares(n=8, d=3, seed=0)
    >>> o = Oracle(p, seed=1, batch_size=2)
    >>> xi = o.sample()
    >>> g1, g2 = o.stoch_grad(np.zeros(3), xi), o.stoch_grad(np.ones(3), xi)
    >>> o.grad_evals, o.calls["stoch_grad"]
    (4, 2)
    >>> _ = o.full_grad(np.zeros(3)); o.grad_evals
    12
    >>> bool(np.isclose(o.variance(np.zeros(3)), p.variance(np.zeros(3)) / 2))
    True
"""
from __future__ import annotations

import numpy

from ..backend import to_backend
from .streams import counter_normals

from .base import check_int, check_nonnegative, check_positive
from .heavy_tailed import HeavyTailed

NOISE_MODELS = (None, "gaussian", "sphere", "affine")


def shape_noise(z, noise, sigma, scale, xp=numpy):
    """Standard normals z of shape (..., B, d) made into the model's noise (..., d): Gaussian
    N(0, sigma^2/d I) (``scale`` = sigma/sqrt(d)) or uniform on the sphere of radius sigma, averaged
    over the batch of B (the counter stream's transform, for one seed and for many alike)."""
    if noise == "sphere":
        z = z * (sigma / xp.sqrt((z * z).sum(axis=-1, keepdims=True)))
    else:
        z = z * scale
    return z.mean(axis=-2) if z.shape[-2] > 1 else z[..., 0, :]


def sign_stream(seed):
    """The affine model's second stream (its Rademacher signs), independent of the oracle's own."""
    return numpy.random.default_rng([seed, 1] if isinstance(seed, (int, numpy.integer)) else (seed, 1))


class Oracle:
    """Counting oracle for ``problem``; see the module docstring for the noise models and costs."""

    S = None     # one seed (a BatchOracle holds S of them)
    __slots__ = ("problem", "seed", "noise", "sigma", "batch_size", "replace", "rng", "signs", "stream", "_draws", "calls",
                 "grad_evals", "_finite", "_n", "_p", "tau1", "_grad", "_grad_i", "_d", "_scale")

    def __init__(self, problem, seed=0, noise=None, sigma=None, batch_size=1, replace=True, tau1=0.0,
                 stream="host"):
        if noise not in NOISE_MODELS and not isinstance(noise, HeavyTailed):
            raise ValueError(f"noise must be one of {NOISE_MODELS} or a HeavyTailed(kappa) law, got noise={noise!r}")
        if stream not in ("host", "counter"):
            raise ValueError(f"stream must be 'host' or 'counter', got stream={stream!r}")
        if stream == "counter" and noise not in ("gaussian", "sphere"):
            raise ValueError(f"stream='counter' draws additive noise only (noise='gaussian' or 'sphere'), "
                             f"got noise={noise!r}")
        self.stream, self._draws = stream, 0
        self.problem = problem
        self.seed = seed
        self.noise = noise
        self.batch_size = check_int("batch_size", batch_size)
        self.replace = bool(replace)
        self._finite = noise is None and getattr(problem, "is_finite_sum", False)
        self._d = problem.d
        if noise is None:
            if sigma is not None:
                raise ValueError(f"sigma is only used with additive noise ('gaussian' or 'sphere'); "
                                 f"got sigma={sigma!r} with noise=None")
            self.sigma = None
        else:
            if sigma is None:
                raise ValueError(f"noise={noise!r} needs sigma >= 0, got sigma=None")
            self.sigma = check_nonnegative("sigma", sigma)
        self.tau1 = check_nonnegative("tau1", tau1)
        if self.tau1 and noise != "affine":
            raise ValueError(f"tau1 is only used with noise='affine', got tau1={tau1!r} with noise={noise!r}")
        if self._finite:
            self._n = problem.n
            if not self.replace and problem.weights is not None:
                raise ValueError("replace=False needs uniform weights; this finite sum has "
                                 "non-uniform weights, so sample with replace=True")
            if self.batch_size > self._n:
                raise ValueError(f"batch_size must satisfy batch_size <= n (the number of terms), "
                                 f"got batch_size={self.batch_size} > n={self._n}")
        else:
            self._n = 1
        self._scale = None if self.sigma is None else self.sigma / numpy.sqrt(self._d)
        self._grad = problem.grad
        self._grad_i = problem.grad_i if self._finite else None
        self._p = problem.weights if self._finite else None
        self.rng = numpy.random.default_rng(seed)
        self.signs = sign_stream(seed) if noise == "affine" else None
        self.calls = {"value": 0, "full_grad": 0, "sample": 0, "stoch_grad": 0, "hvp": 0}
        self.grad_evals = 0

    # ----------------------------------------------------------------------------- deterministic
    def value(self, x):
        self.calls["value"] += 1
        return self.problem.value(x)

    def full_grad(self, x):
        """grad f(x); costs n for a finite sum."""
        self.calls["full_grad"] += 1
        self.grad_evals += self.problem.n if self.problem.is_finite_sum else 1
        return self._grad(x)

    def hvp(self, x, v):
        self.calls["hvp"] += 1
        return self.problem.hvp(x, v)

    # ----------------------------------------------------------------------------- stochastic
    def sample(self):
        """Draw xi on the host: an index array (finite sum), a noise vector, or None (deterministic)."""
        self.calls["sample"] += 1
        B = self.batch_size
        if self._finite:
            if self._p is not None:
                return self.rng.choice(self._n, B, p=self._p)
            if self.replace:
                return self.rng.integers(0, self._n, B)
            return self.rng.choice(self._n, B, replace=False)
        if self.noise is None:
            return None
        if self.stream == "counter":
            self._draws += 1
            z = counter_normals(numpy, [self.seed], self._draws - 1, B * self._d).reshape(B, self._d)
            return shape_noise(z, self.noise, self.sigma, self._scale)
        if isinstance(self.noise, HeavyTailed):        # d + 1 normals per draw: direction and radius
            v = self.noise.shape(self.rng.standard_normal((B, self._d + 1)), self.sigma)
            return v.mean(axis=0) if B > 1 else v[0]
        if self.noise == "gaussian":
            z = self.rng.standard_normal((B, self._d)) if B > 1 else self.rng.standard_normal(self._d)
            return (z.mean(axis=0) if B > 1 else z) * self._scale
        z = self.rng.standard_normal((B, self._d))
        z *= self.sigma / numpy.sqrt(numpy.einsum("ij,ij->i", z, z))[:, None]
        v = z.mean(axis=0) if B > 1 else z[0]
        if self.noise == "affine":
            u = self.tau1 * (2.0 * self.signs.integers(0, 2, B) - 1.0)
            return float(u.mean()), v
        return v

    def stoch_grad(self, x, xi):
        """The stochastic gradient for the sample ``xi`` (deterministic in xi: reuse it at two points)."""
        self.calls["stoch_grad"] += 1
        if self._finite:
            self.grad_evals += len(xi)
            return self._grad_i(x, xi)
        self.grad_evals += self.batch_size
        g = self._grad(x)
        if xi is None:
            return g
        if self.noise == "affine":
            return (1.0 + xi[0]) * g + to_backend(xi[1], like=g)
        return g + to_backend(xi, like=g)   # noise drawn on the host joins g on its device

    def draw(self, fn):
        """``fn(rng)``: randomness a method draws itself, from this oracle's stream (a
        :class:`~optlab.problems.batch_oracle.BatchOracle` answers it for each seed's stream)."""
        return fn(self.rng)

    def sample_with(self, before=None, after=None):
        """``(before(rng), xi, after(rng))``: a sample with the method's own draws just before and just
        after it, in this order from this oracle's stream (None for a missing function). A batch of
        seeds answers it seed by seed in the same order, where ``draw`` and ``sample`` could not mix."""
        b = None if before is None else before(self.rng)
        xi = self.sample()
        return b, xi, None if after is None else after(self.rng)

    def __call__(self, x):
        """Draw a fresh sample and return its stochastic gradient at x."""
        return self.stoch_grad(x, self.sample())

    # ----------------------------------------------------------------------------- exact moments
    def variance(self, x):
        """Exact E||g(x, xi) - grad f(x)||^2 for one call of ``stoch_grad(x, sample())``."""
        B = self.batch_size
        if self._finite:
            s = self.problem.variance(x)
            if self.replace:
                return s / B
            n = self._n
            return 0.0 if n == 1 else s * (n - B) / (B * (n - 1))
        if self.noise is None:
            return 0.0
        if self.noise == "affine":
            g = self._grad(x)
            return (self.tau1 ** 2 * float(g @ g) + self.sigma ** 2) / B
        if isinstance(self.noise, HeavyTailed):        # infinite when tail <= 2
            return self.sigma ** 2 * self.noise.moment(2.0) / B
        return self.sigma ** 2 / B

    def reset(self, seed=None):
        """Zero the counters and restart the sample path (with ``seed`` if given)."""
        if seed is not None:
            self.seed = seed
        self.rng = numpy.random.default_rng(self.seed)
        self._draws = 0
        self.signs = sign_stream(self.seed) if self.noise == "affine" else None
        for k in self.calls:
            self.calls[k] = 0
        self.grad_evals = 0

    def __repr__(self):
        return (f"<Oracle {self.problem.name!r} noise={self.noise} sigma={self.sigma} tau1={self.tau1} "
                f"B={self.batch_size} replace={self.replace} grad_evals={self.grad_evals}>")
