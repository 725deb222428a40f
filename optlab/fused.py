"""Fused optimizer updates for CuPy: one elementwise kernel per update instead of a chain of expressions.

On a GPU an update written as array expressions launches a kernel and makes a pass over memory per
operation (Adam: about ten); the bytes that must move are fewer (Adam reads x, g, m, v and writes x, m,
v: seven streams). Each function below does the whole update in one kernel pass: a ``cupy.RawKernel``
that reads 16-byte chunks where the arrays are whole and aligned (the fast case), else the same body
as a ``cupy.ElementwiseKernel`` (any strides).

The arithmetic is written in exactly the order of the NumPy code in :mod:`optlab.algorithms`, and the
kernels are compiled without fused multiply-add (``--fmad=false``; CUDA's division and square root are
correctly rounded by default), so a CuPy run follows the NumPy run of the same seed to the last bit.

Functions are called by the algorithms only for CuPy arrays; nothing here imports CuPy at import time.
"""
from __future__ import annotations

import functools
import math

OPTIONS = ("--fmad=false",)  # every optlab kernel: no fused multiply-add, so rounding matches NumPy


_CTYPES = {"f": "float", "d": "double"}


def ctype(a):
    """The C type of a float32 or float64 array (None for other dtypes)."""
    return _CTYPES.get(a.dtype.char)  # (dtype.char: dtype.name is slow, and this runs per launch)


@functools.lru_cache(maxsize=None)
def multiprocessors():
    """The GPU's number of streaming multiprocessors: kernel grids are sized in multiples of it."""
    import cupy

    return cupy.cuda.Device().attributes["MultiProcessorCount"]


# name: (array inputs, scalar parameters, arrays updated in place, the update of one entry in C).
# The body is written on scalars named after the arrays, in exactly the order of the NumPy code.
_UPDATES = {
    # m <- (m - g) b1 + g;  v <- (v - g g) b2 + g g;  x <- x - (m / (sqrt(v) + eps)) scale
    "adam": ("g", "b1 b2 scale eps", "x m v",
             "T gg = g * g; m = (m - g) * b1 + g; v = (v - gg) * b2 + gg; "
             "x = x - (m / (sqrt(v) + eps)) * scale;"),
    # s <- s + g g;  x <- x - c g / sqrt(s [+ eps^2])
    "adagrad": ("g", "c eps2", "x s", "s = s + g * g; x = x - (g / sqrt(s + eps2)) * c;"),
    "adagrad_noeps": ("g", "c", "x s",   # a coordinate whose gradients were all 0 does not move
                      "s = s + g * g; if (s > 0) x = x - (g / sqrt(s)) * c;"),
    # m <- (1 - a) m + a g;  x <- x - lr m
    "sgd_momentum": ("g", "one_minus_a a lr", "x m", "m = one_minus_a * m + a * g; x = x - lr * m;"),
    # x <- x - (lr / ||m||) m  (the norm is reduced before, in one pass over m)
    "scaled_step": ("m", "k", "x", "x = x - k * m;"),
}


def _spec(name):
    """``(arrays, scalars, updated, body)`` of update ``name``, the names as lists."""
    arrays, scalars, updated, body = _UPDATES[name]
    return arrays.split(), scalars.split(), updated.split(), body


@functools.lru_cache(maxsize=None)
def _kernel(name):
    """The update as a ``cupy.ElementwiseKernel``: any strides, any alignment."""
    import cupy

    if name == "scaled_step_device":  # k = lr / sqrt(sumsq) read from a 0-d device array
        return cupy.ElementwiseKernel("T m, raw T sumsq, T lr", "T x",
                                      "T s = sumsq[0]; if (s > 0) x = x - (lr / sqrt(s)) * m;",
                                      "optlab_scaled_step_device", options=OPTIONS)
    arrays, scalars, updated, body = _spec(name)
    inputs = ", ".join(f"T {a}" for a in arrays + scalars)
    return cupy.ElementwiseKernel(inputs, ", ".join(f"T {a}" for a in updated), body, f"optlab_{name}",
                                  options=OPTIONS)


