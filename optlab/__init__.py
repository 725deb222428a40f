"""optlab: learn and check the theory of optimization for machine learning.

The autodiff engine is re-exported here::

    >>> import optlab, optlab.numpy as onp
    >>> optlab.grad(lambda x: onp.sum(x ** 2))(onp.array([1.0, 2.0]))
    array([2., 4.])
"""
from .autodiff import (  # noqa: F401
    NonFiniteError, Operation, Primitive, Variable, check_finite, check_grad, find_nonfinite, grad,
    hessian, hvp, jacobian, value_and_grad, vjp,
)

from .backend import backend_name, set_backend  # noqa: F401,E402


def __getattr__(name):
    # The algorithm catalogue is imported on first use, so `import optlab` stays light.
    if name in ("run", "Trace", "plot_trace"):
        from . import algorithms

        return getattr(algorithms, name)
    raise AttributeError(f"module 'optlab' has no attribute {name!r}")


__version__ = "0.1.0"
