"""GPU kernels for the engine's hot paths: tall-skinny matrix-vector products and the logistic staples.

A logistic-regression gradient on a design matrix X of shape (n, d), n in the millions and d small,
is two passes over X: ``X @ w`` forward and ``X.T @ g`` backward. Each should take the time of one
read of X. cuBLAS does not reach that for such shapes (on an H100, float32: 1.65x for ``X @ w`` and
1.1x for ``X.T @ g``). These kernels read X once each, fully coalesced, with 16-byte loads:

* ``matvec``, y = X w: a row is split into 16-byte chunks (4 floats or 2 doubles); ``W`` lanes of a
  warp share a row (W = chunks per row, at most 32), so one warp instruction loads 512 consecutive
  bytes; each lane keeps its slice of w in registers, and a shuffle reduction over the W lanes
  finishes each row. ``UNROLL`` rows per lane are loaded before any is reduced, so that enough bytes
  are in flight to saturate memory.
* ``rmatvec``, g = X^T r: the same layout; each lane accumulates its columns over the rows it visits,
  the warp and then the block add their lanes in a fixed order, and a second small kernel adds the
  per-block partial sums. The order of every addition is fixed: the result is deterministic.
* ``sigmoid``, ``softplus`` and ``mul_sigmoid`` (g * sigmoid(x), the VJP of softplus): one
  elementwise pass each, with the same overflow-free formulas as the NumPy path.

Shapes the vector kernels do not cover (chunks per row neither a power of two up to 32 nor a multiple
of 32, or a misaligned view) use a scalar kernel (one warp per row) or cuBLAS. The engine calls these
only for CuPy arrays inside raw forward functions and first-order VJPs, so higher-order derivatives
are unaffected. Compiled without fused multiply-add, as :mod:`optlab.fused`.
"""
from __future__ import annotations

import functools

from .fused import OPTIONS, ctype as _ctype, multiprocessors
MAX_COLS = 256            # wider matrices are left to cuBLAS
MIN_ROWS = 65536          # shorter ones too: launch overhead dominates
_WARPS = 8                # warps per block
UNROLL = 4                # rows per lane loaded before reducing (bytes in flight)

_SCALAR_SRC = r"""
extern "C" __global__ void optlab_matvec_{T}(const {T}* X, const {T}* w, {T}* y, long long n, int d) {{
    // one warp per row, {ROWS} rows per iteration so that enough loads are in flight at once
    int lane = threadIdx.x & 31;
    long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    for (long long i0 = {ROWS} * warp; i0 < n; i0 += {ROWS} * warps) {{
        {T} s[{ROWS}];
        for (int r = 0; r < {ROWS}; r++) s[r] = 0;
        for (int j = lane; j < d; j += 32) {{
            {T} wj = w[j];
            for (int r = 0; r < {ROWS}; r++)
                if (i0 + r < n) s[r] += X[(i0 + r) * d + j] * wj;
        }}
        for (int r = 0; r < {ROWS}; r++) {{
            {T} t = s[r];
            for (int k = 16; k > 0; k >>= 1) t += __shfl_down_sync(0xffffffff, t, k);
            if (lane == 0 && i0 + r < n) y[i0 + r] = t;
        }}
    }}
}}
"""

