"""optlab.problems: problems with certified constants, and the counting oracles algorithms query.

A Problem carries a loss written with optlab.numpy, analytic gradients/HVPs where cheap, its constants
(H, mu, G, sigma, rho, L0, L1, alpha, pl_mu, pl_exponent), its assumptions, and x_star/f_star when known.
An Oracle counts every query. FAMILIES lists the generators with the assumptions each claims.
CONSTANTS.md (next to this file) summarises the verified constants.

Every family runs on CuPy arrays: ``f``, ``grad``, ``hvp`` (and ``f_i``, ``grad_i``, ``hvp_i``,
``grad_all`` of a finite sum) given a CuPy ``x`` answer on its device, with the family's data copied
there once (:class:`DeviceData`, cached per device). ``x0()`` is drawn on the host and moved to the
backend chosen with ``optlab.set_backend``, so after ``optlab.set_backend("cupy")`` a plain
``run(method, problem, steps)`` runs on the GPU and follows the NumPy run of the same seed (the oracle
draws its samples on the host). Constants, ``x_star`` and ``hessian`` stay on the host. A problem of
your own (:func:`wrap`) that closes over NumPy data should read it through a :class:`DeviceData` too.

Example:
    >>> from optlab.problems import quadratic, Oracle
    >>> o = Oracle(quadratic(d=3, mu=1.0, H=2.0), noise="sphere", sigma=0.5, seed=0)
    >>> g = o.stoch_grad(o.problem.x_star, o.sample())
    >>> round(float((g ** 2).sum()), 12), o.grad_evals
    (0.25, 1)
"""
from .adam_examples import median_example, reddi_adam_example  # noqa: F401
from .base import (  # noqa: F401
    ASSUMPTIONS, CONSTANTS, BatchFallbackWarning, DeviceData, FiniteSumProblem, Problem,
)
from .batch_oracle import BatchOracle  # noqa: F401
from .declared import LOSSES, DataFitProblem, QuadraticProblem, RotatedSumProblem  # noqa: F401
from .catalogue import FAMILIES, Family, families_with  # noqa: F401
from .checks import verify  # noqa: F401
from .custom import wrap, wrap_finite_sum  # noqa: F401
from .finite_sum import huber, least_squares, logistic_regression  # noqa: F401
from .generalized_smooth import cosh_sum, dro_dual, phase_retrieval, power_norm  # noqa: F401
from .heavy_tailed import HeavyTailed  # noqa: F401
from .hogwild import sparse_hogwild  # noqa: F401
from .mlp import MLPProblem, mlp  # noqa: F401
from .nonconvex import cosine_sum, log_sum, pl_sine  # noqa: F401
from .nonsmooth import absolute_loss, norm_loss  # noqa: F401
from .oracle import Oracle  # noqa: F401
from .quadratic import (  # noqa: F401
    indefinite_quadratic, nesterov_lower_bound, nesterov_worst_case, quadratic,
)
from .scale_invariant import batchnorm_net, rayleigh_quotient  # noqa: F401
from .batchnorm_gain import batchnorm_gain  # noqa: F401
from .second_order import cubic_test, strict_saddle  # noqa: F401
from .residual_relu import residual_relu  # noqa: F401
from .semismooth import kinked_quadratic  # noqa: F401
from .zipf import zipf_one_hot  # noqa: F401