# The same update reading 16-byte chunks (4 floats or 2 doubles): more bytes in flight per thread than
# one entry at a time, which is what reaches the memory bandwidth (measured on an H100 and an H200).
# Each entry of a chunk runs the same scalar body; the ragged end is done one entry at a time.
_VECTOR_UPDATE = r"""
typedef {T} T;
typedef {VT} VT;
extern "C" __global__ void optlab_{name}({signature}, const long long _n) {{
    // internal names start with '_': the update's own names (c, k, g, ...) must not be shadowed
    const long long _tid = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    const long long _threads = (long long)gridDim.x * blockDim.x;
    const long long _chunks = _n / {V};
    for (long long _c = _tid; _c < _chunks; _c += _threads) {{
        {load}
        {lanes}
        {store}
    }}
    for (long long _i = _chunks * {V} + _tid; _i < _n; _i += _threads) {{
        {tail}
    }}
}}
"""


@functools.lru_cache(maxsize=None)
def _vector_kernel(name, c_type):
    import cupy

    arrays, scalars, updated, body = _spec(name)
    lanes = "xyzw" if c_type == "float" else "xy"
    signature = ", ".join([f"const T* __restrict__ {a}_" for a in arrays] + [f"const T {s}" for s in scalars]
                          + [f"T* __restrict__ {u}_" for u in updated])
    load = " ".join([f"const VT {a}_c = ((const VT*){a}_)[_c];" for a in arrays]
                    + [f"VT {u}_c = ((VT*){u}_)[_c];" for u in updated])
    lane = "{{ {read} {body} {write} }}"
    lanes_src = "\n        ".join(
        lane.format(read=" ".join(f"T {a} = {a}_c.{e};" for a in arrays + updated), body=body,
                    write=" ".join(f"{u}_c.{e} = {u};" for u in updated)) for e in lanes)
    store = " ".join(f"((VT*){u}_)[_c] = {u}_c;" for u in updated)
    tail = lane.format(read=" ".join(f"T {a} = {a}_[_i];" for a in arrays + updated), body=body,
                       write=" ".join(f"{u}_[_i] = {u};" for u in updated))
    src = _VECTOR_UPDATE.format(T=c_type, VT="float4" if c_type == "float" else "double2", V=len(lanes),
                                name=name, signature=signature, load=load, lanes=lanes_src, store=store,
                                tail=tail)
    return cupy.RawKernel(src, f"optlab_{name}", options=OPTIONS)


def _update(name, arrays, scalars, updated, blocks=None):
    """Run update ``name``: the vector kernel on whole, aligned arrays of one float dtype, else the
    ElementwiseKernel (a strided view, say). The scalars are cast to the arrays' dtype either way."""
    import cupy

    everything = arrays + updated
    dtype = updated[0].dtype
    if all(a.dtype == dtype for a in everything) and _vectorizable(*everything):
        kernel = _vector_kernel(name, ctype(updated[0]))
        args = (*arrays, *(dtype.type(s) for s in scalars), *updated, cupy.int64(updated[0].size))
        kernel((blocks or _blocks(128),), (_THREADS,), args)
    else:
        _kernel(name)(*arrays, *scalars, *updated)


def adam(x, g, m, v, *, b1, b2, scale, eps):
    """One Adam update in place, as optlab.algorithms.adam computes it (``scale`` = eta sqrt(bc2)/bc1,
    ``eps`` already multiplied by sqrt(bc2), 0 in the notes' convention)."""
    _update("adam", [g], [b1, b2, scale, eps], [x, m, v])


def adagrad(x, g, s, *, c, eps):
    """One per-coordinate AdaGrad update in place: s += g^2, x -= c g / sqrt(eps^2 + s)."""
    if eps:
        _update("adagrad", [g], [c, eps * eps], [x, s])
    else:
        _update("adagrad_noeps", [g], [c], [x, s])


def sgd_momentum(x, g, m, *, alpha, lr):
    """One SGD-with-momentum update in place: m = (1 - alpha) m + alpha g, x -= lr m."""
    _update("sgd_momentum", [g], [1 - alpha, alpha, lr], [x, m])


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
        for (int u = 0; u < U; u++) {{
            gvs[u] = ((const VT*)g)[c + u * threads];
            mvs[u] = ((VT*)m)[c + u * threads];
        }}
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

