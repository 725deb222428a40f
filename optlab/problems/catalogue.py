"""FAMILIES: the explicit catalogue of problem families, each with the assumptions it claims.

Each entry is a :class:`Family`: ``name``, ``factory`` (the generator function), ``example`` (keyword
arguments giving a small instance for tests and lectures) and ``assumptions`` (the frozenset that
instance claims; some assumptions depend on the arguments, e.g. mu = 0 drops strong convexity, so a
factory may appear more than once). Theorems pair with families by ``family.assumptions >= needed``.
No registration magic: to add a family, add a line here.

Source: the issue "optlab.problems" (families list); constants in CONSTANTS.md.

Example:
    >>> smooth_convex = [f.name for f in FAMILIES if f.assumptions >= {"convex", "smooth"}]
    >>> "least_squares" in smooth_convex and "cosine_sum" not in smooth_convex
    True
    >>> p = FAMILIES[0].make()
    >>> p.assumptions == FAMILIES[0].assumptions
    True
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from .adam_examples import median_example, reddi_adam_example
from .finite_sum import huber, least_squares, logistic_regression
from .generalized_smooth import cosh_sum, dro_dual, phase_retrieval, power_norm
from .hogwild import sparse_hogwild
from .mlp import mlp
from .nonconvex import cosine_sum, log_sum, pl_sine
from .nonsmooth import absolute_loss, norm_loss
from .quadratic import indefinite_quadratic, nesterov_worst_case, quadratic
from .scale_invariant import batchnorm_net, rayleigh_quotient
from .second_order import cubic_test, strict_saddle
from .zipf import zipf_one_hot


class Family(NamedTuple):
    name: str
    factory: Callable
    example: dict
    assumptions: frozenset

    def make(self, **overrides):
        """An instance with the example arguments, updated by ``overrides``."""
        return self.factory(**{**self.example, **overrides})


def _f(name, factory, example, *assumptions):
    return Family(name, factory, dict(example), frozenset(assumptions))


_CVX_Q = ("convex", "smooth", "second_order_smooth")
FAMILIES = (
    _f("quadratic_strongly_convex", quadratic, dict(d=5, mu=0.5, H=4.0),
       *_CVX_Q, "strongly_convex", "generalized_pl"),
    _f("quadratic_convex", quadratic, dict(d=5, mu=0.0, H=4.0), *_CVX_Q),
    _f("quadratic_lipschitz_ball", quadratic, dict(d=5, mu=0.5, H=4.0, radius=2.0),
       *_CVX_Q, "strongly_convex", "generalized_pl", "lipschitz"),
    _f("indefinite_quadratic", indefinite_quadratic, dict(d=5, lam_min=-1.0, lam_max=2.0),
       "nonconvex", "smooth", "second_order_smooth"),
    _f("nesterov_worst_case", nesterov_worst_case, dict(d=11, H=1.0), *_CVX_Q),
    _f("least_squares", least_squares, dict(n=40, d=5), *_CVX_Q, "strongly_convex",
       "generalized_pl", "finite_sum"),
    _f("least_squares_overparameterized", least_squares, dict(n=5, d=10), *_CVX_Q, "finite_sum"),
    _f("logistic_regression", logistic_regression, dict(n=60, d=4),
       "convex", "smooth", "lipschitz", "finite_sum"),
    _f("logistic_regression_l2", logistic_regression, dict(n=60, d=4, lam=0.1),
       "convex", "smooth", "strongly_convex", "finite_sum"),
    _f("huber", huber, dict(n=60, d=4), "convex", "smooth", "lipschitz", "finite_sum"),
    _f("norm_loss", norm_loss, dict(d=5, G=2.0), "convex", "lipschitz"),
    _f("absolute_loss", absolute_loss, dict(n=30, d=3), "convex", "lipschitz", "finite_sum"),
    _f("cosine_sum", cosine_sum, dict(d=4), "nonconvex", "smooth", "lipschitz", "second_order_smooth"),
    _f("log_sum", log_sum, dict(d=4), "nonconvex", "smooth", "lipschitz", "second_order_smooth"),
    _f("pl_sine", pl_sine, dict(d=3), "nonconvex", "smooth", "second_order_smooth", "generalized_pl"),
    _f("reddi_adam_example", reddi_adam_example, dict(C=3.0),
       "convex", "smooth", "lipschitz", "second_order_smooth", "finite_sum"),
    _f("reddi_adam_example_stochastic", reddi_adam_example, dict(C=1000.0, stochastic=True, delta=0.1),
       "convex", "smooth", "lipschitz", "second_order_smooth", "finite_sum"),
    _f("median_example", median_example, dict(), "convex", "strongly_convex", "smooth",
       "second_order_smooth", "generalized_pl", "finite_sum"),
    _f("power_norm", power_norm, dict(d=3, p=4.0), "convex", "generalized_smooth", "generalized_pl"),
    _f("cosh_sum", cosh_sum, dict(d=3, a=1.0),
       "convex", "strongly_convex", "generalized_smooth", "generalized_pl"),
    _f("phase_retrieval", phase_retrieval, dict(m=60, d=3),
       "nonconvex", "generalized_smooth", "finite_sum"),
    _f("dro_dual", dro_dual, dict(n=40, d=3, lam=0.5), "convex", "generalized_smooth", "finite_sum"),
    _f("rayleigh_quotient", rayleigh_quotient, dict(d=5), "nonconvex", "scale_invariant"),
    _f("rayleigh_quotient_stochastic", rayleigh_quotient, dict(d=4, n=6),
       "nonconvex", "scale_invariant", "finite_sum"),
    _f("batchnorm_net", batchnorm_net, dict(n=16, k=3, h=3), "nonconvex", "scale_invariant"),
    _f("strict_saddle", strict_saddle, dict(d=3, k=1), "nonconvex", "smooth", "second_order_smooth"),
    _f("cubic_test", cubic_test, dict(d=4, rho=2.0), "nonconvex", "second_order_smooth"),
    _f("sparse_hogwild", sparse_hogwild, dict(n=50, d=12, nnz=2),
       "convex", "smooth", "lipschitz", "finite_sum"),
    _f("zipf_one_hot", zipf_one_hot, dict(d=20, s=2.0, D=1.0, bias=0.2),
       "convex", "smooth", "lipschitz", "second_order_smooth", "finite_sum"),
    _f("mlp", mlp, dict(n=32, widths=(3, 5, 4, 2)), "nonconvex", "finite_sum"),
)


def families_with(*assumptions):
    """The families whose claimed assumptions include all of ``assumptions``."""
    need = frozenset(assumptions)
    return tuple(f for f in FAMILIES if f.assumptions >= need)
