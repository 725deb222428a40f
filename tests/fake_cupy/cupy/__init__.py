"""A CPU stand-in for CuPy: the CPU-side guard of the GPU backend (no GPU needed).

Its arrays are NumPy arrays underneath but behave like CuPy's at the boundary: mixing one with a plain
NumPy array in an operation raises TypeError (CuPy never copies silently), reductions return 0-d
device arrays, and ``type(a).__module__ == "cupy"`` so optlab's backend detection treats them as
device arrays. Tests put this folder first on ``sys.path`` in a subprocess: any host array that leaks
into a device computation then fails on the CPU, as it would on a GPU. It has no ``cuda`` module, so
``ElementwiseKernel`` paths (optlab.fused) are exercised on the real GPU only.
"""
import numpy as _np

class ndarray(_np.ndarray):
    def __array_ufunc__(self, ufunc, method, *inputs, **kw):
        if any(hasattr(a, "op") and hasattr(a, "value") for a in inputs):
            return NotImplemented   # like CuPy: defer to the graph value's reflected operator
        for a in inputs + tuple(kw.get("out", ())):
            if type(a) is _np.ndarray:
                raise TypeError(f"Unsupported type {type(a)} in {ufunc.__name__} (host array mixed with device array)")
        inputs = [a.view(_np.ndarray) if isinstance(a, ndarray) else a for a in inputs]
        if "out" in kw:
            kw["out"] = tuple(o.view(_np.ndarray) for o in kw["out"])
        r = getattr(ufunc, method)(*inputs, **kw)
        return _wrap(r)
    def __array_function__(self, func, types, args, kwargs):
        return _wrap(func._implementation(*_unwrap(args), **_unwrap(kwargs)) if hasattr(func, "_implementation") else func(*_unwrap(args), **_unwrap(kwargs)))
    def get(self):
        return _np.asarray(self.view(_np.ndarray))
ndarray.__module__ = "cupy"

def _unwrap(a):
    if isinstance(a, ndarray): return a.view(_np.ndarray)
    if isinstance(a, (list, tuple)): return type(a)(_unwrap(x) for x in a)
    if isinstance(a, dict): return {k: _unwrap(v) for k, v in a.items()}
    return a

def _wrap(r):
    if isinstance(r, _np.generic): return _np.asarray(r).view(ndarray)   # CuPy returns 0-d arrays
    if isinstance(r, _np.ndarray) and not isinstance(r, ndarray): return r.view(ndarray)
    if isinstance(r, tuple): return tuple(_wrap(x) for x in r)
    return r

def asarray(a, dtype=None):
    if isinstance(a, ndarray): return a if dtype is None else a.astype(dtype)
    return _np.array(a, dtype=dtype).view(ndarray)

def __getattr__(name):
    f = getattr(_np, name)
    if callable(f) and not isinstance(f, type):
        def g(*args, **kw):
            for x in list(args) + list(kw.values()):
                if type(x) is _np.ndarray:
                    raise TypeError(f"Unsupported type numpy.ndarray passed to cupy.{name}")
            return _wrap(f(*_unwrap(args), **_unwrap(kw)))
        return g
    return f