# C: 16-byte chunks per row; W = min(C, 32) lanes per row; K = C / W chunks per lane; R = 32 / W rows
# per warp instruction; U rows per lane in flight. DOT(v, a) is the chunk's dot product, in order.
_VECTOR_SRC = r"""
#define C {C}
#define W {W}
#define K {K}
#define R {R}
#define U {U}
typedef {T} T;
typedef {VT} VT;
__device__ __forceinline__ T dot_chunk(VT v, const T* a) {{ return {DOT}; }}
__device__ __forceinline__ void add_chunk(T* a, VT v, T r) {{ {AXPY} }}

extern "C" __global__ void optlab_matvec(const VT* __restrict__ X, const T* __restrict__ w,
                                         T* __restrict__ y, long long n) {{
    const int lane = threadIdx.x & 31, sub = lane % W, row = lane / W;
    T wr[K][{V}];                                    // this lane's slice of w, in registers
    for (int k = 0; k < K; k++)
        for (int e = 0; e < {V}; e++) wr[k][e] = w[(sub + k * W) * {V} + e];
    const long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    for (long long base = warp * (R * U); base < n; base += warps * (R * U)) {{  // warp-uniform
        T s[U];
        #pragma unroll
        for (int u = 0; u < U; u++) {{
            const long long i = base + u * R + row;
            s[u] = 0;
            if (i < n) {{
                #pragma unroll
                for (int k = 0; k < K; k++) s[u] += dot_chunk(X[i * C + sub + k * W], wr[k]);
            }}
        }}
        #pragma unroll
        for (int u = 0; u < U; u++) {{
            for (int o = W / 2; o > 0; o >>= 1) s[u] += __shfl_xor_sync(0xffffffff, s[u], o);
            const long long i = base + u * R + row;
            if (sub == 0 && i < n) y[i] = s[u];
        }}
    }}
}}

extern "C" __global__ void optlab_rmatvec(const VT* __restrict__ X, const T* __restrict__ r,
                                          T* __restrict__ partial, long long n) {{
    // partial[block, :] = sum over this block's rows i of r[i] X[i, :]
    __shared__ T by_warp[{WARPS}][C * {V}];
    const int lane = threadIdx.x & 31, sub = lane % W, row = lane / W;
    T acc[K][{V}];
    for (int k = 0; k < K; k++)
        for (int e = 0; e < {V}; e++) acc[k][e] = 0;
    const long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    for (long long base = warp * (R * U); base < n; base += warps * (R * U)) {{
        #pragma unroll
        for (int u = 0; u < U; u++) {{
            const long long i = base + u * R + row;
            if (i < n) {{
                const T ri = r[i];
                #pragma unroll
                for (int k = 0; k < K; k++) add_chunk(acc[k], X[i * C + sub + k * W], ri);
            }}
        }}
    }}
    for (int o = W; o < 32; o <<= 1)                 // the warp's R row groups, added pairwise
        for (int k = 0; k < K; k++)
            for (int e = 0; e < {V}; e++) acc[k][e] += __shfl_xor_sync(0xffffffff, acc[k][e], o);
    if (row == 0)
        for (int k = 0; k < K; k++)
            for (int e = 0; e < {V}; e++) by_warp[threadIdx.x >> 5][(sub + k * W) * {V} + e] = acc[k][e];
    __syncthreads();
    for (int j = threadIdx.x; j < C * {V}; j += blockDim.x) {{  // the block's warps, in order
        T s = 0;
        for (int v = 0; v < {WARPS}; v++) s += by_warp[v][j];
        partial[(long long)blockIdx.x * (C * {V}) + j] = s;
    }}
}}

extern "C" __global__ void optlab_sum_partials(const T* __restrict__ partial, T* __restrict__ out,
                                               int blocks) {{
    // out[j] = sum over b of partial[b, j]: block j adds its column in a fixed-order tree
    __shared__ T acc[{SUM_THREADS}];
    const int j = blockIdx.x, d = gridDim.x;
    T s = 0;
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) s += partial[(long long)b * d + j];
    acc[threadIdx.x] = s;
    __syncthreads();
    for (int k = blockDim.x / 2; k > 0; k >>= 1) {{
        if (threadIdx.x < k) acc[threadIdx.x] += acc[threadIdx.x + k];
        __syncthreads();
    }}
    if (threadIdx.x == 0) out[j] = acc[0];
}}
"""
_SUM_THREADS = 256


@functools.lru_cache(maxsize=None)
def _scalar_module(ctype):
    import cupy

    src = _SCALAR_SRC.format(T=ctype, ROWS=8 if ctype == "float" else 4)
    return cupy.RawModule(code=src, options=OPTIONS)


def _chunks(ctype, d):
    """``(C, W, K)`` of the vector kernels for rows of ``d`` entries, or None if they do not apply."""
    per = 4 if ctype == "float" else 2          # entries per 16-byte chunk
    if d % per:
        return None
    C = d // per
    if C <= 32 and C & (C - 1) == 0:
        return C, C, 1
    if C % 32 == 0:
        return C, 32, C // 32
    return None


@functools.lru_cache(maxsize=None)
def _vector_module(ctype, d, unroll):
    import cupy

    C, W, K = _chunks(ctype, d)
    if ctype == "float":
        vt, v = "float4", 4
        dot = "v.x * a[0] + v.y * a[1] + v.z * a[2] + v.w * a[3]"
        axpy = "a[0] += v.x * r; a[1] += v.y * r; a[2] += v.z * r; a[3] += v.w * r;"
    else:
        vt, v = "double2", 2
        dot = "v.x * a[0] + v.y * a[1]"
        axpy = "a[0] += v.x * r; a[1] += v.y * r;"
    src = _VECTOR_SRC.format(C=C, W=W, K=K, R=32 // W, U=unroll, T=ctype, VT=vt, V=v, DOT=dot,
                             AXPY=axpy, WARPS=_WARPS, SUM_THREADS=_SUM_THREADS)
    return cupy.RawModule(code=src, options=OPTIONS)


