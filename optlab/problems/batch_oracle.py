"""The oracle of S seeds at once: a batch axis over the sample paths of :class:`~optlab.problems.Oracle`.

``BatchOracle(problem, seeds, ...)`` answers for a batch of iterates ``X`` of shape (S, d), row s being
seed s's iterate. Its contract is exact: **row s of every answer is what** ``Oracle(problem,
seed=seeds[s], ...)`` **answers at X[s]**, with the same sample path. Each seed keeps its own host
generator ``numpy.random.default_rng(seeds[s])``, and the samples are the same numbers in the same
order as the single oracle draws them; only the grouping differs:

* NumPy's generators fill an array element by element from the stream, so ``k`` draws of shape
  (B, d) are the rows of one draw of shape (k, B, d) (normal vectors and bounded integers alike).
  The batch oracle therefore draws a block of ``k`` future samples per seed in one call and hands
  them out step by step: one generator call per seed per block instead of per step.
* The affine model draws its Rademacher signs from a second stream per seed (``(seed, 1)``), so it
  blocks as well. A ``HeavyTailed`` law draws d + 1 normals per sample from the seed's own stream.
  Sampling without replacement is not a plain fill: it draws step by step, per seed.

Methods that draw their own randomness call ``oracle.draw(fn)``: ``fn(rng)`` for each seed's generator,
stacked (a single :class:`Oracle` answers ``fn(oracle.rng)``). A ``draw`` after a ``sample`` on a batch
is refused with an error (the block prefetched from each stream would come out of order); after a
``draw``, samples are drawn step by step, in stream order. A method that draws next to every sample
calls ``oracle.sample_with(before, after)``: each seed's ``before(rng)``, its sample and
``after(rng)``, in this order from its stream (Hogwild!'s delay and coordinate).

Counts (``calls``, ``grad_evals``) are those of one seed's run (every seed makes the same calls).

``remember(X, G)``: ``run`` has just computed G = grad f(X) for its trace; the next gradient query at
this very array X (``full_grad`` or an additive-noise ``stoch_grad``) uses G instead of computing it
again. It is still counted, and the values are the same, so counts and sample paths do not change.

Example:
    >>> import numpy as np
    >>> from optlab.problems import Oracle, cosine_sum
    >>> p = cosine_sum(d=3)
    >>> batch = BatchOracle(p, seeds=[4, 7], noise="gaussian", sigma=1.0)
    >>> X = np.stack([p.x0(1), p.x0(2)])
    >>> G = batch.stoch_grad(X, batch.sample())
    >>> one = Oracle(p, seed=7, noise="gaussian", sigma=1.0)
    >>> bool(np.allclose(G[1], one.stoch_grad(X[1], one.sample()), rtol=1e-12, atol=1e-15))
    True
"""
from __future__ import annotations

import numpy

from ..backend import to_backend
from .heavy_tailed import HeavyTailed
from .oracle import Oracle, shape_noise, sign_stream
from .streams import counter_keys, counter_normals, generators

BLOCK_NUMBERS = 1 << 22     # about 4M prefetched numbers (32 MiB) over all seeds ...
MIN_BLOCK, MAX_BLOCK = 4, 256   # ... but at least 4 steps ahead (fewer generator calls) and at most 256


