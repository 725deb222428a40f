"""optlab's reverse-mode automatic differentiation engine (EC500 section 4).

* :mod:`.graph`: variable and operation nodes, and :class:`Primitive` (forward + VJP rules);
* :mod:`.ops`: the primitives and their vector-Jacobian products;
* :mod:`.backward`: the reverse pass in reverse topological order (one loop: ``pull_back``);
* :mod:`.api`: ``grad``, ``value_and_grad``, ``vjp``, ``jacobian``, ``hessian``, ``hvp``;
* :mod:`.checks`: ``check_grad`` and the NaN/inf finder;
* :mod:`.notes`: the notes' own vocabulary and the literal path-sum backward (Algorithms 4 and 5);
* :mod:`.draw`: computation graphs drawn in Jupyter;
* :mod:`.trace`: what the current thread is tracing (nesting depth, lean mode, the notes' recording);
* :mod:`.lean`: ``grad`` frees the values that no VJP rule reads (an optimisation; not needed to learn).
"""
from .api import grad, hessian, hvp, jacobian, value_and_grad, vjp
from .backward import backward, reverse_topological_order
from .checks import NonFiniteError, check_finite, check_grad, find_nonfinite, find_nonfinite_vjp
from .graph import Operation, Primitive, Variable

__all__ = [
    "Variable", "Operation", "Primitive", "backward", "reverse_topological_order",
    "grad", "value_and_grad", "vjp", "jacobian", "hessian", "hvp",
    "check_grad", "check_finite", "find_nonfinite", "find_nonfinite_vjp", "NonFiniteError",
]
