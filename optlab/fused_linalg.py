"""GPU kernels for the engine's hot paths: tall-skinny matrix-vector products and the logistic staples.

cuBLAS is tuned for square matrices; for X of shape (n, d) with n in the millions and d small (a
design matrix), ``X @ w`` and ``X.T @ g`` run well below the memory bandwidth. These kernels read X
once, fully coalesced:

* ``matvec``: y = X w, one warp per row (lanes read consecutive columns, then a shuffle reduction),
  four rows at a time so that enough loads are in flight to saturate memory;
* ``rmatvec``: z = X^T g, each warp accumulates its rows' contributions per column in registers,
  blocks reduce in shared memory, and the per-block partial sums are added in a fixed order, so the
  result is deterministic (same bits every run);
* ``sigmoid`` and ``softplus``: one elementwise pass each, with the same overflow-free formulas as
  the NumPy path.

They are used by :mod:`optlab.autodiff.ops` only for CuPy arrays and only inside raw forward functions,
so higher-order derivatives are unaffected. Compiled without fused multiply-add, as optlab.fused.
"""
from __future__ import annotations

import functools

_OPTIONS = ("--fmad=false",)
MAX_COLS = 256            # rmatvec keeps up to MAX_COLS / 32 accumulators per lane
_WARPS, _BLOCKS = 8, 1024

_SRC = r"""
extern "C" __global__ void optlab_matvec_{T}(const {T}* X, const {T}* w, {T}* y, long long n, int d) {{
    // one warp per row, four rows per iteration so that four rows' loads are in flight at once
    int lane = threadIdx.x & 31;
    long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    for (long long i0 = 4 * warp; i0 < n; i0 += 4 * warps) {{
        {T} s[4] = {{0, 0, 0, 0}};
        for (int j = lane; j < d; j += 32) {{
            {T} wj = w[j];
            for (int r = 0; r < 4; r++)
                if (i0 + r < n) s[r] += X[(i0 + r) * d + j] * wj;
        }}
        for (int r = 0; r < 4; r++) {{
            {T} t = s[r];
            for (int k = 16; k > 0; k >>= 1) t += __shfl_down_sync(0xffffffff, t, k);
            if (lane == 0 && i0 + r < n) y[i0 + r] = t;
        }}
    }}
}}

extern "C" __global__ void optlab_rmatvec_{T}(const {T}* X, const {T}* g, {T}* partial, long long n, int d) {{
    __shared__ {T} acc[{WARPS}][{MAX_COLS}];
    int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
    {T} s[{PER_LANE}];
    for (int c = 0; c < {PER_LANE}; c++) s[c] = 0;
    long long warp = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    for (long long i0 = 4 * warp; i0 < n; i0 += 4 * warps) {{   // four rows in flight per warp
        for (int r = 0; r < 4; r++) {{
            long long i = i0 + r;
            if (i >= n) break;
            const {T}* row = X + i * d;
            {T} gi = g[i];
            for (int c = 0; c < {PER_LANE}; c++) {{
                int j = lane + 32 * c;
                if (j < d) s[c] += row[j] * gi;
            }}
        }}
    }}
    for (int c = 0; c < {PER_LANE}; c++) {{
        int j = lane + 32 * c;
        if (j < d) acc[wid][j] = s[c];
    }}
    __syncthreads();
    for (int j = threadIdx.x; j < d; j += blockDim.x) {{
        {T} t = 0;
        for (int k = 0; k < {WARPS}; k++) t += acc[k][j];
        partial[(long long)blockIdx.x * d + j] = t;
    }}
}}
"""


@functools.lru_cache(maxsize=None)
def _module(ctype):
    import cupy

    src = _SRC.format(T=ctype, WARPS=_WARPS, MAX_COLS=MAX_COLS, PER_LANE=MAX_COLS // 32)
    return cupy.RawModule(code=src, options=_OPTIONS)


def _ctype(a):
    return {"float32": "float", "float64": "double"}.get(a.dtype.name)


def usable(X, v):
    """Whether the kernels apply: real CuPy, a C-contiguous float matrix X of at most MAX_COLS columns
    and many rows, and a vector v of the same dtype."""
    import cupy

    return (hasattr(cupy, "RawModule") and X.ndim == 2 and v.ndim == 1 and X.flags.c_contiguous
            and X.shape[1] <= MAX_COLS and X.shape[0] >= 65536 and _ctype(X) is not None
            and v.dtype == X.dtype)


def matvec(X, w):
    """X @ w for a tall-skinny C-contiguous X (see :func:`usable`)."""
    import cupy

    n, d = X.shape
    y = cupy.empty(n, dtype=X.dtype)
    kernel = _module(_ctype(X)).get_function(f"optlab_matvec_{_ctype(X)}")
    kernel((_BLOCKS * 4,), (32 * _WARPS,), (X, cupy.ascontiguousarray(w), y, cupy.int64(n), cupy.int32(d)))
    return y


def rmatvec(X, g):
    """X.T @ g for a tall-skinny C-contiguous X: per-block partial sums added in a fixed order."""
    import cupy

    n, d = X.shape
    partial = cupy.empty((_BLOCKS, d), dtype=X.dtype)
    kernel = _module(_ctype(X)).get_function(f"optlab_rmatvec_{_ctype(X)}")
    kernel((_BLOCKS,), (32 * _WARPS,), (X, cupy.ascontiguousarray(g), partial, cupy.int64(n), cupy.int32(d)))
    return partial.sum(axis=0)


@functools.lru_cache(maxsize=None)
def _elementwise(name):
    import cupy

    body = {
        # exp(min(x, 0)) / (1 + exp(-|x|)): no overflow, full relative precision at both ends
        "sigmoid": "y = exp(min(x, (T)0)) / ((T)1 + exp(-abs(x)));",
        # max(x, 0) + log1p(exp(-|x|)) = log(1 + exp(x)) without overflow
        "softplus": "y = max(x, (T)0) + log1p(exp(-abs(x)));",
    }[name]
    return cupy.ElementwiseKernel("T x", "T y", body, f"optlab_{name}", options=_OPTIONS)


def sigmoid(x):
    return _elementwise("sigmoid")(x)


def softplus(x):
    return _elementwise("softplus")(x)
