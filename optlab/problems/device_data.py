"""A family's data on the host and on each device: :class:`DeviceData`, copied once and cached.

Every family (``f``, ``grad``, ``hvp`` and a finite sum's ``f_i``, ``grad_i``, ``hvp_i``, ``grad_all``)
accepts a CuPy ``x`` and answers on its device. The family keeps its data (matrices, targets, centres)
on the host and reads it through a ``DeviceData``: for a NumPy ``x`` that costs one type check; for a
CuPy ``x`` the data is copied to ``x``'s device on first use there and the copy is reused. A problem
of your own that closes over NumPy data should read it the same way (see
:func:`optlab.problems.wrap`).

Example:
    >>> import numpy as np
    >>> data = DeviceData(np.eye(2), 3.0)
    >>> xp, A, c = data(np.ones(2))
    >>> xp is np, A is data.host[0], c
    (True, True, 3.0)
"""
from __future__ import annotations

import numpy

from ..autodiff.graph import Variable as _Variable
from ..backend import get_xp, is_cupy

_ndarray = numpy.ndarray


class DeviceData:
    """A family's host data, and its copy on each device, made once and cached.

    ``data = DeviceData(A, b)`` holds host arrays; ``xp, A, b = data(x)`` returns the namespace of
    ``x`` and the arrays on ``x``'s device: the host arrays themselves for a NumPy ``x`` (one type
    check), a copy made on first use and then reused for a CuPy ``x`` (one per device). ``x`` may be
    a graph value (inside ``f`` while the engine differentiates): its value decides. Entries that are
    not NumPy arrays (numbers) pass through unchanged.
    """

    __slots__ = ("_host", "_copies")

    def __init__(self, *arrays):
        self._host = (numpy,) + arrays
        self._copies = {}

    @property
    def host(self):
        """The host arrays (as given)."""
        return self._host[1:]

    def __call__(self, x):
        if x.__class__ is _ndarray:  # the NumPy fast path: no lookup
            return self._host
        return self._on_device_of(x)

    def _on_device_of(self, x):
        while isinstance(x, _Variable):
            x = x.value
        if not is_cupy(x):
            return self._host
        device = getattr(x, "device", None)
        key = getattr(device, "id", device)
        copies = self._copies.get(key)
        if copies is None:
            xp = get_xp(x)
            if hasattr(device, "__enter__"):  # a CuPy device: copy onto x's GPU, not the current one
                with device:
                    copies = self._copy(xp)
            else:
                copies = self._copy(xp)
            self._copies[key] = copies
        return copies

    def _copy(self, xp):
        return (xp,) + tuple(xp.asarray(a) if isinstance(a, _ndarray) else a for a in self._host[1:])