class BatchOracle:
    """The counting oracle of ``len(seeds)`` independent seeds; see the module docstring."""

    def __init__(self, problem, seeds, noise=None, sigma=None, batch_size=1, replace=True, tau1=0.0,
                 stream="host", xp=numpy, horizon=None):
        seeds = tuple(seeds)
        if not seeds:
            raise ValueError("seeds must be a non-empty sequence of seeds, got an empty one")
        # the settings are validated (and the sampling constants computed) once, by a single oracle
        first = self._single = Oracle(problem, seed=seeds[0], noise=noise, sigma=sigma,
                                      batch_size=batch_size, replace=replace, tau1=tau1, stream=stream)
        self.stream, self._xp, self._draws = stream, xp, 0
        self._horizon = horizon       # samples the run expects (run passes its steps): no block beyond
        self.problem, self.seeds, self.S = problem, seeds, len(seeds)
        self.noise, self.sigma, self.tau1 = first.noise, first.sigma, first.tau1
        self.batch_size, self.replace = first.batch_size, first.replace
        self._rngs = None                     # each seed's own generator, built when first needed
        self._keys = None                     # the counter stream's per-seed keys, on the device
        self.calls = {"value": 0, "full_grad": 0, "sample": 0, "stoch_grad": 0, "hvp": 0}
        self.grad_evals = 0
        self._finite, self._d, self._n = first._finite, first._d, first._n
        self._block, self._next = None, 0
        self._drew = False
        self._known = None
        self._drawn = 0
        self._blocked = not (self._finite and not self.replace)
        self.signs = [sign_stream(s) for s in seeds] if self.noise == "affine" else None

    @property
    def rngs(self):
        """Each seed's own stream, ``default_rng(seed)``: built (fast) on first use; a run on the counter
        stream never needs them."""
        if self._rngs is None:
            self._rngs = generators(self.seeds)
        return self._rngs

    # ----------------------------------------------------------------------------- deterministic
    def value(self, X):
        self.calls["value"] += 1
        return self.problem.f(X)

    def remember(self, X, G):
        """G = grad f(X), computed by the caller: the next gradient query at the array X reuses it."""
        self._known = (X, G)

    def _grad(self, X):
        known, self._known = self._known, None
        return known[1] if known is not None and known[0] is X else self.problem.grad(X)

    def full_grad(self, X):
        self.calls["full_grad"] += 1
        self.grad_evals += self.problem.n if self.problem.is_finite_sum else 1
        return self._grad(X)

    def hvp(self, X, V):
        self.calls["hvp"] += 1
        return self.problem.hvp(X, V)

    # ----------------------------------------------------------------------------- stochastic
    def sample(self):
        """Each seed's next sample, stacked: (S, B) indices, (S, d) noise, ((S, 1), (S, d)) for the
        affine model, or None (deterministic)."""
        self.calls["sample"] += 1
        if not self._finite and self.noise is None:
            return None
        if self.stream == "counter":          # all seeds in one vectorized call, on the iterates' device
            self._draws += 1
            B, d = self.batch_size, self._d
            if self._keys is None:
                self._keys = self._xp.asarray(counter_keys(self.seeds))
            z = counter_normals(self._xp, self.seeds, self._draws - 1, B * d,
                                keys=self._keys).reshape(self.S, B, d)
            return shape_noise(z, self.noise, self.sigma, self._single._scale, self._xp)
        if not self._blocked or self._drew:   # no block ahead of the method's own draws
            return self._step_by_step()
        if self._block is None or self._next == len(self._block):
            self._block, self._next = self._draw_block(), 0
            self._drawn += len(self._block)
        xi = self._block[self._next]
        self._next += 1
        return xi

    def _block_steps(self):
        per_step = self.S * self.batch_size * (self._d if not self._finite else 1)
        k = max(MIN_BLOCK, min(MAX_BLOCK, BLOCK_NUMBERS // per_step))
        return int(k if self._horizon is None else max(1, min(k, self._horizon - self._drawn)))

    def _draw_block(self):
        """The next k samples of every seed, as a (k, S, ...) array: one generator call per seed,
        each filling its own contiguous slice."""
        k, B, d, o = self._block_steps(), self.batch_size, self._d, self._single
        if self._finite:
            if o._p is not None:
                z = numpy.stack([r.choice(self._n, (k, B), p=o._p) for r in self.rngs])
            else:
                z = numpy.stack([r.integers(0, self._n, (k, B)) for r in self.rngs])
            return z.swapaxes(0, 1)                               # (k, S, B)
        law = self.noise if isinstance(self.noise, HeavyTailed) else None
        z = numpy.empty((self.S, k, B, d if law is None else law.normals_per_draw(d)))
        for r, z_seed in zip(self.rngs, z):
            r.standard_normal(out=z_seed)                         # seed s: its next k samples
        if law is not None:                                       # heavy-tailed: d + 1 normals per draw
            z = law.shape(z, self.sigma)
            z = z.mean(axis=2) if B > 1 else z[:, :, 0]
        elif self.noise == "gaussian":
            z = (z.mean(axis=2) if B > 1 else z[:, :, 0]) * o._scale
        else:                                                     # sphere: each draw to radius sigma
            z *= self.sigma / numpy.sqrt(numpy.einsum("skbj,skbj->skb", z, z))[..., None]
            z = z.mean(axis=2) if B > 1 else z[:, :, 0]
        if self.noise == "affine":                                # the signs, from the second streams
            u = self.tau1 * (2.0 * numpy.stack([r.integers(0, 2, (k, B)) for r in self.signs]) - 1.0)
            u = u.mean(axis=2)                                    # (S, k)
            return [(u[:, i, None], z[:, i]) for i in range(k)]
        return z.swapaxes(0, 1)                                   # (k, S, d)

    def _step_by_step(self):
        xis = []
        for s, r in enumerate(self.rngs):     # a single oracle's sample, drawn from each stream
            self._single.rng = r
            if self.signs is not None:
                self._single.signs = self.signs[s]
            xis.append(self._single.sample())
        if self.noise == "affine":            # (u, v) per seed -> ((S, 1), (S, d)), as a block hands out
            return numpy.array([[u] for u, _ in xis]), numpy.stack([v for _, v in xis])
        return numpy.stack(xis)

    def draw(self, fn):
        """``fn(rng)`` for each seed's generator, stacked along a new leading axis."""
        if self._block is not None:
            raise RuntimeError("oracle.draw after oracle.sample on a batch of seeds: the samples "
                               "prefetched from each stream would come out of order")
        self._drew = True
        return numpy.stack([numpy.asarray(fn(r)) for r in self.rngs])

    def sample_with(self, before=None, after=None):
        """Each seed's ``before(rng)``, sample and ``after(rng)``, drawn in this order from its own stream
        and stacked: row s is the single oracle's ``sample_with`` for seed s. Without functions it is
        ``(None, sample(), None)``; with them, samples are drawn step by step from then on."""
        if before is None and after is None:
            return None, self.sample(), None
        b = None if before is None else self.draw(before)    # (refused after a prefetched block)
        self._drew = True
        xi = self.sample()                                  # step by step now: the streams stay in order
        return b, xi, None if after is None else self.draw(after)

    def stoch_grad(self, X, xi):
        """Each seed's stochastic gradient for its own sample (row s of ``xi``)."""
        self.calls["stoch_grad"] += 1
        if self._finite:
            self._known = None
            self.grad_evals += xi.shape[-1]
            return self.problem.grad_i(X, xi)
        self.grad_evals += self.batch_size
        g = self._grad(X)
        if xi is None:
            return g
        if self.noise == "affine":
            return (1.0 + to_backend(xi[0], like=g)) * g + to_backend(xi[1], like=g)
        return g + to_backend(xi, like=g)

    def __call__(self, X):
        return self.stoch_grad(X, self.sample())

    def variance(self, X):
        """Exact E||g - grad f||^2 per seed, an (S,) array (each row as :meth:`Oracle.variance`)."""
        return numpy.array([self._single.variance(x) for x in X])

    def __repr__(self):
        return (f"<BatchOracle {self.problem.name!r} S={self.S} noise={self.noise} sigma={self.sigma} "
                f"B={self.batch_size} replace={self.replace} grad_evals={self.grad_evals}>")
