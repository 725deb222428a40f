"""The baseline gradient transforms that seed 000 compares GAN with (App A, L194): GradNorm, GC, ZNorm.

Each is a transform for :class:`~.transforms.Transformed`, like :class:`~.transforms.GradientAutoscale`:
``Transformed(SGD(lr=0.1), ZNorm(shapes=...))`` is SGD fed with z-scored gradients. The flat gradient is
the concatenation of tensors with the given ``shapes`` (read by :func:`~.transforms.layers`;
``shapes=None``: the whole vector is one (1, d) matrix), and every rule acts on each tensor G separately:

.. code-block:: text

    GradNorm  (Chen et al. 2018, seed 000 ref [6]):   G <- alpha G / ||G||            every tensor
    GC        (Yong et al. 2020, ref [24]):            G[i] <- G[i] - mean(G[i])       each row / output
                                                       filter G[i] = G[i, ...] of a tensor with dim >= 2
    ZNorm     (ref [25]):                              G <- (G - mean(G)) / (std(G) + eps)   dim >= 2

Choices where L194 is brief (it states each rule for "a gradient g"): GradNorm's g_i is the gradient of
task i in [6]; here it is one tensor (a layer), as in the layer-wise comparison of seed 000 Table 1. GC
centres each output row or filter of a weight tensor, as [24] does, and leaves vectors (biases) alone;
ZNorm acts, like GAN and GC, on the tensors with at least two dimensions, with the unbiased std (ddof = 1,
as GAN's Std, L63) and eps = 1e-8 by default. None of them keeps state across steps, so seeds run as one
batch: a gradient may be (d,) or (S, d), and each seed's row is transformed on its own.

Bad input is refused where it happens: a tensor with a zero gradient has no direction (GradNorm), a
constant tensor no z-score when eps = 0 (ZNorm); both raise a ValueError naming the tensor.

Example (the (2, 2) matrix [[0, 4], [4, 4]] followed by the bias [3, 4]):
    >>> import numpy as np
    >>> g = np.array([0.0, 4.0, 4.0, 4.0, 3.0, 4.0])
    >>> shapes = ((2, 2), (2,))
    >>> GradientCentralization(shapes).apply(g, None)[0]          # row means 2 and 4; bias untouched
    array([-2.,  2.,  0.,  0.,  3.,  4.])
    >>> GradNorm(shapes=shapes).apply(g, None)[0].round(4)        # ||G|| = sqrt(48), ||b|| = 5
    array([0.    , 0.5774, 0.5774, 0.5774, 0.6   , 0.8   ])
    >>> ZNorm(shapes=shapes, eps=0.0).apply(g, None)[0]           # mean 3, unbiased std sqrt(12/3) = 2
    array([-1.5,  0.5,  0.5,  0.5,  3. ,  4. ])
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..backend import get_xp
from .base import check_nonnegative, check_positive, set_field
from .transforms import check_shapes, layers


def _tensors(g, shapes):
    """``(l, slice, shape, G)`` for each tensor l, G viewed with its shape (after the seed axis of a batch)."""
    lead = g.shape[:-1]
    for l, (sl, shape) in enumerate(layers(shapes, g)):
        yield l, sl, shape, g[..., sl].reshape(lead + shape)


@dataclass(frozen=True)
class GradNorm:
    """GradNorm baseline: each tensor's gradient rescaled to norm alpha, G <- alpha G / ||G|| (seed 000 L194).

    See the module docstring. ``alpha`` > 0 (1 by default); a zero gradient tensor raises a ValueError.
    """
    alpha: float = 1.0
    shapes: Any = None

    no_batch = None          # stateless: each seed's row is transformed on its own

    def __post_init__(self):
        set_field(self, "alpha", check_positive("alpha", self.alpha))
        set_field(self, "shapes", check_shapes(self.shapes))

    def init(self):
        return None

    def apply(self, g, state=None):
        xp = get_xp(g)
        out = g.copy()
        for l, (sl, shape) in enumerate(layers(self.shapes, g)):
            G = g[..., sl]                                         # the tensor's entries (per seed)
            norm = xp.sqrt((G * G).sum(axis=-1, keepdims=True))    # ||G^(l)||
            if bool((norm == 0).any()):
                raise ValueError(f"GradNorm: tensor {l} (shape {shape}) has a zero gradient, so G/||G|| has no "
                                 "direction; leave that tensor out of shapes or use a transform without a norm")
            out[..., sl] = self.alpha * G / norm                   # alpha G / ||G||
        return out, None


@dataclass(frozen=True)
class GradientCentralization:
    """Gradient centralization (GC) baseline: each row / output filter centred, G[i] <- G[i] - mean(G[i])
    (seed 000 L194, ref [24]). Tensors with one dimension (biases) are left unchanged; see the module docstring.
    """
    shapes: Any = None

    no_batch = None

    def __post_init__(self):
        set_field(self, "shapes", check_shapes(self.shapes))

    def init(self):
        return None

    def apply(self, g, state=None):
        lead = g.shape[:-1]
        out = g.copy()
        for _, sl, shape, G in _tensors(g, self.shapes):
            if len(shape) < 2:
                continue                                           # a bias: no rows to centre
            rows = G.reshape(lead + (shape[0], -1))                # G[i] = G[i, ...] flattened
            out[..., sl] = (rows - rows.mean(axis=-1, keepdims=True)).reshape(lead + (-1,))
        return out, None


@dataclass(frozen=True)
class ZNorm:
    """Z-score gradient normalization (ZNorm) baseline: G <- (G - mean(G)) / (std(G) + eps) for each tensor
    with at least two dimensions, std unbiased (seed 000 L194, ref [25]); see the module docstring.

    ``eps`` >= 0 (1e-8 by default). With eps = 0 a constant tensor (std 0) raises a ValueError.
    """
    eps: float = 1e-8
    shapes: Any = None

    no_batch = None

    def __post_init__(self):
        set_field(self, "eps", check_nonnegative("eps", self.eps))
        set_field(self, "shapes", check_shapes(self.shapes))
        for l, sh in enumerate(self.shapes or ()):
            if len(sh) > 1 and math.prod(sh) < 2:
                raise ValueError(f"shapes: ZNorm needs at least two entries per tensor for an unbiased std, "
                                 f"got tensor {l} of shape {sh}")

    def init(self):
        return None

    def apply(self, g, state=None):
        xp, lead = get_xp(g), g.shape[:-1]
        out = g.copy()
        for l, sl, shape, G in _tensors(g, self.shapes):
            if len(shape) < 2:
                continue                                           # a bias is left as it is
            flat = G.reshape(lead + (-1,))
            if flat.shape[-1] < 2:                                 # shapes=None on a vector of length 1
                raise ValueError(f"ZNorm: tensor {l} (shape {shape}) has one entry; its unbiased std is undefined")
            mu = flat.mean(axis=-1, keepdims=True)                               # mean(G^(l))
            sd = xp.std(flat, axis=-1, ddof=1, keepdims=True)                    # Std(G^(l)), ddof = 1
            if self.eps == 0 and bool((sd == 0).any()):
                raise ValueError(f"ZNorm: tensor {l} (shape {shape}) has a constant gradient (std 0), so "
                                 "(G - mean)/std is undefined; set eps > 0")
            out[..., sl] = (flat - mu) / (sd + self.eps)
        return out, None

