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
        # the same with k = lr / sqrt(sumsq) read from a 0-d device array (no host round trip)
        "scaled_step_device": ("T m, raw T sumsq, T lr", "T x",
                               "T s = sumsq[0]; if (s > 0) x = x - (lr / sqrt(s)) * m;"),
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


_BLOCKS, _THREADS = 1024, 256
_AVERAGE_SUMSQ = r"""
extern "C" __global__ void optlab_average_sumsq_{T}(const {T}* g, {T}* m, const {T} one_minus_a,
                                                   const {T} a, {T}* partial, const long long n) {{
    // m <- (1 - a) m + a g in place, and this block's share of sum m^2 (fixed order: deterministic)
    __shared__ {T} acc[{THREADS}];
    {T} s = 0;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {{
        {T} v = one_minus_a * m[i] + a * g[i];
        m[i] = v;
        s += v * v;
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
    """m = (1 - alpha) m + alpha g in place; returns ||m||^2 of the new m as a 0-d device array (kept
    on the GPU: reading it on the host would stall the stream between this pass and the step)."""
    import cupy

    ctype = {"float32": "float", "float64": "double"}[m.dtype.name]
    partial = cupy.empty(_BLOCKS, dtype=m.dtype)
    _average_sumsq_kernel(ctype)((_BLOCKS,), (_THREADS,), (
        g, m, m.dtype.type(1 - alpha), m.dtype.type(alpha), partial, cupy.int64(m.size)))
    return partial.sum()


def normalized_step(x, m, lr, sumsq=None):
    """x -= lr m / ||m|| in place (no step when m = 0). ``sumsq``: ||m||^2 as a 0-d device array, from
    :func:`average_and_norm`; without it the norm is computed on the host, as optlab.algorithms does."""
    if sumsq is None:
        n = math.sqrt(float((m * m).sum()))   # as optlab.algorithms.base.norm
        if n > 0:
            _kernel("scaled_step")(m, lr / n, x)
        return x
    _kernel("scaled_step_device")(m, sumsq, lr, x)
    return x
