"""Array backends: which namespace (NumPy or CuPy) an array belongs to, and host-side helpers.

optlab never hard-wires ``numpy`` inside a computation: every primitive asks its inputs for their
namespace with :func:`get_xp`, so CuPy arrays flow through the same code. Randomness is always drawn on
the host with :class:`numpy.random.Generator` and moved to the device afterwards, so a NumPy run and a
CuPy run with the same seed follow the same sample path.

Example:
    >>> import numpy as np
    >>> get_xp(np.ones(3)) is np
    True
    >>> get_xp(2.0) is np       # Python scalars take NumPy's namespace
    True
"""
from __future__ import annotations

import numpy

_NUMPY_TYPES = (numpy.ndarray, numpy.generic, float, int, bool)


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
        if type(a) in _NUMPY_TYPES or isinstance(a, _NUMPY_TYPES):
            if host_array is None and isinstance(a, numpy.ndarray) and a.ndim > 0:
                host_array = a
            continue
        if is_cupy(a):
            import cupy

            xp = cupy
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
