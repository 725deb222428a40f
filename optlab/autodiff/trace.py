"""What the current thread is tracing: one object, changed only through its context managers.

``graph.Primitive.__call__`` reads ``trace.lean`` on every node; ``api.py`` enters ``trace.tracing()``
around each function it differentiates; the notes' ``record_partials()`` is ``trace.recording_partials()``.
The state is per thread, so a ``grad`` in one thread never changes how another thread's graph is built.
"""
from __future__ import annotations

import contextlib
import threading


class _TraceState(threading.local):
    depth = 0  # how many functions are being evaluated for a derivative (api.py: nesting)
    lean = 0  # how many of those have a private graph, whose unread values may be released (lean.py)
    recording = False  # the notes' operations store the partial derivatives of their edges (notes.py)

    @contextlib.contextmanager
    def tracing(self, lean=False):
        """Evaluate a function for a derivative; ``lean=True`` when its graph stays private."""
        self.depth += 1
        self.lean += lean
        try:
            yield
        finally:
            self.depth -= 1
            self.lean -= lean

    @contextlib.contextmanager
    def recording_partials(self):
        previous, self.recording = self.recording, True
        try:
            yield
        finally:
            self.recording = previous


trace = _TraceState()
