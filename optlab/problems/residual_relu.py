"""A residual ReLU network on a two-spiral classification task, for slides 004's deep-learning example (E4).

``residual_relu(width, depth, n, seed)`` is the logistic loss of a network whose parameters are the vector
x (layout in :func:`layer_shapes`):

    z_1 = relu(A_0 u + b_0)                          (input u in R^2 -> width)
    z_{l+1} = z_l + relu(A_l z_l + b_l),  l = 1 .. depth - 1   (residual blocks of the same width)
    q = B z_depth + c                                (width -> 2, linear)
    s(u) = <v, q> + e                                (2 -> 1, the score)
    f(x) = (1/n) sum_i log(1 + exp(-y_i s(u_i)))

so ``width=5, depth=3`` is the slides' "3x5, 2, 1" net (5 layers) and ``width=25, depth=15`` their
"15x25, 2, 1" net (17 layers). The 2-unit layer is linear here: with a ReLU on it, plain SGD on the larger
nets often switched both units off for good in our runs (the net is then constant, loss log 2), a
different lesson from the one E4 teaches. The data are n points on two interleaved spirals (labels +-1, a little
Gaussian jitter): no line separates them, so a small net cannot fit them and a wide, deep one can.

Assumptions, honestly: **nonconvex** and **not smooth** (the ReLU kinks make the gradient jump), so
optlab states no H, G, mu or rho; f >= 0 but f_* is not known (0 is approached, not attained). The
gradient is the backpropagation written out in NumPy below (at a kink, ReLU'(0) = 0) and serves as an
independent check of the engine's gradient of ``f`` (tests compare both, and finite differences,
away from kinks). ``x0(seed)`` is a He-type initialisation (the residual branches scaled by
1/sqrt(depth) so the forward pass stays bounded as depth grows), drawn from ``seed``.

Source: SGD lecture slides (seed 004) L621-653 (E4: final losses 0.17 vs 1.8e-4 for the two nets); the
spiral data, sizes and initialisation are optlab's own (the slides do not give theirs).

Example:
    >>> p = residual_relu(width=5, depth=3, n=40, seed=0)
    >>> p.d, sorted(p.assumptions)
    (90, ['finite_sum', 'nonconvex'])
    >>> import numpy as np
    >>> x = p.x0(seed=1)
    >>> bool(np.allclose(p.grad(x), p.engine_grad(x)))
    True
"""
from __future__ import annotations

import functools
import math

import numpy

import optlab.numpy as onp

from .base import DeviceData, FiniteSumProblem, check_int, check_nonnegative


def layer_shapes(width, depth):
    """[(name, shape)] in the order the parameters sit in x."""
    shapes = [("A0", (width, 2)), ("b0", (width,))]
    for l in range(1, depth):
        shapes += [(f"A{l}", (width, width)), (f"b{l}", (width,))]
    return shapes + [("B", (2, width)), ("c", (2,)), ("v", (2,)), ("e", ())]


@functools.lru_cache(maxsize=None)
def _layout(width, depth):
    """[(name, start, stop, shape)]: where each parameter sits in x (computed once per architecture)."""
    out, at = [], 0
    for name, shape in layer_shapes(width, depth):
        size = int(numpy.prod(shape))
        out.append((name, at, at + size, shape))
        at += size
    return tuple(out)


def unpack(x, width, depth):
    """The parameters as a dict of arrays (views of x; works on engine variables too)."""
    return {name: x[a:b].reshape(shape) if shape else x[a] for name, a, b, shape in _layout(width, depth)}


def spirals(n, seed=0, jitter=0.05):
    """n points on two interleaved spirals (1.5 turns each), labels +1 / -1, radius <= 1."""
    n = check_int("n", n)
    rng = numpy.random.default_rng(seed)
    t = numpy.sqrt(rng.uniform(0.05, 1.0, n)) * 3 * math.pi
    y = numpy.where(numpy.arange(n) % 2 == 0, 1.0, -1.0)
    U = numpy.stack([t * numpy.cos(t) * y, t * numpy.sin(t) * y], axis=1) / (3 * math.pi)
    return U + jitter * rng.standard_normal((n, 2)), y


