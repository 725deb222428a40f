"""Gradient transformations that compose with any method, and Gradient Autoscaled Normalization (seed 000).

:class:`Transformed` wraps a method so that every gradient it receives from the oracle (``stoch_grad``
and ``full_grad``) first passes through a transform: ``Transformed(SGD(lr=0.1), GradientAutoscale())``
is GAN-SGD (seed 000 L92), ``Transformed(Momentum(...), GradientAutoscale())`` GAN with momentum.

:class:`GradientAutoscale` (Yun, seed 000 L59-92). The flat gradient is the concatenation of tensors
with the given ``shapes``; the eligible set S_t holds the tensors with at least two dimensions (L69).

.. code-block:: text

    s_t = Std(concat_{l in S_t} vec(G^(l)))       unbiased (ddof = 1), raw (uncentred) gradients
    a_t = (4 / (|ln s_t| + eps))^{p_t}            eps = 1e-8 (L63); eq. (1) as simplified at L80
    p_t: a_1 is computed with p = 2; p_t = 1 for t >= 2 if a_1 < 0.5, else 2   (one-shot rule, L78)
    G^(l) <- a_t (G^(l) - mean(G^(l)))  for l in S_t;   G^(l) unchanged otherwise        (eq. 2)

Choices where the paper is ambiguous (seed notes, 000 E1-E4): the simplified form (4/x)^p is used (the
printed eq. (1) disagrees with it for p = 2: theorems 000-eq1 and 000-eq1/printed, ERRATA.md); natural
log; the one-shot rule reads "compute a_1 with p = 2" (so p = 1 iff s_1 < exp(-4 sqrt 2)).
**Singularity guard:** a_t -> (4/eps)^p = 4e8 or 1.6e17 as s_t -> 1 (the paper's "a_t in (0, 1]" fails for
s_t in (e^-4, e^4)); ``clip_a`` (default 1.0) caps a_t, and with ``clip_a=None`` a warning is issued when
s_t enters that band.

``shapes=None`` treats the whole vector as one eligible matrix (shape (1, d)). The tensor layout is read by
:func:`layers`, shared with the baseline transforms of :mod:`.baseline_transforms` (GradNorm, GC, ZNorm).

Example:
    >>> import numpy as np
    >>> gan = GradientAutoscale(shapes=((2, 2), (2,)), clip_a=None)
    >>> g = np.array([1e-3, 3e-3, 2e-3, 2e-3, 5.0, 7.0])
    >>> out, st = gan.apply(g, gan.init())
    >>> out[4:], round(float(out[:4].sum()), 15)        # bias untouched; eligible block centred
    (array([5., 7.]), 0.0)
    >>> st.p                                             # s_1 = 8.2e-4 < exp(-4 sqrt 2): p = 1
    1
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..backend import get_xp
from .base import check_nonnegative, check_positive, set_field


def check_shapes(shapes):
    """``shapes`` as a tuple of tuples of ints >= 1 (None stays None); ValueError naming ``shapes`` otherwise."""
    if shapes is None:
        return None
    try:
        out = tuple(tuple(sh) for sh in shapes)
    except TypeError:
        raise ValueError(f"shapes must be a tuple of tensor shapes such as ((3, 2), (2,)), got shapes={shapes!r}")
    if not out or not all(out) or any(isinstance(n, bool) or not isinstance(n, int) or n < 1
                                      for sh in out for n in sh):
        raise ValueError(f"shapes must be a non-empty tuple of tensor shapes with entries >= 1 such as "
                         f"((3, 2), (2,)), got shapes={shapes!r}")
    return out


def layers(shapes, g):
    """``(slice, shape)`` of each tensor in the flat gradient ``g`` (its last axis, of length d).

    ``shapes=None`` reads the whole vector as one (1, d) matrix. A ValueError names ``shapes`` when they do
    not add up to d, and ``g`` when it is neither one gradient (d,) nor a batch of seeds (S, d).

    >>> import numpy as np
    >>> layers(((2, 3), (3,)), np.zeros(9))
    [(slice(0, 6, None), (2, 3)), (slice(6, 9, None), (3,))]
    """
    if getattr(g, "ndim", 0) not in (1, 2):
        raise ValueError(f"g must be a flat gradient (d,) or a batch of seeds (S, d), got shape "
                         f"{getattr(g, 'shape', None)}")
    d = g.shape[-1]
    if shapes is None:
        return [(slice(0, d), (1, d))]
    out, start = [], 0
    for sh in shapes:
        n = math.prod(sh)
        out.append((slice(start, start + n), sh))
        start += n
    if start != d:
        raise ValueError(f"shapes must cover the dimension d = {d}, got {shapes} ({start} entries)")
    return out


class GANState(NamedTuple):
    t: int
    p: int
    a: float      # the last a_t
    s: float      # the last s_t


@dataclass(frozen=True)
class GradientAutoscale:
    """Gradient autoscaled normalization, seed 000 L59-92 (see the module docstring).

    Theorems: 000-eq1, 000-eq1/printed, 000-Thm2/printed.
    """
    shapes: Any = None
    eps: float = 1e-8
    clip_a: Any = 1.0

    no_batch = "GradientAutoscale keeps one run's scalar statistics (s_t, a_t, p_t), not one per seed"

    def __post_init__(self):
        set_field(self, "shapes", check_shapes(self.shapes))
        set_field(self, "eps", check_nonnegative("eps", self.eps))
        if self.clip_a is not None:
            set_field(self, "clip_a", check_positive("clip_a", self.clip_a))

    def init(self) -> GANState:
        return GANState(t=0, p=2, a=math.nan, s=math.nan)

    def scale(self, s, p):
        """a = (4 / (|ln s| + eps))^p."""
        x = abs(math.log(s)) + self.eps if s > 0 else math.inf
        return (4.0 / x) ** p

    def apply(self, g, st: GANState):
        xp = get_xp(g)
        t = st.t + 1
        elig = [sl for sl, shape in layers(self.shapes, g) if len(shape) > 1]   # S_t: dim(G^(l)) > 1
        if not elig:
            return g, GANState(t=t, p=st.p, a=1.0, s=math.nan)
        cat = xp.concatenate([g[sl] for sl in elig])               # g_t = concat of eligible G^(l)
        s = float(xp.std(cat, ddof=1))                             # s_t = Std(g_t), unbiased
        if t == 1:
            a = self.scale(s, 2)                                   # a_1 with p = 2
            p = 1 if a < 0.5 else 2                                # one-shot rule for t >= 2
        else:
            p = st.p
            a = self.scale(s, p)                                   # a_t = (4/(|ln s_t| + eps))^p_t
        if self.clip_a is not None:
            a = min(a, self.clip_a)                                # guard the singularity at s = 1
        elif math.exp(-4) < s < math.exp(4):
            warnings.warn(f"GradientAutoscale: s_t = {s:.3g} lies in (e^-4, e^4), so a_t = {a:.3g} > 1 "
                          "(a_t is singular at s_t = 1); set clip_a to cap it", RuntimeWarning)
        out = g.copy()
        for sl in elig:
            out[sl] = a * (g[sl] - xp.mean(g[sl]))                 # a_t (G^(l) - mu^(l) 1)
        return out, GANState(t=t, p=p, a=a, s=s)


class _TransformingOracle:
    """An oracle proxy whose gradients pass through ``transform`` (its state is kept on the proxy)."""

    def __init__(self, oracle, transform, tstate):
        self._oracle, self._transform, self.tstate = oracle, transform, tstate

    def __getattr__(self, name):
        return getattr(self._oracle, name)

    def stoch_grad(self, x, xi):
        g, self.tstate = self._transform.apply(self._oracle.stoch_grad(x, xi), self.tstate)
        return g

    def full_grad(self, x):
        g, self.tstate = self._transform.apply(self._oracle.full_grad(x), self.tstate)
        return g


class TransformedState(NamedTuple):
    x: Any
    inner: Any
    tstate: Any
    t: int


@dataclass(frozen=True)
class Transformed:
    """``method`` fed with transformed gradients: every oracle gradient passes through ``transform``."""
    method: Any
    transform: Any

    @property
    def no_batch(self):
        """Why seeds cannot run as one batch: the method's or the transform's reason (None: they can)."""
        from .run import batch_reason

        return batch_reason(self.method) or getattr(self.transform, "no_batch", None)

    def init(self, x0, oracle) -> TransformedState:
        proxy = _TransformingOracle(oracle, self.transform, self.transform.init())
        inner = self.method.init(x0, proxy)
        return TransformedState(x=inner.x, inner=inner, tstate=proxy.tstate, t=0)

    def step(self, s: TransformedState, oracle) -> TransformedState:
        proxy = _TransformingOracle(oracle, self.transform, s.tstate)
        inner = self.method.step(s.inner, proxy)                   # the method's own box
        return TransformedState(x=inner.x, inner=inner, tstate=proxy.tstate, t=s.t + 1)