@functools.lru_cache(maxsize=None)
def _vector_function(ctype, d, unroll, name):
    """A kernel of :func:`_vector_module` (looked up once: the lookup costs microseconds per launch)."""
    return _vector_module(ctype, d, unroll).get_function(name)


def _blocks():
    """Enough resident blocks to fill the GPU: 8 per multiprocessor (8 warps each)."""
    return 8 * multiprocessors()


def _vector_ok(X):
    return _chunks(_ctype(X), X.shape[1]) is not None and X.data.ptr % 16 == 0


def usable(X, v):
    """Whether the kernels compute ``X @ v``: real CuPy, a C-contiguous float matrix X of at most
    MAX_COLS columns and at least MIN_ROWS rows, and a vector v of the same dtype."""
    import cupy

    return (hasattr(cupy, "RawModule") and X.ndim == 2 and v.ndim == 1 and X.flags.c_contiguous
            and X.shape[1] <= MAX_COLS and X.shape[0] >= MIN_ROWS and _ctype(X) is not None
            and v.dtype == X.dtype)


def usable_transposed(A, r):
    """Whether ``A @ r`` is ``X.T @ r`` for a matrix X that :func:`rmatvec` handles (A = X.T)."""
    return (A.ndim == 2 and r.ndim == 1 and A.flags.f_contiguous and not A.flags.c_contiguous
            and usable(A.T, r) and _vector_ok(A.T))


def matvec(X, w, unroll=None, blocks=None):
    """X @ w for a tall-skinny C-contiguous X (see :func:`usable`)."""
    import cupy

    n, d = X.shape
    y = cupy.empty(n, dtype=X.dtype)
    w = cupy.ascontiguousarray(w)
    if _vector_ok(X):
        kernel = _vector_function(_ctype(X), d, unroll or UNROLL, "optlab_matvec")
        if blocks is None:  # many blocks, each a few rows at a time: better than one resident wave here
            rows = (32 // _chunks(_ctype(X), d)[1]) * (unroll or UNROLL) * _WARPS
            blocks = min(-(-n // rows), 16 * _blocks())
        kernel((blocks,), (32 * _WARPS,), (X, w, y, cupy.int64(n)))
    else:
        kernel = _scalar_module(_ctype(X)).get_function(f"optlab_matvec_{_ctype(X)}")
        kernel((4096,), (32 * _WARPS,), (X, w, y, cupy.int64(n), cupy.int32(d)))
    return y


def rmatvec(X, r, unroll=None, blocks=None):
    """X.T @ r for a tall-skinny C-contiguous X (see :func:`usable_transposed`); deterministic."""
    import cupy

    n, d = X.shape
    blocks = blocks or _blocks() // 2  # 4 per multiprocessor: fewer partial sums (measured best)
    partial = cupy.empty((blocks, d), dtype=X.dtype)
    out = cupy.empty(d, dtype=X.dtype)
    ctype, unroll = _ctype(X), unroll or UNROLL
    _vector_function(ctype, d, unroll, "optlab_rmatvec")((blocks,), (32 * _WARPS,), (
        X, cupy.ascontiguousarray(r), partial, cupy.int64(n)))
    # the partial sums added by a second small kernel (a CuPy reduction costs more to launch)
    _vector_function(ctype, d, unroll, "optlab_sum_partials")((d,), (_SUM_THREADS,), (
        partial, out, cupy.int32(blocks)))
    return out


@functools.lru_cache(maxsize=None)
def _elementwise(name):
    import cupy

    sigmoid = "exp(min(x, (T)0)) / ((T)1 + exp(-abs(x)))"
    inputs, body = {
        # exp(min(x, 0)) / (1 + exp(-|x|)): no overflow, full relative precision at both ends
        "sigmoid": ("T x", f"y = {sigmoid};"),
        # max(x, 0) + log1p(exp(-|x|)) = log(1 + exp(x)) without overflow
        "softplus": ("T x", "y = max(x, (T)0) + log1p(exp(-abs(x)));"),
        # g * sigmoid(x), rounded as the two separate passes would be (sigmoid first)
        "mul_sigmoid": ("T g, T x", f"T s = {sigmoid}; y = g * s;"),
    }[name]
    return cupy.ElementwiseKernel(inputs, "T y", body, f"optlab_{name}", options=OPTIONS)


def sigmoid(x):
    return _elementwise("sigmoid")(x)


def softplus(x):
    return _elementwise("softplus")(x)


def mul_sigmoid(g, x):
    """g * sigmoid(x) in one pass (g broadcasts against x and has its dtype)."""
    return _elementwise("mul_sigmoid")(g, x)