extern "C" __global__ void optlab_normalized_step(T* __restrict__ x, const T* __restrict__ m,
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


@functools.lru_cache(maxsize=None)
def _normalized_function(c_type, unroll, name):
    """A kernel of :func:`_normalized_module`, looked up once."""
    return _normalized_module(c_type, unroll).get_function(name)


def _blocks(per_multiprocessor):
    """A grid of ``per_multiprocessor`` blocks of 256 threads per multiprocessor. Measured on an H100
    (d = 2^26): 64 for the averaging pass (1.18x its three streams, against 1.22x with 8) and 128
    for the step (1.10x, against 1.18x with 8); more blocks than resident ones hide the memory latency
    of each thread's next chunk."""
    return per_multiprocessor * multiprocessors()


def _vectorizable(*arrays):
    return all(a.flags.c_contiguous and a.data.ptr % 16 == 0 and a.dtype.char in _CTYPES
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
    _normalized_function(ctype(m), unroll, "optlab_average_sumsq")((blocks,), (_THREADS,), (
        g, m, m.dtype.type(1 - alpha), m.dtype.type(alpha), partial, cupy.int64(m.size)))
    return partial.sum()


def normalized_step(x, m, lr, sumsq=None, blocks=None):
    """x -= lr m / ||m|| in place (no step when m = 0). ``sumsq``: ||m||^2 as a 0-d device array, from
    :func:`average_and_norm`; without it the norm is computed on the host, as optlab.algorithms does."""
    import cupy

    if sumsq is None:
        n = math.sqrt(float((m * m).sum()))   # as optlab.algorithms.base.norm
        if n > 0:
            _update("scaled_step", [m], [lr / n], [x])
        return x
    if not _vectorizable(x, m) or x.dtype != m.dtype:
        _kernel("scaled_step_device")(m, sumsq, lr, x)
        return x
    _normalized_function(ctype(x), None, "optlab_normalized_step")((blocks or _blocks(128),), (_THREADS,), (
        x, m, sumsq.astype(x.dtype, copy=False), x.dtype.type(lr), cupy.int64(x.size)))
    return x


# ------------------------------------------------------------------------------ counter-based normals
def has_kernels(xp):
    """Whether the namespace ``xp`` compiles CUDA kernels (CuPy on a GPU; not NumPy, not a stand-in)."""
    return getattr(xp, "ElementwiseKernel", None) is not None


_SPLITMIX = r"""
__device__ unsigned long long optlab_splitmix(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
__device__ double optlab_uniform(unsigned long long key, unsigned long long t, unsigned long long i) {
    unsigned long long ctr = optlab_splitmix((t << 32) + i + 0x9E3779B97F4A7C15ULL);
    unsigned long long z = optlab_splitmix(key ^ ctr);
    return ((double)(z >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}
"""


@functools.lru_cache(maxsize=None)
def _counter_kernel():
    import cupy

    return cupy.ElementwiseKernel(
        "uint64 key, uint64 t, int64 n", "float64 z",
        "long long j = i % n;  /* the coordinate: u1 is number j, u2 number n + j of the (seed, t) stream */"
        "double u1 = optlab_uniform(key, t, (unsigned long long)j);"
        "double u2 = optlab_uniform(key, t, (unsigned long long)(n + j));"
        "z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);",
        "optlab_counter_normals", preamble=_SPLITMIX, options=OPTIONS)


def counter_normals(keys, t, n):
    """The (S, n) normals of :func:`optlab.problems.streams.counter_normals` in one kernel pass, from the
    seeds' hashed keys (an (S,) uint64 device array): the same integer hashing, the same Box-Muller
    arithmetic (up to the last bits of the device's log and cos)."""
    import cupy

    out = cupy.empty((keys.shape[0], n), dtype=cupy.float64)
    return _counter_kernel()(keys[:, None], cupy.uint64(t), n, out)
