"""GPU kernels for the engine's hot paths: tall-skinny matrix-vector products and the logistic staples.

For X of shape (n, d) with n in the millions and d small (a design matrix), cuBLAS computes ``X @ w``
well below the memory bandwidth (measured on an H100: 1.67x the time of one read of X in float32; its
``X.T @ g`` is fine, 1.13x, and is kept). These kernels read X once, fully coalesced:

* ``matvec``: y = X w, one warp per row (lanes read consecutive columns, then a shuffle reduction),
  four rows at a time so that enough loads are in flight to saturate memory;
* ``sigmoid`` and ``softplus``: one elementwise pass each, with the same overflow-free formulas as
  the NumPy path.

They are used by :mod:`optlab.autodiff.ops` only for CuPy arrays and only inside raw forward functions,
so higher-order derivatives are unaffected. Compiled without fused multiply-add, as optlab.fused.
"""
from __future__ import annotations

import functools

_OPTIONS = ("--fmad=false",)
MAX_COLS = 256            # wider matrices are left to cuBLAS
_WARPS, _BLOCKS = 8, 1024

_SRC = r"""
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


@functools.lru_cache(maxsize=None)
def _module(ctype):
    import cupy

    src = _SRC.format(T=ctype, ROWS=8 if ctype == "float" else 4)
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
