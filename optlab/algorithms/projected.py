"""Any catalogue method, with its iterates projected onto the problem's domain after every step.

.. code-block:: text

    w_{t+1} = Pi_domain(the method's step from w_t)          (Pi = problem.project)

Methods with a projection of their own (``AdaGrad(D_inf=...)``, ``AdaGradNorm(radius=...)``,
``AMSGrad(D_inf=...)``) project onto a set they are given; ``Projected`` uses the problem's own
feasible set instead, e.g. the box of ``zipf_one_hot`` for the one-learning-rate method of EC500
section 16 (seed 003 L2339-2345), so that it competes on the same domain as diagonal AdaGrad.

Example:
    >>> import numpy as np
    >>> from optlab.problems import zipf_one_hot
    >>> from optlab.algorithms import GD, run
    >>> p = zipf_one_hot(d=2, s=2.0, D=1.0, bias=1.0)          # L(w) = 0.8 w[0] + 0.2 w[1] on [-1, 1]^2
    >>> run(Projected(GD(lr=2.0)), p, steps=1, x0=np.zeros(2), progress=False).x[-1]
    array([-1. , -0.4])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


class ProjectedState(NamedTuple):
    x: Any
    inner: Any     # the wrapped method's state
    t: int


@dataclass(frozen=True)
class Projected:
    """``method`` with every iterate projected by ``problem.project`` (see the module docstring)."""
    method: Any

    def __post_init__(self):
        if not (hasattr(self.method, "init") and hasattr(self.method, "step")):
            raise ValueError(f"method must be an optlab method (with init and step), got method={self.method!r}")

    def init(self, x0, oracle) -> ProjectedState:
        if not getattr(oracle.problem, "constrained", False):
            raise ValueError(f"Projected needs a problem with a feasible set (problem.project); "
                             f"'{oracle.problem.name}' is unconstrained: run the method itself")
        inner = self.method.init(oracle.problem.project(x0), oracle)
        return ProjectedState(x=inner.x, inner=inner, t=0)

    def step(self, s: ProjectedState, oracle) -> ProjectedState:
        inner = self.method.step(s.inner, oracle)
        inner = inner._replace(x=oracle.problem.project(inner.x))         # Pi onto the domain
        return ProjectedState(x=inner.x, inner=inner, t=s.t + 1)
