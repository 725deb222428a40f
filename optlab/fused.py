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

OPTIONS = ("--fmad=false",)  # every optlab kernel: no fused multiply-add, so rounding matches NumPy


def ctype(a):
    """The C type of a float32 or float64 array (None for other dtypes)."""
    return {"float32": "float", "float64": "double"}.get(a.dtype.name)


@functools.lru_cache(maxsize=None)
def multiprocessors():
    """The GPU's number of streaming multiprocessors: kernel grids are sized in multiples of it."""
    import cupy

    return cupy.cuda.Device().attributes["MultiProcessorCount"]


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
    return cupy.ElementwiseKernel(inp, out, body, f"optlab_{name}", options=OPTIONS)


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


_THREADS = 256
# Both kernels of a normalized step read 16-byte chunks (4 floats or 2 doubles) so that enough bytes
# are in flight to saturate memory; the ragged end (fewer than a chunk) is done one entry at a time.
# The arithmetic of each entry is that of the scalar code, in the same order.
_NORMALIZED = r"""
typedef {T} T;
typedef {VT} VT;
#define V {V}
#define U {U}

__device__ __forceinline__ T average(T m, T g, T one_minus_a, T a) {{ return one_minus_a * m + a * g; }}

extern "C" __global__ void optlab_average_sumsq(const T* __restrict__ g, T* __restrict__ m,
                                               const T one_minus_a, const T a,
                                               T* __restrict__ partial, const long long n) {{
    // m <- (1 - a) m + a g in place, and this block's share of sum m^2 (fixed order: deterministic)
    __shared__ T acc[{THREADS}];
    T s = 0;
    const long long tid = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const long long threads = (long long)gridDim.x * blockDim.x;
    const long long chunks = n / V;
    long long c = tid;
    for (; c + (U - 1) * threads < chunks; c += U * threads) {{   // U chunks in flight per thread
        VT gvs[U], mvs[U];
        #pragma unroll
        for (int u = 0; u < U; u++) {{ gvs[u] = ((const VT*)g)[c + u * threads]; mvs[u] = ((VT*)m)[c + u * threads]; }}
        #pragma unroll
        for (int u = 0; u < U; u++) {{
            VT gv = gvs[u], mv = mvs[u];
            {AVERAGE}
            ((VT*)m)[c + u * threads] = mv;
            {SUMSQ}
        }}
    }}
    for (; c < chunks; c += threads) {{
        VT gv = ((const VT*)g)[c], mv = ((VT*)m)[c];
        {AVERAGE}
        ((VT*)m)[c] = mv;
        {SUMSQ}
    }}
    for (long long i = chunks * V + tid; i < n; i += threads) {{
        T v = average(m[i], g[i], one_minus_a, a);
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

extern "C" __global__ void optlab_scaled_step(T* __restrict__ x, const T* __restrict__ m,
                                             const T* __restrict__ sumsq, const T lr, const long long n) {{
    // x <- x - (lr / sqrt(sumsq)) m, no step when sumsq = 0
    const T total = sumsq[0];
    if (!(total > 0)) return;
    const T k = lr / sqrt(total);
    const long long tid = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const long long threads = (long long)gridDim.x * blockDim.x;
    const long long chunks = n / V;
    for (long long c = tid; c < chunks; c += threads) {{
        VT xv = ((VT*)x)[c], mv = ((const VT*)m)[c];
        {STEP}
        ((VT*)x)[c] = xv;
    }}
    for (long long i = chunks * V + tid; i < n; i += threads) x[i] = x[i] - k * m[i];
}}
"""


UNROLL = 2


@functools.lru_cache(maxsize=None)
def _normalized_module(c_type, unroll=None):
    import cupy

    lanes = "xyzw" if c_type == "float" else "xy"
    src = _NORMALIZED.format(
        T=c_type, VT="float4" if c_type == "float" else "double2", V=len(lanes), THREADS=_THREADS,
        U=unroll or UNROLL,
        AVERAGE=" ".join(f"mv.{e} = average(mv.{e}, gv.{e}, one_minus_a, a);" for e in lanes),
        SUMSQ=" ".join(f"s += mv.{e} * mv.{e};" for e in lanes),
        STEP=" ".join(f"xv.{e} = xv.{e} - k * mv.{e};" for e in lanes))
    return cupy.RawModule(code=src, options=OPTIONS)


def _blocks(per_multiprocessor):
    """A grid of ``per_multiprocessor`` blocks of 256 threads per multiprocessor. Measured on an H100
    (d = 2^26): 64 for the averaging pass (1.18x its three streams, against 1.22x with 8) and 128
    for the step (1.10x, against 1.18x with 8); more blocks than resident ones hide the memory latency
    of each thread's next chunk."""
    return per_multiprocessor * multiprocessors()


def _vectorizable(*arrays):
    return all(a.flags.c_contiguous and a.data.ptr % 16 == 0 and a.dtype.name in ("float32", "float64")
               for a in arrays)


def average_and_norm(m, g, *, alpha, unroll=None, blocks=None):
    """m = (1 - alpha) m + alpha g in place; returns ||m||^2 of the new m as a 0-d device array (kept
    on the GPU: reading it on the host would stall the stream between this pass and the step)."""
    import cupy

    if not _vectorizable(m, g) or g.dtype != m.dtype:   # a strided view: plain CuPy, same arithmetic
        m[...] = (1 - alpha) * m + alpha * g
        return (m * m).sum()
    blocks = blocks or _blocks(64)
    partial = cupy.empty(blocks, dtype=m.dtype)
    kernel = _normalized_module(ctype(m), unroll)
    kernel.get_function("optlab_average_sumsq")((blocks,), (_THREADS,), (
        g, m, m.dtype.type(1 - alpha), m.dtype.type(alpha), partial, cupy.int64(m.size)))
    return partial.sum()


def normalized_step(x, m, lr, sumsq=None, blocks=None):
    """x -= lr m / ||m|| in place (no step when m = 0). ``sumsq``: ||m||^2 as a 0-d device array, from
    :func:`average_and_norm`; without it the norm is computed on the host, as optlab.algorithms does."""
    import cupy

    if sumsq is None:
        n = math.sqrt(float((m * m).sum()))   # as optlab.algorithms.base.norm
        if n > 0:
            _kernel("scaled_step")(m, lr / n, x)
        return x
    if not _vectorizable(x, m) or x.dtype != m.dtype:
        _kernel("scaled_step_device")(m, sumsq, lr, x)
        return x
    kernel = _normalized_module(ctype(x))
    kernel.get_function("optlab_scaled_step")((blocks or _blocks(128),), (_THREADS,), (
        x, m, sumsq.astype(x.dtype, copy=False), x.dtype.type(lr), cupy.int64(x.size)))
    return x