class ResidualReLUProblem(FiniteSumProblem):
    """A FiniteSumProblem whose ``x0(seed)`` is a fresh network initialisation (not default + N(0, I))."""

    def x0(self, seed=0):
        rng = numpy.random.default_rng(seed)
        w, L = self.width, self.depth
        parts = []
        for name, shape in layer_shapes(w, L):
            fan_in = shape[-1] if len(shape) == 2 else 1
            if name.startswith("A") and name != "A0":      # residual branch: scaled down with depth
                parts.append(rng.standard_normal(shape) * math.sqrt(2 / fan_in / L))
            elif name == "A0":
                parts.append(rng.standard_normal(shape) * math.sqrt(2 / fan_in))
            elif name == "B":
                parts.append(rng.standard_normal(shape) * math.sqrt(1 / fan_in))
            elif name == "v":
                parts.append(rng.standard_normal(shape))
            else:                                             # biases: small positive, so ReLUs start alive
                parts.append(numpy.full(shape, 0.01))
        from ..backend import to_backend

        return to_backend(numpy.concatenate([numpy.ravel(q) for q in parts]))


def residual_relu(width=5, depth=3, n=100, seed=0, jitter=0.05):
    """Logistic loss of a residual ReLU net (``depth`` layers of ``width``, then 2, then 1) on n spiral points."""
    width, depth = check_int("width", width), check_int("depth", depth)
    jitter = check_nonnegative("jitter", jitter)
    U, y = spirals(n, seed=seed, jitter=jitter)
    d = _layout(width, depth)[-1][2]
    data = DeviceData(U, y)

    def f_i(x, idx):
        _, U_, y_ = data(x)
        P = unpack(x, width, depth)
        z = onp.relu(U_[idx] @ onp.transpose(P["A0"]) + P["b0"])
        for l in range(1, depth):
            z = z + onp.relu(z @ onp.transpose(P[f"A{l}"]) + P[f"b{l}"])
        q = z @ onp.transpose(P["B"]) + P["c"]
        s = q @ P["v"] + P["e"]
        return onp.mean(onp.softplus(-y_[idx] * s))

    def grad_i(x, idx):
        """Backpropagation by hand: the chain rule layer by layer, ReLU'(0) = 0."""
        xp, U_, y_ = data(x)
        P, Ui, yi = unpack(x, width, depth), U_[idx], y_[idx]
        pre, zs = [Ui @ P["A0"].T + P["b0"]], []
        z = xp.maximum(pre[0], 0)
        zs.append(z)
        for l in range(1, depth):
            pre.append(z @ P[f"A{l}"].T + P[f"b{l}"])
            z = z + xp.maximum(pre[-1], 0)
            zs.append(z)
        q = z @ P["B"].T + P["c"]
        s = q @ P["v"] + P["e"]
        ds = -yi * xp.exp(-xp.logaddexp(0.0, yi * s)) / len(idx)   # d/ds of mean softplus(-y s)
        G = {"v": q.T @ ds, "e": xp.sum(ds)}
        dq = xp.outer(ds, P["v"])
        G["B"], G["c"] = dq.T @ zs[-1], dq.sum(axis=0)
        dz = dq @ P["B"]
        for l in range(depth - 1, 0, -1):                      # z_{l+1} = z_l + relu(A_l z_l + b_l)
            dpre = dz * (pre[l] > 0)
            G[f"A{l}"], G[f"b{l}"] = dpre.T @ zs[l - 1], dpre.sum(axis=0)
            dz = dz + dpre @ P[f"A{l}"]
        dpre = dz * (pre[0] > 0)
        G["A0"], G["b0"] = dpre.T @ Ui, dpre.sum(axis=0)
        out = xp.empty(d)
        for name, a, b, _ in _layout(width, depth):
            out[a:b] = xp.ravel(G[name])
        return out

    p = ResidualReLUProblem(f_i, n, d, f"residual ReLU net ({depth}x{width}, 2, 1) on {n} spiral points",
                            grad_i=grad_i, assumptions={"nonconvex"},
                            source="seed 004 L621-653 (E4); spiral data and sizes optlab's own",
                            notes="ReLU kinks: not smooth; no constant is claimed; f_* unknown (infimum 0 "
                                  "approached by a net that separates the data)",
                            extra={"width": width, "depth": depth})
    p.width, p.depth, p.U, p.y = width, depth, U, y
    return p
