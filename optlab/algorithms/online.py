"""Online runs: a method fed the losses f_1, f_2, ... of an online sequence, projected onto the domain.

Reddi, Kale and Kumar's counterexample to Adam (ICLR 2018, Theorem 1; cited by EC500 section 17.2,
seed 003 L2546-2548) is an *online* problem: at step t the learner sees the gradient of f_t, where the
sequence f_1, f_2, f_3, f_1, ... cycles through the terms of a finite sum, and every iterate is
projected back onto the domain [-1, 1]. ``Online(method)`` runs any catalogue method that way:

.. code-block:: text

    for t = 1..T:
        i_t = problem.online_index(t)              (the term the sequence shows at step t)
        w_{t+1} = Pi_domain(method's step, with "sample()" returning i_t)

The wrapped method is unchanged: it calls ``oracle.sample()`` and ``oracle.stoch_grad(x, xi)`` as
usual; the oracle it sees returns the online index instead of a random one.

Example:
    >>> import numpy as np
    >>> from optlab.problems import reddi_adam_example
    >>> from optlab.algorithms import SGD, run
    >>> p = reddi_adam_example(C=3.0)             # f_t(x) = 3x, -x, -x, 3x, ... on [-1, 1]
    >>> run(Online(SGD(lr=0.1)), p, steps=3, x0=np.array([0.0]), progress=False).x.ravel()
    array([ 0. , -0.3, -0.2, -0.1])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy


class _OnlineOracle:
    """The run's oracle as the wrapped method sees it at step t: sample() gives the index of f_t."""

    def __init__(self, oracle, t):
        self._oracle, self._t = oracle, t

    def sample(self):
        self._oracle.calls["sample"] += 1
        return numpy.asarray(self._oracle.problem.online_index(self._t))

    def stoch_grad(self, x, xi):
        return self._oracle.stoch_grad(x, xi)

    def full_grad(self, x):                      # in an online problem the "full" gradient is f_t's
        return self.stoch_grad(x, self.sample())

    def __getattr__(self, name):
        return getattr(self._oracle, name)


class OnlineState(NamedTuple):
    x: Any
    inner: Any     # the wrapped method's state
    t: int


@dataclass(frozen=True)
class Online:
    """Run ``method`` on the problem's online sequence (``problem.online_index(t)``), projecting each
    iterate with ``problem.project`` when ``project`` is true (see the module docstring)."""
    method: Any
    project: bool = True

    def __post_init__(self):
        if not (hasattr(self.method, "init") and hasattr(self.method, "step")):
            raise ValueError(f"method must be an optlab method (with init and step), got method={self.method!r}")

    def init(self, x0, oracle) -> OnlineState:
        for name in ("online_index",) + (("project",) if self.project else ()):
            if getattr(oracle.problem, name, None) is None:
                raise ValueError(f"Online needs a problem with {name} (e.g. reddi_adam_example); "
                                 f"'{oracle.problem.name}' has none")
        inner = self.method.init(x0, oracle)
        return OnlineState(x=inner.x, inner=inner, t=0)

    def step(self, s: OnlineState, oracle) -> OnlineState:
        t = s.t + 1
        inner = self.method.step(s.inner, _OnlineOracle(oracle, t))
        if self.project:
            inner = inner._replace(x=oracle.problem.project(inner.x))    # Pi onto the domain
        return OnlineState(x=inner.x, inner=inner, t=t)
