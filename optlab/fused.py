"""Fused optimizer updates for CuPy: one elementwise kernel per update instead of a chain of expressions.

On a GPU an update written as array expressions launches a kernel and makes a pass over memory per
operation (Adam: about ten); the bytes that must move are fewer (Adam reads x, g, m, v and writes x, m,
v: seven streams). Each function below does the whole update in one ``cupy.ElementwiseKernel`` pass.

The arithmetic is written in exactly the order of the NumPy code in :mod:`optlab.algorithms`, and the
kernels are compiled without fused multiply-add (``--fmad=false``; CUDA's division and square root are
correctly rounded by default), so a CuPy run follows the NumPy run of the same seed to the last bit.

Functions are called by the algorithms only for CuPy arrays; nothing here imports CuPy at import time.
"""
from __future__ import annotations

import functools
import math

_OPTIONS = ("--fmad=false",)


@functools.lru_cache(maxsize=None)
def _kernel(name):
    import cupy

    specs = {
        # m <- (m - g) b1 + g;  v <- (v - g g) b2 + g g;  x <- x - (m / (sqrt(v) + eps)) scale
        "adam": (
            "T g, T b1, T b2, T scale, T eps", "T x, T m, T v",
            "T gg = g * g; m = (m - g) * b1 + g; v = (v - gg) * b2 + gg; "
            "x = x - (m / (sqrt(v) + eps)) * scale;"),
        # s <- s + g g;  x <- x - c g / sqrt(s [+ eps^2])
        "adagrad": (
            "T g, T c, T eps2", "T x, T s",
            "s = s + g * g; x = x - (g / sqrt(s + eps2)) * c;"),
        "adagrad_noeps": (   # a coordinate whose gradients were all 0 does not move
            "T g, T c", "T x, T s",
            "s = s + g * g; if (s > 0) x = x - (g / sqrt(s)) * c;"),
        # m <- (1 - a) m + a g;  x <- x - lr m
        "sgd_momentum": (
            "T g, T one_minus_a, T a, T lr", "T x, T m",
            "m = one_minus_a * m + a * g; x = x - lr * m;"),
        # x <- x - (lr / ||m||) m  (the norm is reduced before, in one pass over m)
        "scaled_step": ("T m, T k", "T x", "x = x - k * m;"),
    }
    inp, out, body = specs[name]
    return cupy.ElementwiseKernel(inp, out, body, f"optlab_{name}", options=_OPTIONS)


def adam(x, g, m, v, *, b1, b2, scale, eps):
    """One Adam update in place, as optlab.algorithms.adam computes it (``scale`` = eta sqrt(bc2)/bc1,
    ``eps`` already multiplied by sqrt(bc2), 0 in the notes' convention)."""
    _kernel("adam")(g, b1, b2, scale, eps, x, m, v)


def adagrad(x, g, s, *, c, eps):
    """One per-coordinate AdaGrad update in place: s += g^2, x -= c g / sqrt(eps^2 + s)."""
    if eps:
        _kernel("adagrad")(g, c, eps * eps, x, s)
    else:
        _kernel("adagrad_noeps")(g, c, x, s)


def sgd_momentum(x, g, m, *, alpha, lr):
    """One SGD-with-momentum update in place: m = (1 - alpha) m + alpha g, x -= lr m."""
    _kernel("sgd_momentum")(g, 1 - alpha, alpha, lr, x, m)


_BLOCKS, _THREADS = 2048, 256
_AVERAGE_SUMSQ = r"""
extern "C" __global__ void optlab_average_sumsq_{T}(const {T}* g, {T}* m, const {T} one_minus_a,
                                                   const {T} a, {T}* partial, const long long n) {{
    // m <- (1 - a) m + a g in place, and this block's share of sum m^2 (fixed order: deterministic)
    __shared__ {T} acc[{THREADS}];
    {T} s = 0;
    long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i0 = (long long)blockIdx.x * blockDim.x + threadIdx.x; i0 < n; i0 += 4 * stride) {{
        for (int r = 0; r < 4; r++) {{          // four independent elements in flight per thread
            long long i = i0 + r * stride;
            if (i < n) {{
                {T} v = one_minus_a * m[i] + a * g[i];
                m[i] = v;
                s += v * v;
            }}
        }}
    }}
    acc[threadIdx.x] = s;
    __syncthreads();
    for (int k = blockDim.x / 2; k > 0; k >>= 1) {{
        if (threadIdx.x < k) acc[threadIdx.x] += acc[threadIdx.x + k];
        __syncthreads();
    }}
    if (threadIdx.x == 0) partial[blockIdx.x] = acc[0];
}}
"""


@functools.lru_cache(maxsize=None)
def _average_sumsq_kernel(ctype):
    import cupy

    src = _AVERAGE_SUMSQ.format(T=ctype, THREADS=_THREADS)
    return cupy.RawKernel(src, f"optlab_average_sumsq_{ctype}", options=_OPTIONS)


def average_and_norm(m, g, *, alpha):
    """m = (1 - alpha) m + alpha g in place, returning ||m|| of the new m: one pass over m and g
    (the bytes a normalized momentum step must move: read m, g; write m; then read m, x; write x)."""
    import cupy

    ctype = {"float32": "float", "float64": "double"}[m.dtype.name]
    partial = cupy.empty(_BLOCKS, dtype=m.dtype)
    _average_sumsq_kernel(ctype)((_BLOCKS,), (_THREADS,), (
        g, m, m.dtype.type(1 - alpha), m.dtype.type(alpha), partial, cupy.int64(m.size)))
    return math.sqrt(float(partial.sum()))


def normalized_step(x, m, lr, n=None):
    """x -= lr m / ||m|| in place (no step when m = 0); ``n`` is ||m|| when already known."""
    if n is None:
        n = math.sqrt(float((m * m).sum()))   # as optlab.algorithms.base.norm
    if n > 0:
        _kernel("scaled_step")(m, lr / n, x)
    return x
