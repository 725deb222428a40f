"""Array backends: which namespace (NumPy or CuPy) an array belongs to, and host-side helpers.

optlab never hard-wires ``numpy`` inside a computation: every primitive asks its inputs for their
namespace with :func:`get_xp`, so CuPy arrays flow through the same code. Randomness is always drawn on
the host with :class:`numpy.random.Generator` and moved to the device afterwards, so a NumPy run and a
CuPy run with the same seed follow the same sample path.

The backend used to *create* arrays (problems' data, starting points) is chosen once with
:func:`set_backend` (``"numpy"``, the default, or ``"cupy"``); arrays passed in keep their own.

Example:
    >>> import numpy as np
    >>> get_xp(np.ones(3)) is np
    True
    >>> get_xp(2.0) is np       # Python scalars take NumPy's namespace
    True
    >>> backend_name()
    'numpy'
"""
from __future__ import annotations

import numpy


def is_cupy(x) -> bool:
    """True for a CuPy array, decided without importing CuPy."""
    return type(x).__module__.startswith("cupy")


def get_xp(*arrays):
    """The array namespace of ``arrays``: ``cupy`` if any is a CuPy array, else ``numpy``.

    Mixing CuPy and NumPy arrays (other than Python or NumPy scalars) is an error, never a silent copy.
    """
    xp = numpy
    host_array = None
    for a in arrays:
        if is_cupy(a):
            import cupy

            xp = cupy
        elif host_array is None and isinstance(a, numpy.ndarray) and a.ndim > 0:
            host_array = a
    if xp is not numpy and host_array is not None:
        raise TypeError(
            f"mixing a CuPy array and a NumPy array of shape {host_array.shape} in one operation; "
            "move the NumPy array to the GPU first with cupy.asarray(...)"
        )
    return xp


def to_numpy(x):
    """A NumPy copy of ``x`` on the host (CuPy arrays are copied back; others pass through asarray)."""
    if is_cupy(x):
        return x.get()
    return numpy.asarray(x)


_BACKEND = ["numpy"]


def _import_cupy():
    try:
        import cupy
    except ImportError as err:
        raise ImportError(
            "the CuPy backend needs CuPy and an NVIDIA GPU: install it with "
            "`pip install optlab[gpu]` (CUDA 12) or `pip install cupy-cuda13x` (CUDA 13)"
        ) from err
    return cupy


def set_backend(name):
    """Choose where new arrays are created: ``"numpy"`` (host) or ``"cupy"`` (GPU).

    Raises ImportError with install instructions if CuPy is asked for but not installed.
    """
    if name not in ("numpy", "cupy"):
        raise ValueError(f"backend must be 'numpy' or 'cupy', got {name!r}")
    if name == "cupy":
        _import_cupy()
    _BACKEND[0] = name


def backend_name():
    """The backend chosen with :func:`set_backend` (``"numpy"`` by default)."""
    return _BACKEND[0]


def backend_xp():
    """The namespace of the chosen backend."""
    return _import_cupy() if _BACKEND[0] == "cupy" else numpy


def to_backend(x, like=None):
    """``x`` on the device of ``like`` (if given) or of the chosen backend; host data drawn with NumPy
    moves there unchanged, so NumPy and CuPy runs with the same seed follow the same sample path."""
    xp = get_xp(like) if like is not None else backend_xp()
    return x if xp is numpy else xp.asarray(x)
